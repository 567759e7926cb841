"""The currency rates leave the scoring app's state for the ledger's (``ledger.0001``).

No table is touched; the content type moves with the model so permissions stay granted.
"""

from django.db import migrations


def _relabel(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    old = content_type.objects.filter(app_label=source, model="currencyrate")
    if old.exists():
        content_type.objects.filter(app_label=target, model="currencyrate").delete()
        old.update(app_label=target)


def to_ledger(apps, schema_editor) -> None:
    _relabel(apps, "scoring", "ledger")


def to_scoring(apps, schema_editor) -> None:
    _relabel(apps, "ledger", "scoring")


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0007_health_moves_to_its_app"),
        ("ledger", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CurrencyRate")],
        ),
        migrations.RunPython(to_ledger, to_scoring),
    ]
