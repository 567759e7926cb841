"""Health, churn risk and lifetime value per account and scoring run, and their settings.

The tables keep the names they had in the scoring app (``scoring_…``): the models moved to
this app with their rows, without a copy (migration ``health.0001_initial``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models import Q

from tenure.accounts.models import Account
from tenure.core.models import TimeStampedModel
from tenure.core.numbers import DERIVED_MONEY
from tenure.core.scorecards import VersionedScorecard

__all__ = ["AccountHealth", "BacktestRecord", "ChurnSettings", "HealthScorecard"]


def risk_driver_texts(drivers: Iterable[Mapping[str, Any]] | None, *, top: int = 3) -> list[str]:
    """The reasons for a churn risk in plain words, as every page, email and API shows them.

    Stored drivers also hold the model's feature name, value and log-odds push (for audit
    and tests); those are never shown to people.
    """
    texts = [str(d.get("text") or "").strip() for d in (drivers or [])]
    return [text for text in texts if text][:top]


MONEY = DERIVED_MONEY


class HealthScorecard(VersionedScorecard):
    """A version of the health scorecard (``tenure.insights.health.Scorecard`` as JSON)."""

    #: The audit trail recorded it under the scoring app until 2026-12 (issue 19).
    audit_former_labels = ("scoring.healthscorecard",)

    class Meta(VersionedScorecard.Meta):
        db_table = "scoring_healthscorecard"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="health_scorecard_one_active",
                violation_error_message="only one health scorecard version can be active",
            )
        ]

    def __str__(self) -> str:
        return f"Health scorecard {self.version}"


class ChurnSettings(TimeStampedModel):
    """What counts as churn and how far ahead risk looks; the newest row is in force."""

    #: The audit trail recorded it under the scoring app until 2026-12 (issue 19).
    audit_former_labels = ("scoring.churnsettings",)

    interval_multiple = models.FloatField(
        default=3.0, help_text="Silence longer than this many usual order intervals is churn."
    )
    min_silence_days = models.PositiveIntegerField(
        default=90, help_text="…but never less than this many days."
    )
    fallback_interval_days = models.FloatField(
        default=60.0, help_text="Usual interval assumed for an account with one order day."
    )
    revenue_drop = models.FloatField(
        null=True,
        blank=True,
        default=0.5,
        help_text="Trailing-12-month revenue down by more than this share on the year "
        "before is churn (empty: no revenue rule).",
    )
    horizon_days = models.PositiveIntegerField(
        default=180, help_text="Risk is the probability of churn within this many days."
    )

    class Meta:
        db_table = "scoring_churnsettings"
        ordering = ["-created_at"]
        verbose_name_plural = "churn settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_multiple__gt=0)
                & Q(fallback_interval_days__gt=0)
                & Q(min_silence_days__gt=0)
                & Q(horizon_days__gt=0),
                name="churn_settings_positive",
                violation_error_message="multiples, days and the horizon must be positive",
            ),
            models.CheckConstraint(
                condition=Q(revenue_drop__isnull=True)
                | (Q(revenue_drop__gt=0) & Q(revenue_drop__lt=1)),
                name="churn_settings_drop_is_a_share",
                violation_error_message="the revenue drop is a share between 0 and 1",
            ),
        ]

    def __str__(self) -> str:
        return f"Churn settings of {self.created_at:%Y-%m-%d}"


CLV_INTERVAL_HELP = (
    "Bound of the 90 % interval over the transaction model's parameter uncertainty "
    "(parametric bootstrap, see docs/clv.md)."
)


class AccountHealth(models.Model):
    """An account's health, churn risk and lifetime value as of one date (one scoring run).

    ``health_contributions`` holds each measure's points (they sum to the score; ``null``
    for a measure left out);
    ``health_measures`` each measure's input value; ``health_flags`` the keys of the
    measures left out for lack of data. ``risk_drivers`` are the model's reasons in plain
    words (for accounts at or above the average risk). The recent-spend figures complete,
    with the run's ``AccountSnapshot``, the model's ledger inputs for "what if".
    """

    run = models.ForeignKey(
        "scoring.ScoringRun", on_delete=models.CASCADE, related_name="health_rows"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health")
    as_of = models.DateField()
    health_score = models.FloatField(null=True)
    health_coverage = models.FloatField(null=True)
    health_contributions = models.JSONField(default=dict)
    health_measures = models.JSONField(default=dict)
    health_flags = models.JSONField(default=list)
    health_version = models.CharField(max_length=40, blank=True)
    risk = models.FloatField(
        null=True, help_text="Probability of churn within the horizon (calibrated)."
    )
    risk_horizon_days = models.PositiveIntegerField(null=True)
    risk_drivers = models.JSONField(default=list)
    revenue_90d = models.FloatField(null=True, help_text="Net revenue in the last 90 days.")
    revenue_90d_prior_year = models.FloatField(
        null=True, help_text="Net revenue in the same 90 days a year earlier."
    )
    risk_model = models.CharField(max_length=60, blank=True)
    clv = models.DecimalField("lifetime value", **MONEY, null=True)
    clv_months = models.PositiveSmallIntegerField(null=True)
    clv_low = models.DecimalField(
        "lifetime value, interval low", **MONEY, null=True, help_text=CLV_INTERVAL_HELP
    )
    clv_high = models.DecimalField(
        "lifetime value, interval high", **MONEY, null=True, help_text=CLV_INTERVAL_HELP
    )
    probability_alive = models.FloatField(null=True)
    probability_alive_low = models.FloatField(null=True, help_text=CLV_INTERVAL_HELP)
    probability_alive_high = models.FloatField(null=True, help_text=CLV_INTERVAL_HELP)
    expected_orders = models.FloatField(null=True, help_text="Orders expected over clv_months.")
    expected_order_value = models.DecimalField(**MONEY, null=True)
    engaged_contacts = models.PositiveIntegerField(null=True)
    decision_makers_engaged = models.PositiveIntegerField(null=True)
    threads = models.PositiveIntegerField(null=True)
    churned = models.BooleanField(
        null=True, help_text="Meets the churn definition as of this date (no order history: empty)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_accounthealth"
        ordering = ["-as_of", "account_id"]
        verbose_name_plural = "account health"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "as_of"],
                name="health_one_per_account_and_date",
                violation_error_message="this account already has a health row for this date",
            ),
            models.CheckConstraint(
                condition=Q(health_score__isnull=True)
                | Q(health_score__gte=0, health_score__lte=100),
                name="health_score_0_to_100",
                violation_error_message="a health score lies between 0 and 100",
            ),
            models.CheckConstraint(
                condition=Q(risk__isnull=True) | Q(risk__gte=0, risk__lte=1),
                name="health_risk_is_probability",
                violation_error_message="risk is a probability between 0 and 1",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-as_of"], name="health_account_asof_idx"),
            models.Index(fields=["as_of", "-risk"], name="health_asof_risk_idx"),
            # The accounts with any row over the at-risk line, without reading every row.
            models.Index(fields=["risk", "account"], name="health_risk_account_idx"),
        ]

    def __str__(self) -> str:
        return f"Health of {self.account} as of {self.as_of}"

    @property
    def risk_driver_texts(self) -> list[str]:
        """The reasons for the churn risk in plain words (see :func:`risk_driver_texts`)."""
        return risk_driver_texts(self.risk_drivers)


class BacktestRecord(models.Model):
    """One ``tenure backtest`` run, kept for the "How good are our scores?" page.

    ``metrics`` holds the pooled rows of the backtest table (every cut-off together): one
    per label (``outcome``) and score, with n, positives, ROC-AUC, PR-AUC, top-decile lift
    and Brier. The figures are stored as PNG bytes so the page needs no files on disk.
    """

    as_of = models.DateField(help_text="The last day of data the backtest used.")
    scorecard_version = models.CharField(max_length=40)
    model_version = models.CharField(
        max_length=60, help_text="The risk model's kind and settings, as a short label."
    )
    plan = models.JSONField(
        default=dict, help_text="Folds, days between cut-offs, horizon, minimum history."
    )
    metrics = models.JSONField(default=list)
    calibration_png = models.BinaryField()
    lift_png = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["scorecard_version", "model_version", "-created_at"],
                name="backtest_version_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Backtest of {self.as_of} ({self.scorecard_version}, {self.model_version})"
