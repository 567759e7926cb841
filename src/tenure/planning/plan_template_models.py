"""Plan templates: objectives, goals and actions a new plan can start from.

Due dates are kept as days from the day the plan is created, so a template written once
serves any plan: "review the service levels within 14 days" becomes a date when applied.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from tenure.core.models import TimeStampedModel
from tenure.planning.choices import Horizon, ObjectiveKind, PlanSituation

#: Template items are due within three years and a month (the longest plan).
MAX_TEMPLATE_DAYS = 3 * 366 + 31


class PlanTemplate(TimeStampedModel):
    """A ready-made plan for a common situation (protect, develop, recover)."""

    name = models.CharField(max_length=200, unique=True)
    situation = models.CharField(max_length=7, choices=PlanSituation.choices)
    horizon = models.CharField(max_length=5, choices=Horizon.choices, default=Horizon.SHORT)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["situation", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(situation__in=PlanSituation.values),
                name="plan_template_situation_valid",
                violation_error_message="a template is for protect, develop or recover",
            ),
            models.CheckConstraint(
                condition=Q(horizon__in=Horizon.values),
                name="plan_template_horizon_valid",
                violation_error_message="the horizon must be short or long",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanTemplateObjective(TimeStampedModel):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="objectives")
    kind = models.CharField(max_length=7, choices=ObjectiveKind.choices)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["template_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ObjectiveKind.values),
                name="plan_template_objective_kind_valid",
                violation_error_message="an objective is protect or develop",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlanTemplateGoal(TimeStampedModel):
    objective = models.ForeignKey(
        PlanTemplateObjective, on_delete=models.CASCADE, related_name="goals"
    )
    kpi = models.CharField("KPI", max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=2)
    target = models.DecimalField(max_digits=16, decimal_places=2)
    due_days = models.PositiveSmallIntegerField("due (days after the plan is created)")

    class Meta:
        ordering = ["objective_id", "due_days", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=F("baseline")),
                name="plan_template_goal_target_differs",
                violation_error_message="the target must differ from the baseline",
            ),
            models.CheckConstraint(
                condition=Q(due_days__lte=MAX_TEMPLATE_DAYS),
                name="plan_template_goal_due_in_range",
                violation_error_message=f"a goal is due within {MAX_TEMPLATE_DAYS} days",
            ),
        ]

    def __str__(self) -> str:
        return self.kpi


class PlanTemplateAction(TimeStampedModel):
    objective = models.ForeignKey(
        PlanTemplateObjective, on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(max_length=200)
    due_days = models.PositiveSmallIntegerField("due (days after the plan is created)")

    class Meta:
        ordering = ["objective_id", "due_days", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_days__lte=MAX_TEMPLATE_DAYS),
                name="plan_template_action_due_in_range",
                violation_error_message=f"an action is due within {MAX_TEMPLATE_DAYS} days",
            )
        ]

    def __str__(self) -> str:
        return self.title
