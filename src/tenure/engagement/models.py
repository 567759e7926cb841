"""Interactions (what happened with an account) and touchpoints (what is planned)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenure.accounts.models import Account, Contact
from tenure.core.models import TimeStampedModel
from tenure.engagement.choices import (
    InteractionKind,
    Sentiment,
    TouchpointKind,
    TouchpointStatus,
)


class Interaction(TimeStampedModel):
    """Something that happened with an account: a meeting, a call, an email, a review.

    Strategic interactions (plans, reviews, relationship) are kept apart from
    transactional ones (order chasing): a relationship made only of the latter is at risk.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="interactions")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    is_strategic = models.BooleanField("strategic", default=False)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="interactions")
    team_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="interactions"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField()
    outcome = models.TextField(blank=True)
    next_step = models.CharField(max_length=300, blank=True)
    next_step_due = models.DateField(null=True, blank=True)
    sentiment = models.SmallIntegerField(choices=Sentiment.choices, default=Sentiment.NEUTRAL)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_step_due__isnull=True) | ~Q(next_step=""),
                name="interaction_due_needs_next_step",
                violation_error_message="a due date needs a next step",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InteractionKind.values),
                name="interaction_kind_valid",
                violation_error_message="unknown interaction type",
            ),
            models.CheckConstraint(
                condition=Q(sentiment__gte=-1, sentiment__lte=1),
                name="interaction_sentiment_valid",
                violation_error_message="sentiment must be -1, 0 or 1",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="interaction_account_time_idx"),
            models.Index(
                fields=["account", "-occurred_at"],
                condition=Q(is_strategic=True),
                name="interaction_strategic_idx",
            ),
            # Each manager's recent contacts (the director's home, the portfolio): a range
            # of the logger's entries, counted from the index alone.
            models.Index(fields=["logged_by", "occurred_at"], name="interaction_logger_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.account} on {self.occurred_at:%Y-%m-%d}"


class Touchpoint(TimeStampedModel):
    """A planned contact: a meeting, a review, a birthday, a seasonal preparation call."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="touchpoints")
    scheduled_on = models.DateField()
    kind = models.CharField(max_length=12, choices=TouchpointKind.choices)
    title = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="touchpoints",
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="touchpoints"
    )
    status = models.CharField(
        max_length=8, choices=TouchpointStatus.choices, default=TouchpointStatus.PLANNED
    )
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fulfilled_touchpoints",
        help_text="The interaction that fulfilled this touchpoint.",
    )
    skip_reason = models.CharField(
        max_length=300, blank=True, help_text="Why a skipped touchpoint did not take place."
    )

    class Meta:
        ordering = ["scheduled_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interaction__isnull=True) | Q(status=TouchpointStatus.DONE),
                name="touchpoint_interaction_only_when_done",
                violation_error_message="only a done touchpoint links to an interaction",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TouchpointStatus.values),
                name="touchpoint_status_valid",
                violation_error_message="unknown touchpoint status",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TouchpointKind.values),
                name="touchpoint_kind_valid",
                violation_error_message="unknown touchpoint kind",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "status", "scheduled_on"], name="touchpoint_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.account} on {self.scheduled_on}"


class WeeklyFocus(TimeStampedModel):
    """The one key account a manager gives extra attention to in a given week.

    Chosen by priority and rotated, so over a cycle no key account goes unvisited.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_focus"
    )
    week_start = models.DateField(help_text="The Monday of the week.")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week_start"],
                name="focus_one_per_user_and_week",
                violation_error_message="this manager already has a focus account this week",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} focuses on {self.account} in the week of {self.week_start}"


class CadenceSegment(models.TextChoices):
    """Which accounts a cadence policy is the default for."""

    KEY = "key", "Key accounts"
    A = "A", "Tier A"
    B = "B", "Tier B"
    C = "C", "Tier C"
    OTHER = "other", "Accounts without a tier"


