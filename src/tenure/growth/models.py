"""Share-of-wallet estimates and growth opportunities, written by the scoring run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenure.accounts.models import Account
from tenure.core.figures import money
from tenure.core.models import TimeStampedModel
from tenure.core.numbers import DERIVED_MONEY
from tenure.growth.choices import OpportunityStatus

MONEY = DERIVED_MONEY


class GrowthSettings(TimeStampedModel):
    """When to suggest: confidence, evidence, and when the relationship comes first.

    The newest row is in force; older rows stay as the record of past settings.
    """

    min_confidence = models.FloatField(
        default=0.35, help_text="Lower 95 % bound of the share of peers buying (0–1)."
    )
    min_peers = models.PositiveIntegerField(default=5)
    min_lift = models.FloatField(default=1.0, help_text="Peers buy it at least this much more.")
    decline_cooldown_days = models.PositiveIntegerField(
        default=365, help_text="A declined suggestion is not made again for this long."
    )
    repair_below_health = models.FloatField(
        default=40.0, help_text="No suggestions while health is below this."
    )
    repair_above_risk = models.FloatField(
        default=0.5, help_text="No suggestions while churn risk is above this."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "growth settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_confidence__gte=0, min_confidence__lte=1)
                & Q(repair_above_risk__gte=0, repair_above_risk__lte=1),
                name="growth_settings_shares_in_range",
                violation_error_message="confidence and risk thresholds lie between 0 and 1",
            )
        ]

    def __str__(self) -> str:
        return f"Growth settings of {self.created_at:%Y-%m-%d}"


class WalletEstimate(models.Model):
    """An account's potential annual spend estimated from its peers, as of a scoring run.

    Potential (and each end of its interval) is never below the trailing revenue, so every
    share lies in [0, 1]: the database refuses anything else. ``above_peers`` marks an
    account that buys at or beyond its peers' upper range (potential = what it buys).
    A manager's own figure lives on the account (``potential_annual_spend`` with its source
    and date); pages show both, so one can check the other.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="wallet")
    as_of = models.DateField()
    revenue_t12m = models.DecimalField(**MONEY, default=0)
    potential_low = models.DecimalField(**MONEY, null=True)
    potential = models.DecimalField(**MONEY, null=True)
    potential_high = models.DecimalField(**MONEY, null=True)
    share_of_wallet = models.FloatField(null=True)
    share_low = models.FloatField(null=True)
    share_high = models.FloatField(null=True)
    n_peers = models.PositiveIntegerField(default=0)
    peer_label = models.CharField(max_length=200, blank=True)
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why there is no estimate, when there is none."
    )
    above_peers = models.BooleanField(
        default=False, help_text="Buys at or above its peers' upper range: potential = revenue."
    )
    categories = models.JSONField(
        default=dict, help_text="Trailing-12-month spend per product category bought."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "as_of"],
                name="wallet_one_per_account_and_date",
                violation_error_message="this account already has an estimate for this date",
            ),
            models.CheckConstraint(
                condition=Q(potential__isnull=True)
                | (
                    Q(potential_low__lte=models.F("potential"))
                    & Q(potential__lte=models.F("potential_high"))
                ),
                name="wallet_interval_ordered",
                violation_error_message="the interval must contain the estimate",
            ),
            models.CheckConstraint(
                condition=Q(potential__isnull=True)
                | Q(potential_low__gte=models.F("revenue_t12m")),
                name="wallet_potential_not_below_revenue",
                violation_error_message="potential spend cannot be below what the account buys",
            ),
            models.CheckConstraint(
                condition=Q(share_of_wallet__isnull=True)
                | Q(
                    share_low__gte=0,
                    share_low__lte=models.F("share_of_wallet"),
                    share_of_wallet__lte=models.F("share_high"),
                    share_high__lte=1,
                ),
                name="wallet_share_within_0_1",
                violation_error_message="a share of wallet lies between 0 and 100 %",
            ),
        ]

    def __str__(self) -> str:
        return f"Wallet of {self.account} as of {self.as_of}"


class Opportunity(TimeStampedModel):
    """A product category to offer an account, with the evidence for it and what came of it.

    One row per account and category: the scoring run refreshes the evidence of suggested
    ones; once planned, offered, accepted or declined, the outcome is kept.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    category = models.CharField(max_length=200)
    as_of = models.DateField(help_text="Date of the evidence.")
    rank = models.PositiveIntegerField()
    confidence = models.FloatField()
    peers = models.PositiveIntegerField()
    peers_buying = models.PositiveIntegerField()
    peer_median_spend = models.DecimalField(**MONEY, null=True)
    currency = models.CharField(
        max_length=3, blank=True, help_text="The reporting currency of the peer spend."
    )
    lift = models.FloatField(null=True)
    peer_label = models.CharField(max_length=200, blank=True)
    shown = models.BooleanField(default=False, help_text="Strong enough to suggest.")
    held_back = models.CharField(
        max_length=200, blank=True, help_text="Why it is not suggested although strong enough."
    )
    status = models.CharField(
        max_length=9, choices=OpportunityStatus.choices, default=OpportunityStatus.SUGGESTED
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "planning.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["account_id", "rank"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "category"],
                name="opportunity_one_per_account_category",
                violation_error_message="this category is already an opportunity for the account",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1),
                name="opportunity_confidence_0_1",
                violation_error_message="confidence lies between 0 and 1",
            ),
            models.CheckConstraint(
                condition=Q(peers_buying__lte=models.F("peers")),
                name="opportunity_buyers_within_peers",
                violation_error_message="more peers buying than peers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} for {self.account}"

    @property
    def evidence(self) -> str:
        """The suggestion's basis in one sentence."""
        lift = f", {self.lift:.1f}× the portfolio's rate" if self.lift else ""
        spend = (
            f"; they typically spend {money(self.peer_median_spend, self.currency)} a year on it"
            if self.peer_median_spend
            else ""
        )
        return f"{self.peers_buying} of {self.peers} {self.peer_label} buy it{lift}{spend}"
