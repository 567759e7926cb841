import django.core.serializers.json
from django.db import migrations, models

# The audit trail is append-only for anyone who goes around the application too.
# PostgreSQL refuses UPDATE and DELETE row by row (TRUNCATE, which the test suite's flush
# uses, and DROP TABLE, which a restore uses, stay possible for the table's owner).
# SQLite refuses UPDATE only: Django's flush of test databases deletes rows there.
# Note: on SQLite, a later migration that alters this table rebuilds it and loses the
# trigger; such a migration must create it again.
POSTGRESQL_GUARD = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
"""
POSTGRESQL_UNGUARD = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""
SQLITE_GUARD = """
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS audit_auditevent_append_only;"


def guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_GUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD, params=None)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_UNGUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UNGUARD, params=None)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('actor', models.CharField(help_text="The user's name at the time, or 'system', or the command that ran (e.g. 'tenure score').", max_length=150)),
                ('actor_id', models.PositiveBigIntegerField(blank=True, help_text="The user's id, when a person acted.", null=True, verbose_name='user id')),
                ('action', models.CharField(choices=[('create', 'Created'), ('update', 'Changed'), ('delete', 'Deleted'), ('bulk_create', 'Created in bulk'), ('bulk_update', 'Changed in bulk'), ('bulk_delete', 'Deleted in bulk')], max_length=12)),
                ('model', models.CharField(help_text='app_label.model_name', max_length=100)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('object_repr', models.CharField(blank=True, max_length=200, verbose_name='object')),
                ('account_id', models.PositiveBigIntegerField(blank=True, help_text='The account the record belongs to.', null=True, verbose_name='account id')),
                ('before', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder)),
                ('after', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder)),
                ('count', models.PositiveIntegerField(default=1, help_text='Rows written (bulk writes).')),
                ('note', models.CharField(blank=True, max_length=500)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'default_permissions': ('view',),
                'indexes': [models.Index(fields=['account_id', '-created_at'], name='audit_account_idx'), models.Index(fields=['model', 'object_id'], name='audit_object_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('action__in', ['create', 'update', 'delete', 'bulk_create', 'bulk_update', 'bulk_delete'])), name='audit_action_valid', violation_error_message='unknown audit action')],
            },
        ),
        migrations.RunPython(guard, unguard, elidable=False),
    ]
