"""What the CRM store keeps about the ledger: the user's currency rates."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tenure.core.models import TimeStampedModel


class CurrencyRate(TimeStampedModel):
    """A rate the user supplied: units of the reporting currency for one unit of ``currency``.

    The table is replaced as a whole by ``tenure import rates``; every row shares one
    reporting currency. The scoring run converts the ledger's lines with it before summing.
    """

    #: Recorded in the audit trail under the scoring app before the rates moved here.
    audit_former_labels = ("scoring.currencyrate",)

    currency = models.CharField(max_length=3, unique=True)
    reporting_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        # The table was created by the scoring app; it keeps its name.
        db_table = "scoring_currencyrate"
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="currency_rate_positive",
                violation_error_message="a rate must be above 0",
            ),
            models.CheckConstraint(
                condition=~Q(currency=models.F("reporting_currency")),
                name="currency_rate_not_reporting",
                violation_error_message="the reporting currency needs no rate",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.reporting_currency}"
