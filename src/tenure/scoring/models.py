"""Scoring runs and what they leave behind: per-account snapshots the pages read.

The ledger is never read by a page: the scoring run condenses it into these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenure.accounts.models import Account
from tenure.core.models import TimeStampedModel
from tenure.core.numbers import DERIVED_MONEY
from tenure.core.scorecards import VersionedScorecard
from tenure.scoring.choices import (
    DecisionOutcome,
    KeyListAction,
    QualitativeCriterion,
    RunStatus,
)
from tenure.scoring.freshness import LedgerFreshness

MONEY = DERIVED_MONEY


class ScoringRun(TimeStampedModel):
    """One execution of ``tenure score`` for an as-of date."""

    as_of = models.DateField()
    ledger_through = models.DateField(
        null=True,
        blank=True,
        help_text="The ledger's last order day on or before as_of: ledger measures count to it.",
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="The reporting currency every money figure of the run is in ('' before 2026-12).",
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_scored = models.PositiveIntegerField(default=0)
    unmatched_keys = models.PositiveIntegerField(
        default=0, help_text="Ledger account keys with no CRM account."
    )
    parameters = models.JSONField(default=dict, blank=True)
    clv_fit = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "The CLV transaction model in use: model, parameters, standard errors, whether "
            "the fit is identified and why not, and what else was tried."
        ),
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-as_of", "-created_at"]
        indexes = [models.Index(fields=["status", "-as_of"], name="run_status_asof_idx")]

    def __str__(self) -> str:
        return f"Scoring run for {self.as_of} ({self.status})"

    @property
    def freshness(self) -> LedgerFreshness:
        """How far the ledger behind this run goes ("orders up to 30 Nov 2026")."""
        return LedgerFreshness(as_of=self.as_of, through=self.ledger_through)


class QualificationScorecard(VersionedScorecard):
    """A version of the qualification scorecard: criteria and weights as JSON."""

    class Meta(VersionedScorecard.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="scorecard_one_active",
                violation_error_message="only one scorecard version can be active",
            )
        ]

    def __str__(self) -> str:
        return f"Qualification scorecard {self.version}"


class QualificationRating(TimeStampedModel):
    """A person's 1–5 rating of an account on a qualitative criterion."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.CharField(max_length=20, choices=QualitativeCriterion.choices)
    score = models.PositiveSmallIntegerField()
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["account_id", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "criterion"],
                name="rating_one_per_criterion",
                violation_error_message="this account already has a rating for this criterion",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="rating_score_1_to_5",
                violation_error_message="a rating is between 1 and 5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_criterion_display()} {self.score}/5"


