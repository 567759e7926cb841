"""Plan templates: reads, the directors' edits, and creating a plan from a template.

A template's goals and actions are due a number of days after the day the plan is made
(``as_of``), so applying one turns "within 14 days" into a date inside the new plan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from tenure.accounts.models import Account
from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save
from tenure.planning import services
from tenure.planning.models import (
    AccountPlan,
    PlanTemplate,
    PlanTemplateAction,
    PlanTemplateGoal,
    PlanTemplateObjective,
)
from tenure.planning.onboarding_services import require_template_editor

TemplateItem = PlanTemplate | PlanTemplateObjective | PlanTemplateGoal | PlanTemplateAction


def plan_templates() -> QuerySet[PlanTemplate]:
    """Every template with its objectives, their goals and actions loaded (four queries)."""
    return PlanTemplate.objects.prefetch_related(
        Prefetch(
            "objectives",
            queryset=PlanTemplateObjective.objects.prefetch_related(
                Prefetch("goals", queryset=PlanTemplateGoal.objects.order_by("due_days", "id")),
                Prefetch("actions", queryset=PlanTemplateAction.objects.order_by("due_days", "id")),
            ).order_by("id"),
        )
    ).order_by("situation", "name")


def _within(day: dt.date, plan: AccountPlan) -> dt.date:
    return min(max(day, plan.starts_on), plan.ends_on)


@transaction.atomic
def plan_create_from_template(
    *,
    account: Account,
    template: PlanTemplate,
    title: str,
    horizon: str,
    starts_on: dt.date,
    ends_on: dt.date,
    owner: User,
    as_of: dt.date,
) -> AccountPlan:
    """Create a plan with the template's objectives, goals and actions.

    Goals and actions fall due their number of days after ``as_of``, kept within the
    plan's span (a date past the end moves to the last day); the actions are ``owner``'s.
    """
    plan = services.plan_create(
        account=account,
        title=title,
        horizon=horizon,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=owner,
    )
    template = plan_templates().get(pk=template.pk)
    for item in template.objectives.all():
        objective = services.objective_add(plan=plan, kind=item.kind, title=item.title)
        for goal in item.goals.all():
            services.goal_add(
                objective=objective,
                kpi=goal.kpi,
                unit=goal.unit,
                baseline=goal.baseline,
                target=goal.target,
                due_on=_within(as_of + dt.timedelta(days=goal.due_days), plan),
            )
        for action in item.actions.all():
            services.action_add(
                plan=plan,
                title=action.title,
                owner=owner,
                due_on=_within(as_of + dt.timedelta(days=action.due_days), plan),
            )
    return plan


@transaction.atomic
def plan_template_save(
    *,
    by: User,
    name: str,
    situation: str,
    horizon: str,
    description: str = "",
    template: PlanTemplate | None = None,
) -> PlanTemplate:
    """Create a template, or change the name, situation, horizon or description of one."""
    require_template_editor(by)
    template = template or PlanTemplate()
    template.name = name.strip()
    template.situation = situation
    template.horizon = horizon
    template.description = description.strip()
    validate_and_save(template)
    return template


@transaction.atomic
def plan_template_objective_add(
    *, template: PlanTemplate, kind: str, title: str, by: User
) -> PlanTemplateObjective:
    require_template_editor(by)
    objective = PlanTemplateObjective(template=template, kind=kind, title=title.strip())
    validate_and_save(objective)
    return objective


@transaction.atomic
def plan_template_goal_add(
    *,
    objective: PlanTemplateObjective,
    kpi: str,
    baseline: Decimal,
    target: Decimal,
    due_days: int,
    by: User,
    unit: str = "",
) -> PlanTemplateGoal:
    require_template_editor(by)
    goal = PlanTemplateGoal(
        objective=objective,
        kpi=kpi.strip(),
        unit=unit.strip(),
        baseline=baseline,
        target=target,
        due_days=due_days,
    )
    validate_and_save(goal)
    return goal


@transaction.atomic
def plan_template_action_add(
    *, objective: PlanTemplateObjective, title: str, due_days: int, by: User
) -> PlanTemplateAction:
    require_template_editor(by)
    action = PlanTemplateAction(objective=objective, title=title.strip(), due_days=due_days)
    validate_and_save(action)
    return action


@transaction.atomic
def plan_template_remove(*, item: TemplateItem, by: User) -> None:
    """Remove a template, or an objective (with its goals and actions), goal or action.

    Plans made from the template keep what they copied.
    """
    require_template_editor(by)
    if not isinstance(
        item, PlanTemplate | PlanTemplateObjective | PlanTemplateGoal | PlanTemplateAction
    ):
        raise DomainError("not a part of a plan template")
    item.delete()
