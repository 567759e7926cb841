"""Writes for account plans, objectives, goals, actions, milestones and quarterly reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.accounts.permissions import require_edit
from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save
from tenure.planning.choices import ActionStatus, Horizon, PlanStatus, ReviewStatus, Severity
from tenure.planning.models import AccountPlan, Action, Goal, Milestone, Objective, Review
from tenure.planning.reviews import QuarterFigures, quarter_bounds, quarter_label

# A short plan covers about a quarter, a long one two to three years.
HORIZON_DAYS = {Horizon.SHORT: (28, 120), Horizon.LONG: (365, 3 * 366 + 31)}


def _require_active(plan: AccountPlan) -> None:
    if plan.status != PlanStatus.ACTIVE:
        raise DomainError(f"the plan “{plan.title}” is closed", field="plan")


@transaction.atomic
def plan_create(
    *,
    account: Account,
    title: str,
    horizon: str,
    starts_on: dt.date,
    ends_on: dt.date,
    owner: User | None = None,
) -> AccountPlan:
    """Start a plan for an account over a quarter (short) or 2–3 years (long)."""
    if ends_on <= starts_on:
        raise DomainError("a plan must end after it starts", field="ends_on")
    if horizon in HORIZON_DAYS:
        low, high = HORIZON_DAYS[Horizon(horizon)]
        days = (ends_on - starts_on).days
        if not low <= days <= high:
            raise DomainError(
                f"a {Horizon(horizon).label.lower()} plan spans {low}–{high} days, not {days}",
                field="ends_on",
            )
    plan = AccountPlan(
        account=account,
        title=title.strip(),
        horizon=horizon,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=owner,
    )
    validate_and_save(plan)
    return plan


@transaction.atomic
def plan_close(*, plan: AccountPlan, outcome: str, closed_on: dt.date) -> AccountPlan:
    """Close a plan with its outcome. Open actions are cancelled on the same day."""
    _require_active(plan)
    if not outcome.strip():
        raise DomainError("say how the plan ended", field="outcome")
    if closed_on < plan.starts_on:
        raise DomainError("a plan cannot close before it starts", field="closed_on")
    plan.status = PlanStatus.CLOSED
    plan.outcome = outcome.strip()
    plan.closed_on = closed_on
    validate_and_save(plan)
    plan.actions.filter(status=ActionStatus.OPEN).update(
        status=ActionStatus.CANCELLED, completed_on=closed_on
    )
    return plan


@transaction.atomic
def objective_add(*, plan: AccountPlan, kind: str, title: str, description: str = "") -> Objective:
    """Add an objective (protect or develop) to an active plan."""
    _require_active(plan)
    objective = Objective(plan=plan, kind=kind, title=title.strip(), description=description)
    validate_and_save(objective)
    return objective


@transaction.atomic
def goal_add(
    *,
    objective: Objective,
    kpi: str,
    baseline: Decimal,
    target: Decimal,
    due_on: dt.date,
    unit: str = "",
) -> Goal:
    """Add a measurable goal, due within its plan's span."""
    plan = objective.plan
    _require_active(plan)
    if due_on < plan.starts_on:
        raise DomainError(
            f"the goal is due {due_on}, before its plan starts ({plan.starts_on})",
            field="due_on",
        )
    if due_on > plan.ends_on:
        raise DomainError(
            f"the goal is due {due_on}, after its plan ends ({plan.ends_on})", field="due_on"
        )
    goal = Goal(
        objective=objective,
        kpi=kpi.strip(),
        baseline=baseline,
        target=target,
        due_on=due_on,
        unit=unit.strip(),
    )
    validate_and_save(goal)
    return goal


@transaction.atomic
def goal_record_progress(*, goal: Goal, current: Decimal) -> Goal:
    """Record the KPI's latest value."""
    goal.current = current
    validate_and_save(goal)
    return goal


@transaction.atomic
def action_add(
    *,
    plan: AccountPlan,
    title: str,
    owner: User,
    due_on: dt.date,
    goal: Goal | None = None,
) -> Action:
    """Add an action with an owner and a due date to an active plan."""
    _require_active(plan)
    if goal is not None and goal.objective.plan_id != plan.pk:
        raise DomainError("the goal belongs to another plan", field="goal")
    if due_on < plan.starts_on:
        raise DomainError(
            f"the action is due {due_on}, before its plan starts ({plan.starts_on})",
            field="due_on",
        )
    action = Action(plan=plan, goal=goal, title=title.strip(), owner=owner, due_on=due_on)
    validate_and_save(action)
    return action


