"""Account plans (objectives, goals, actions) and the wins-and-issues log (milestones).

Writes go through ``tenure.planning.services``; each checks the plan's account.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tenure.api.errors import READ_ERRORS, WRITE_ERRORS
from tenure.api.guards import account_for, caller, object_for, user_for
from tenure.api.pagination import PageNumber
from tenure.api.schemas import Amount, Choice, Day, Id, InputSchema, LongText, Text
from tenure.core.errors import NotFound
from tenure.planning import services
from tenure.planning.choices import Horizon, MilestoneKind, ObjectiveKind, Severity
from tenure.planning.models import AccountPlan, Action, Goal, Milestone, Objective
from tenure.planning.selectors import account_milestones, account_plans, plan_detail

router = Router(tags=["planning"])


class PlanOut(Schema):
    id: int
    account_id: int
    title: str
    horizon: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    outcome: str
    closed_on: dt.date | None
    owner_id: int | None
    created_at: dt.datetime


class GoalOut(Schema):
    id: int
    objective_id: int
    kpi: str
    unit: str
    baseline: Decimal
    target: Decimal
    current: Decimal | None
    due_on: dt.date
    progress: float | None = Field(description="Share of the way from baseline to target.")


class ObjectiveOut(Schema):
    id: int
    plan_id: int
    kind: str
    title: str
    description: str
    goals: list[GoalOut]


class ActionOut(Schema):
    id: int
    plan_id: int
    goal_id: int | None
    title: str
    owner_id: int
    due_on: dt.date
    status: str
    completed_on: dt.date | None


class PlanDetailOut(PlanOut):
    objectives: list[ObjectiveOut]
    actions: list[ActionOut]


class PlanIn(InputSchema):
    title: Annotated[str, Text(200, min_length=1)]
    horizon: Annotated[str, Choice(Horizon)] = Horizon.SHORT.value
    starts_on: Day
    ends_on: Day
    owner_id: Id | None = Field(None, description="Defaults to the caller.")


class PlanCloseIn(InputSchema):
    outcome: Annotated[str, Text(10_000, min_length=1)]
    closed_on: Day


class ObjectiveIn(InputSchema):
    kind: Annotated[str, Choice(ObjectiveKind)]
    title: Annotated[str, Text(200, min_length=1)]
    description: LongText = ""


class GoalIn(InputSchema):
    kpi: Annotated[str, Text(200, min_length=1)]
    baseline: Amount
    target: Amount
    due_on: Day
    unit: Annotated[str, Text(30)] = ""


class GoalProgressIn(InputSchema):
    current: Amount


class ActionIn(InputSchema):
    title: Annotated[str, Text(200, min_length=1)]
    owner_id: Id | None = Field(None, description="Defaults to the caller.")
    due_on: Day
    goal_id: Id | None = None


class ActionFinishIn(InputSchema):
    status: Literal["done", "cancelled"]
    on: Day


class MilestoneOut(Schema):
    id: int
    account_id: int
    kind: str
    severity: str
    title: str
    description: str
    occurred_on: dt.date
    resolved_on: dt.date | None
    logged_by_id: int | None
    is_open: bool


class MilestoneIn(InputSchema):
    kind: Annotated[str, Choice(MilestoneKind)]
    title: Annotated[str, Text(200, min_length=1)]
    occurred_on: Day
    severity: Annotated[str, Choice(Severity)] = Severity.MEDIUM.value
    description: LongText = ""
    resolved_on: Day | None = None


class MilestoneResolveIn(InputSchema):
    resolved_on: Day


class MilestoneFilters(Schema):
    open: bool = Field(False, description="true: unresolved issues only.")


def _plan(request: HttpRequest, pk: int, *, write: bool = False) -> AccountPlan:
    return object_for(
        request, plan_detail(), pk, account_of=lambda p: p.account, label="plan", write=write
    )


def _objective(request: HttpRequest, pk: int) -> Objective:
    return object_for(
        request,
        Objective.objects.select_related("plan__account"),
        pk,
        account_of=lambda o: o.plan.account,
        label="objective",
        write=True,
    )


def _goal(request: HttpRequest, pk: int) -> Goal:
    return object_for(
        request,
        Goal.objects.select_related("objective__plan__account"),
        pk,
        account_of=lambda g: g.objective.plan.account,
        label="goal",
        write=True,
    )


def _milestone(request: HttpRequest, pk: int, *, write: bool = False) -> Milestone:
    return object_for(
        request,
        Milestone.objects.select_related("account"),
        pk,
        account_of=lambda m: m.account,
        label="milestone",
        write=write,
    )


def _owner(request: HttpRequest, owner_id: int | None) -> Any:
    return user_for(owner_id, field="owner_id") if owner_id is not None else caller(request)


@router.get("/accounts/{account_id}/plans", response={200: list[PlanOut], **READ_ERRORS})
@paginate(PageNumber)
def plan_index(request: HttpRequest, account_id: Id) -> Any:
    """The account's plans, newest first."""
    return account_plans(account=account_for(request, account_id))


