"""The "export" action (a person's data export is recorded), issue 15.

Changing the action's check constraint makes SQLite rebuild the table, which drops the
append-only trigger of migration 0001: it is created again at the end, both ways.
"""

from django.db import migrations, models

SQLITE_GUARD = """
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS audit_auditevent_append_only;"


def sqlite_guard_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_UNGUARD, params=None)
        schema_editor.execute(SQLITE_GUARD, params=None)


ACTIONS = [
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    ("bulk_create", "Created in bulk"),
    ("bulk_update", "Changed in bulk"),
    ("bulk_delete", "Deleted in bulk"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(sqlite_guard_again, sqlite_guard_again, elidable=False),
        migrations.RemoveConstraint(
            model_name="auditevent",
            name="audit_action_valid",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=[*ACTIONS, ("export", "Exported")], max_length=12),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("action__in", [*(code for code, _ in ACTIONS), "export"])
                ),
                name="audit_action_valid",
                violation_error_message="unknown audit action",
            ),
        ),
        migrations.RunPython(sqlite_guard_again, sqlite_guard_again, elidable=False),
    ]