class AccountSnapshot(models.Model):
    """An account's figures as of one date, written by a scoring run."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="snapshots")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField()
    first_order_date = models.DateField(null=True)
    last_order_date = models.DateField(null=True)
    orders = models.PositiveIntegerField(default=0)
    revenue_total = models.DecimalField(**MONEY, default=0)
    revenue_t12m = models.DecimalField("revenue, trailing 12 months", **MONEY, default=0)
    revenue_prev12m = models.DecimalField("revenue, 12 months before", **MONEY, default=0)
    growth = models.FloatField(null=True, help_text="Trailing 12 months over the 12 before, − 1.")
    product_breadth = models.PositiveIntegerField(default=0)
    avg_order_value = models.DecimalField(**MONEY, null=True)
    median_interval_days = models.FloatField(null=True)
    returns_share = models.FloatField(null=True)
    days_since_last_order = models.IntegerField(null=True)
    tier = models.CharField(max_length=1, blank=True)
    revenue_rank = models.PositiveIntegerField(null=True)
    revenue_share = models.FloatField(null=True)
    cumulative_share = models.FloatField(null=True)
    qualification_score = models.FloatField(null=True)
    qualification_coverage = models.FloatField(null=True)
    qualification_contributions = models.JSONField(default=dict)
    qualification_version = models.CharField(max_length=40, blank=True)
    keylist_action = models.CharField(max_length=8, choices=KeyListAction.choices, blank=True)
    keylist_reasons = models.JSONField(default=list)
    keylist_over_cap = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "revenue_rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "as_of"],
                name="snapshot_one_per_account_and_date",
                violation_error_message="this account already has a snapshot for this date",
            )
        ]
        indexes = [
            # With the account: the key accounts counted per tier from the index alone.
            models.Index(fields=["as_of", "tier", "account"], name="snapshot_asof_tier_acct_idx"),
            # With the account: the open proposals counted from the index alone.
            models.Index(
                fields=["as_of", "keylist_action", "account"], name="snapshot_keylist_acct_idx"
            ),
            # The key-list queue's order, so its first page is read in order, not sorted.
            models.Index(
                fields=["as_of", "keylist_over_cap", "-keylist_action", "revenue_rank"],
                name="snapshot_keylist_queue_idx",
            ),
            # The scores API's order (rank, nulls last as PostgreSQL's index keeps them).
            models.Index(fields=["revenue_rank", "account", "as_of"], name="snapshot_rank_idx"),
            # Retention summed from the index alone (the rows are wide: 50,000 read 50 ms).
            models.Index(
                fields=["as_of", "revenue_prev12m", "revenue_t12m"],
                name="snapshot_retention_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} as of {self.as_of}"


class RevenueSeries(models.Model):
    """An account's monthly revenue, oldest month first, as the latest run computed it.

    One row per account (not per month): the account page draws it in one read, and a
    scoring run over 200,000 accounts writes 200,000 rows instead of seven million.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="revenue_series")
    as_of = models.DateField()
    first_month = models.DateField()
    values = models.JSONField(help_text="Revenue per month from first_month, as floats.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_id"]
        verbose_name_plural = "revenue series"

    def __str__(self) -> str:
        return f"Monthly revenue of {self.account}"


class PortfolioSnapshot(models.Model):
    """Portfolio-wide figures of one run: concentration, tier table, the Pareto curve."""

    run = models.OneToOneField(ScoringRun, on_delete=models.CASCADE, related_name="portfolio")
    as_of = models.DateField(unique=True)
    concentration = models.JSONField()
    tiers = models.JSONField(help_text="Per tier: accounts, revenue, share.")
    pareto = models.JSONField(help_text="Points (account share, revenue share) of the curve.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"Portfolio as of {self.as_of}"


class KeyListDecision(TimeStampedModel):
    """A person's explicit decision on a proposed key-account list change."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="keylist_decisions")
    action = models.CharField(max_length=8, choices=KeyListAction.choices)
    outcome = models.CharField(max_length=8, choices=DecisionOutcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="keylist_decisions"
    )
    reason = models.TextField()
    # An account not yet scored can still be decided on: no reasons, no snapshot date.
    evidence = models.JSONField(
        default=list, blank=True, help_text="The proposal's reasons when decided."
    )
    snapshot_as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="keylist_decision_has_reason",
                violation_error_message="say why",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.get_action_display()} {self.account}"


class ScoringSettings(TimeStampedModel):
    """Tier cut-offs and key-account list policy, edited by an administrator.

    One row is used: the newest. Older rows stay as the record of past settings.
    """

    a_share = models.FloatField(default=0.80, help_text="Cumulative revenue share of tier A.")
    b_share = models.FloatField(default=0.95, help_text="Cumulative revenue share of A and B.")
    max_key_accounts = models.PositiveIntegerField(default=30)
    max_additions_per_period = models.PositiveIntegerField(
        default=5, help_text="Promotions accepted per quarter."
    )
    promote_min_score = models.FloatField(default=75.0)
    promote_min_growth = models.FloatField(default=0.30)
    demote_below_score = models.FloatField(default=40.0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "scoring settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(a_share__gt=0) & Q(a_share__lt=models.F("b_share")) & Q(b_share__lte=1),
                name="settings_tier_cutoffs_ordered",
                violation_error_message="tier cut-offs must satisfy 0 < A < B ≤ 1",
            ),
            models.CheckConstraint(
                condition=Q(demote_below_score__lte=models.F("promote_min_score")),
                name="settings_no_flip_flop",
                violation_error_message="the demotion score must not exceed the promotion score",
            ),
        ]

    def __str__(self) -> str:
        return f"Scoring settings of {self.created_at:%Y-%m-%d}"
