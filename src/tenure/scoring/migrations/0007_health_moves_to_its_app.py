"""The health, risk and CLV models leave the scoring app's state for the health app's.

No table is touched (``health.0001`` keeps their names). Their content types move with
them, so permissions granted on them stay granted. The audit trail is append-only and
keeps the labels it recorded: the models name their former label
(``audit_former_labels``) and a record's history is read under both.
"""

from django.db import migrations

MOVED = ("accounthealth", "churnsettings", "healthscorecard")


def _relabel(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        # After a backward migration the next ``migrate`` creates fresh content types under
        # the code's label; the older one holds the granted permissions and wins.
        old = content_type.objects.filter(app_label=source, model=model)
        if old.exists():
            content_type.objects.filter(app_label=target, model=model).delete()
            old.update(app_label=target)


def to_health(apps, schema_editor) -> None:
    _relabel(apps, "scoring", "health")


def to_scoring(apps, schema_editor) -> None:
    _relabel(apps, "health", "scoring")


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0006_run_currency_and_rates"),
        ("health", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="accounthealth", name="account"),
                migrations.RemoveField(model_name="accounthealth", name="run"),
                migrations.DeleteModel(name="ChurnSettings"),
                migrations.DeleteModel(name="HealthScorecard"),
                migrations.DeleteModel(name="AccountHealth"),
            ],
        ),
        migrations.RunPython(to_health, to_scoring),
    ]