class CadencePolicy(TimeStampedModel):
    """How often an account should hear from us, and how often is too often.

    One row per segment (key accounts, tiers A/B/C, untiered accounts) holds the default;
    a row with ``account`` set overrides it for that account, whole. Blank limits mean
    "no limit". The person budget (``max_contacts_per_person``) counts every channel:
    interactions, planned touchpoints and what other apps register (survey invitations).
    """

    segment = models.CharField(
        max_length=5, choices=CadenceSegment.choices, blank=True, help_text="Blank for an override."
    )
    account = models.OneToOneField(
        Account,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cadence_policy",
        help_text="The account this policy overrides its segment's policy for.",
    )
    contact_every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At least one contact every this many days."
    )
    strategic_every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At least one strategic contact every this many days."
    )
    period_days = models.PositiveSmallIntegerField(
        default=30, help_text="The period the maximum contacts are counted over."
    )
    max_contacts = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At most this many contacts with the account per period."
    )
    max_contacts_per_person = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="At most this many contacts with one person per period, all channels counted.",
    )
    min_strategic_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Share of contacts that must be strategic, in per cent."
    )
    share_window_days = models.PositiveSmallIntegerField(
        default=180, help_text="The look-back over which the strategic share is measured."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why this account differs.")

    class Meta:
        ordering = ["segment", "account_id"]
        verbose_name_plural = "cadence policies"
        constraints = [
            models.CheckConstraint(
                condition=(Q(segment="") & Q(account__isnull=False))
                | (~Q(segment="") & Q(account__isnull=True)),
                name="cadence_segment_or_account",
                violation_error_message="a cadence policy is for a segment or for one account",
            ),
            models.UniqueConstraint(
                fields=["segment"],
                condition=~Q(segment=""),
                name="cadence_one_per_segment",
                violation_error_message="this segment already has a cadence policy",
            ),
            models.CheckConstraint(
                condition=Q(segment__in=[*CadenceSegment.values, ""]),
                name="cadence_segment_valid",
                violation_error_message="unknown segment",
            ),
            models.CheckConstraint(
                condition=Q(min_strategic_percent__lte=100),
                name="cadence_percent_0_to_100",
                violation_error_message="the strategic share is a percentage from 0 to 100",
            ),
            models.CheckConstraint(
                condition=Q(period_days__gte=1) & Q(share_window_days__gte=1),
                name="cadence_periods_positive",
                violation_error_message="periods are at least one day long",
            ),
            models.CheckConstraint(
                condition=(Q(contact_every_days__isnull=True) | Q(contact_every_days__gte=1))
                & (Q(strategic_every_days__isnull=True) | Q(strategic_every_days__gte=1)),
                name="cadence_rhythm_positive",
                violation_error_message="a contact rhythm is at least one day",
            ),
        ]

    def __str__(self) -> str:
        if self.account_id is not None:
            return f"Cadence for {self.account}"
        return f"Cadence for {self.get_segment_display().lower()}"


class CalendarFeedToken(TimeStampedModel):
    """The secret behind a manager's iCalendar feed URL, stored only as its SHA-256.

    The raw token is shown once, when it is made; replacing it cuts off every calendar
    subscribed with the old URL.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class SeasonalPreparation(TimeStampedModel):
    """The record that one peak of one account has had its preparation touchpoint planned.

    Keyed by the peak (its first day), not by the touchpoint's date: re-runs, a changed
    lead time or a rescheduled touchpoint never plan a second one for the same peak, and
    deleting the touchpoint (``touchpoint`` becomes null) means "not for this peak".
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="seasonal_preparations"
    )
    peak_starts_on = models.DateField(help_text="The first day of the peak's first month.")
    peak_label = models.CharField(max_length=40, help_text='E.g. "August–October".')
    touchpoint = models.OneToOneField(
        Touchpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seasonal_preparation",
    )

    class Meta:
        ordering = ["account_id", "peak_starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "peak_starts_on"],
                name="seasonal_one_per_account_and_peak",
                violation_error_message="this peak already has a preparation touchpoint",
            )
        ]

    def __str__(self) -> str:
        return (
            f"Preparation of {self.account} for the {self.peak_label} peak {self.peak_starts_on:%Y}"
        )
