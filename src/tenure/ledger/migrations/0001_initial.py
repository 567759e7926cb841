"""The currency rates move from the scoring app's state into the ledger's.

The table stays where ``scoring.0006`` created it (``scoring_currencyrate``); only Django's
state changes, so no row is touched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("scoring", "0006_run_currency_and_rates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CurrencyRate",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("currency", models.CharField(max_length=3, unique=True)),
                        ("reporting_currency", models.CharField(max_length=3)),
                        ("rate", models.DecimalField(decimal_places=8, max_digits=18)),
                    ],
                    options={
                        "db_table": "scoring_currencyrate",
                        "ordering": ["currency"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("rate__gt", 0)), name="currency_rate_positive", violation_error_message="a rate must be above 0"),
                            models.CheckConstraint(condition=models.Q(("currency", models.F("reporting_currency")), _negated=True), name="currency_rate_not_reporting", violation_error_message="the reporting currency needs no rate"),
                        ],
                    },
                ),
            ],
        ),
    ]