@router.post("/accounts/{account_id}/plans", response={201: PlanDetailOut, **WRITE_ERRORS})
def plan_create(request: HttpRequest, account_id: Id, payload: PlanIn) -> Any:
    """Start a plan over a quarter (short) or two to three years (long)."""
    account = account_for(request, account_id, write=True)
    plan = services.plan_create(
        account=account,
        title=payload.title,
        horizon=payload.horizon,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        owner=_owner(request, payload.owner_id),
    )
    return Status(201, plan_detail().get(pk=plan.pk))


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **READ_ERRORS})
def plan_get(request: HttpRequest, plan_id: Id) -> Any:
    """One plan with its objectives, goals and actions."""
    return _plan(request, plan_id)


@router.post("/plans/{plan_id}/close", response={200: PlanDetailOut, **WRITE_ERRORS})
def plan_close(request: HttpRequest, plan_id: Id, payload: PlanCloseIn) -> Any:
    """Close the plan with its outcome; open actions are cancelled."""
    plan = _plan(request, plan_id, write=True)
    services.plan_close(plan=plan, outcome=payload.outcome, closed_on=payload.closed_on)
    return plan_detail().get(pk=plan_id)


@router.post("/plans/{plan_id}/objectives", response={201: ObjectiveOut, **WRITE_ERRORS})
def objective_add(request: HttpRequest, plan_id: Id, payload: ObjectiveIn) -> Any:
    """Add an objective (protect or develop) to an active plan."""
    plan = _plan(request, plan_id, write=True)
    objective = services.objective_add(plan=plan, **payload.model_dump())
    return Status(201, Objective.objects.prefetch_related("goals").get(pk=objective.pk))


@router.post("/objectives/{objective_id}/goals", response={201: GoalOut, **WRITE_ERRORS})
def goal_add(request: HttpRequest, objective_id: Id, payload: GoalIn) -> Any:
    """Add a measurable goal, due within the plan's span."""
    objective = _objective(request, objective_id)
    goal = services.goal_add(objective=objective, **payload.model_dump())
    return Status(201, Goal.objects.get(pk=goal.pk))  # amounts as stored: "95.50"


@router.post("/goals/{goal_id}/progress", response={200: GoalOut, **WRITE_ERRORS})
def goal_progress(request: HttpRequest, goal_id: Id, payload: GoalProgressIn) -> Any:
    """Record the KPI's latest value."""
    goal = services.goal_record_progress(goal=_goal(request, goal_id), current=payload.current)
    return Goal.objects.get(pk=goal.pk)


@router.post("/plans/{plan_id}/actions", response={201: ActionOut, **WRITE_ERRORS})
def action_add(request: HttpRequest, plan_id: Id, payload: ActionIn) -> Any:
    """Add an action with an owner and a due date."""
    plan = _plan(request, plan_id, write=True)
    goal = None
    if payload.goal_id is not None:
        goal = Goal.objects.select_related("objective").filter(pk=payload.goal_id).first()
        if goal is None or goal.objective.plan_id != plan.pk:
            raise NotFound(f"goal {payload.goal_id} is not part of this plan", field="goal_id")
    action = services.action_add(
        plan=plan,
        title=payload.title,
        owner=_owner(request, payload.owner_id),
        due_on=payload.due_on,
        goal=goal,
    )
    return Status(201, action)


@router.post("/actions/{action_id}/finish", response={200: ActionOut, **WRITE_ERRORS})
def action_finish(request: HttpRequest, action_id: Id, payload: ActionFinishIn) -> Any:
    """Mark an open action done or cancelled."""
    action = object_for(
        request,
        Action.objects.select_related("plan__account"),
        action_id,
        account_of=lambda a: a.plan.account,
        label="action",
        write=True,
    )
    return services.action_finish(action=action, status=payload.status, on=payload.on)


@router.get("/accounts/{account_id}/milestones", response={200: list[MilestoneOut], **READ_ERRORS})
@paginate(PageNumber)
def milestone_index(request: HttpRequest, account_id: Id, filters: Query[MilestoneFilters]) -> Any:
    """The account's wins and issues, newest first."""
    return account_milestones(account=account_for(request, account_id), open_only=filters.open)


@router.get("/milestones/{milestone_id}", response={200: MilestoneOut, **READ_ERRORS})
def milestone_get(request: HttpRequest, milestone_id: Id) -> Any:
    """One win or issue."""
    return _milestone(request, milestone_id)


@router.post("/accounts/{account_id}/milestones", response={201: MilestoneOut, **WRITE_ERRORS})
def milestone_create(request: HttpRequest, account_id: Id, payload: MilestoneIn) -> Any:
    """Log a win or an issue; the caller is recorded as the one who logged it."""
    account = account_for(request, account_id, write=True)
    milestone = services.milestone_log(
        account=account, logged_by=caller(request), **payload.model_dump()
    )
    return Status(201, milestone)


@router.post("/milestones/{milestone_id}/resolve", response={200: MilestoneOut, **WRITE_ERRORS})
def milestone_resolve(request: HttpRequest, milestone_id: Id, payload: MilestoneResolveIn) -> Any:
    """Mark an issue resolved."""
    milestone = _milestone(request, milestone_id, write=True)
    return services.milestone_resolve(milestone=milestone, resolved_on=payload.resolved_on)