@transaction.atomic
def action_finish(*, action: Action, status: str, on: dt.date) -> Action:
    """Mark an open action done or cancelled."""
    if action.status != ActionStatus.OPEN:
        raise DomainError(f"the action is already {action.status}", field="status")
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise DomainError("an action finishes as done or cancelled", field="status")
    action.status = status
    action.completed_on = on
    validate_and_save(action)
    return action


@transaction.atomic
def milestone_log(
    *,
    account: Account,
    kind: str,
    title: str,
    occurred_on: dt.date,
    severity: str = Severity.MEDIUM,
    description: str = "",
    resolved_on: dt.date | None = None,
    logged_by: User | None = None,
) -> Milestone:
    """Log a win or an issue for an account."""
    milestone = Milestone(
        account=account,
        kind=kind,
        title=title.strip(),
        occurred_on=occurred_on,
        severity=severity,
        description=description,
        resolved_on=resolved_on,
        logged_by=logged_by,
    )
    validate_and_save(milestone)
    return milestone


@transaction.atomic
def milestone_resolve(*, milestone: Milestone, resolved_on: dt.date) -> Milestone:
    """Mark an issue resolved."""
    if milestone.resolved_on is not None:
        raise DomainError(f"already resolved on {milestone.resolved_on}", field="resolved_on")
    milestone.resolved_on = resolved_on
    validate_and_save(milestone)
    return milestone


# --- quarterly reviews -------------------------------------------------------------------


@transaction.atomic
def review_start(
    *,
    account: Account,
    figures: QuarterFigures,
    author: User,
    today: dt.date | None = None,
) -> Review:
    """Start the review of a quarter that has begun, with ``figures`` frozen into it.

    ``figures`` are gathered by the caller (``tenure.web.review_figures.quarter_figures``)
    for this account and quarter.
    """
    require_edit(author, account)
    if figures.account_id != account.pk:
        raise DomainError(f"these figures are not {account.name}'s", field="figures")
    year, quarter = figures.year, figures.quarter
    label = quarter_label(year, quarter)
    start, end = quarter_bounds(year, quarter)
    today = today or timezone.localdate()
    if start > today:
        raise DomainError(
            f"{label} has not started yet: it starts on {start:%-d %b %Y}", field="quarter"
        )
    if Review.objects.filter(account=account, year=year, quarter=quarter).exists():
        raise DomainError(f"{account.name} already has a review for {label}", field="quarter")
    review = Review(
        account=account,
        year=year,
        quarter=quarter,
        period_start=start,
        period_end=end,
        author=author,
        snapshot=figures.snapshot(),
    )
    validate_and_save(review)
    return review


def _draft_for_update(review: Review, by: User) -> Review:
    require_edit(by, review.account)
    # Locked and re-read, so an edit cannot slip in after a concurrent finalise.
    locked = Review.objects.select_for_update().select_related("account").get(pk=review.pk)
    if locked.status == ReviewStatus.FINAL:
        raise DomainError(
            f"the {locked.period_label} review was finalised on "
            f"{timezone.localtime(locked.finalised_at):%-d %b %Y} and can no longer change"
        )
    return locked


@transaction.atomic
def review_update(
    *, review: Review, achievements: str, improvements: str, next_focus: str, by: User
) -> Review:
    """Record the manager's achievements, improvement areas and next-quarter focus."""
    draft = _draft_for_update(review, by)
    draft.achievements = achievements.strip()
    draft.improvements = improvements.strip()
    draft.next_focus = next_focus.strip()
    validate_and_save(draft)
    return draft


@transaction.atomic
def review_finalise(*, review: Review, by: User) -> Review:
    """Make a review final: from then on it is the record of the quarter, read-only."""
    draft = _draft_for_update(review, by)
    if not draft.achievements:
        raise DomainError("write the achievements before finalising", field="achievements")
    if not draft.improvements:
        raise DomainError("write the improvement areas before finalising", field="improvements")
    draft.status = ReviewStatus.FINAL
    draft.finalised_at = timezone.now()
    validate_and_save(draft)
    return draft
