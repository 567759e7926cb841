"""Account plans (objectives, goals, actions) and the log of wins and issues."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from tenure.accounts.models import Account
from tenure.core.models import TimeStampedModel
from tenure.planning.choices import (
    ActionStatus,
    Horizon,
    MilestoneKind,
    ObjectiveKind,
    PlanStatus,
    ReviewStatus,
    Severity,
)


class AccountPlan(TimeStampedModel):
    """What we mean to achieve with an account over a quarter or over 2–3 years."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=200)
    horizon = models.CharField(max_length=5, choices=Horizon.choices, default=Horizon.SHORT)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=6, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    outcome = models.TextField(blank=True, help_text="How the plan ended, written when closing.")
    closed_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="plan_ends_after_start",
                violation_error_message="a plan must end after it starts",
            ),
            models.CheckConstraint(
                condition=(Q(status=PlanStatus.CLOSED) & Q(closed_on__isnull=False))
                | (Q(status=PlanStatus.ACTIVE) & Q(closed_on__isnull=True)),
                name="plan_closed_on_iff_closed",
                violation_error_message="a closed plan has a closing date, an active one has none",
            ),
            models.CheckConstraint(
                condition=Q(horizon__in=Horizon.values),
                name="plan_horizon_valid",
                violation_error_message="the horizon must be short or long",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.account})"


class Objective(TimeStampedModel):
    """A direction of a plan: protect what we have, or develop the account."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    kind = models.CharField(max_length=7, choices=ObjectiveKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ObjectiveKind.values),
                name="objective_kind_valid",
                violation_error_message="an objective is protect or develop",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Goal(TimeStampedModel):
    """A measurable goal: a KPI moving from a baseline to a target by a due date."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="goals")
    kpi = models.CharField("KPI", max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=2)
    target = models.DecimalField(max_digits=16, decimal_places=2)
    current = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=F("baseline")),
                name="goal_target_differs_from_baseline",
                violation_error_message="the target must differ from the baseline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.baseline} → {self.target}"

    @property
    def progress(self) -> float | None:
        """Share of the way from baseline to target reached (0–1, may exceed 1)."""
        if self.current is None:
            return None
        return float((self.current - self.baseline) / (self.target - self.baseline))


class Action(TimeStampedModel):
    """A step somebody takes by a date to move a plan forward."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_actions"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=9, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.OPEN) & Q(completed_on__isnull=True))
                | (~Q(status=ActionStatus.OPEN) & Q(completed_on__isnull=False)),
                name="action_completed_on_iff_finished",
                violation_error_message="a finished action has a completion date, an open one none",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values),
                name="action_status_valid",
                violation_error_message="unknown action status",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="action_owner_due_idx")]

    def __str__(self) -> str:
        return self.title


class MilestoneQuerySet(models.QuerySet["Milestone"]):
    def issues(self) -> MilestoneQuerySet:
        """Every milestone that is not a win: defects, late deliveries, escalations…"""
        return self.exclude(kind=MilestoneKind.SUCCESS)

    def open_issues(self) -> MilestoneQuerySet:
        """Issues not resolved yet: the one definition of an "open issue" everywhere."""
        return self.issues().filter(resolved_on__isnull=True)


class Milestone(TimeStampedModel):
    """A logged win or issue: a success story, a defect, a late delivery, an escalation."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=13, choices=MilestoneKind.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("occurred_on")),
                name="milestone_resolved_after_occurred",
                violation_error_message="an issue cannot be resolved before it occurred",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MilestoneKind.values),
                name="milestone_kind_valid",
                violation_error_message="unknown milestone kind",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values),
                name="milestone_severity_valid",
                violation_error_message="unknown severity",
            ),
        ]
        indexes = [models.Index(fields=["account", "resolved_on"], name="milestone_open_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_win(self) -> bool:
        return self.kind == MilestoneKind.SUCCESS

    @property
    def is_open(self) -> bool:
        return not self.is_win and self.resolved_on is None


class Review(TimeStampedModel):
    """A quarterly performance review of an account: goals against results, and the verdict.

    ``snapshot`` freezes the figures the review was prefilled with (goals, revenue, health,
    risk, NPS, interactions, wins and issues) when it was started, so that later edits to
    goals or a new scoring run do not rewrite a past review. The manager's own words live in
    ``achievements``, ``improvements`` and ``next_focus``; a final review changes no more.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField(
        max_length=5, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    snapshot = models.JSONField(
        default=dict, help_text="The prefilled figures, frozen when the review was started."
    )
    achievements = models.TextField(blank=True)
    improvements = models.TextField("improvement areas", blank=True)
    next_focus = models.TextField("focus for the next quarter", blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "year", "quarter"],
                name="review_one_per_account_quarter",
                violation_error_message="this account already has a review for this quarter",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values),
                name="review_status_valid",
                violation_error_message="a review is a draft or final",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="review_quarter_1_to_4",
                violation_error_message="a quarter is 1, 2, 3 or 4",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="review_period_ends_after_start",
                violation_error_message="a review period must end after it starts",
            ),
            models.CheckConstraint(
                condition=(Q(status=ReviewStatus.FINAL) & Q(finalised_at__isnull=False))
                | (Q(status=ReviewStatus.DRAFT) & Q(finalised_at__isnull=True)),
                name="review_finalised_at_iff_final",
                violation_error_message="a final review has a finalising time, a draft none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_label} review of {self.account}"

    @staticmethod
    def bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
        """The first and last day of a calendar quarter."""
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        return (
            dt.date(year, first_month, 1),
            dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
        )

    def clean(self) -> None:
        # The period is derived from year and quarter; a mismatch would file the figures
        # of one quarter under another's name.
        if (
            1 <= (self.quarter or 0) <= 4
            and self.year
            and ((self.period_start, self.period_end) != self.bounds(self.year, self.quarter))
        ):
            raise ValidationError(
                {"period_start": f"the period of {self.period_label} is its calendar quarter"}
            )

    @property
    def period_label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def is_final(self) -> bool:
        return self.status == ReviewStatus.FINAL


# Onboarding checklists and plan templates live in their own modules; imported here so
# Django finds them as models of this app.
from tenure.planning.onboarding_models import (  # noqa: E402
    Onboarding,
    OnboardingStep,
    OnboardingStepTemplate,
)
from tenure.planning.plan_template_models import (  # noqa: E402
    PlanTemplate,
    PlanTemplateAction,
    PlanTemplateGoal,
    PlanTemplateObjective,
)

__all__ = [
    "AccountPlan",
    "Action",
    "Goal",
    "Milestone",
    "MilestoneQuerySet",
    "Objective",
    "Onboarding",
    "OnboardingStep",
    "OnboardingStepTemplate",
    "PlanTemplate",
    "PlanTemplateAction",
    "PlanTemplateGoal",
    "PlanTemplateObjective",
    "Review",
]
