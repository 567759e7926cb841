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
