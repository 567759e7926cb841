"""Reads of account plans, goals, actions and milestones, for pages and the API alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet

from tenure.accounts.models import Account
from tenure.planning.choices import MilestoneKind
from tenure.planning.models import AccountPlan, Action, Goal, Milestone, Objective, Review


def quarter_goals(*, account: Account, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The goals of plans overlapping the quarter as JSON rows; a goal is on track when its
    progress at least matches the share of its plan's time gone by the quarter's end."""
    goals = (
        Goal.objects.filter(
            objective__plan__account=account,
            objective__plan__starts_on__lte=end,
            objective__plan__ends_on__gte=start,
        )
        .select_related("objective__plan")
        .order_by(
            "objective__plan__starts_on", "objective__plan_id", "objective_id", "due_on", "id"
        )
    )
    rows = []
    for goal in goals:
        plan = goal.objective.plan
        span = (goal.due_on - plan.starts_on).days
        gone = (min(end, goal.due_on) - plan.starts_on).days
        expected = 1.0 if span <= 0 else min(max(gone / span, 0.0), 1.0)
        progress = goal.progress
        rows.append(
            {
                "plan": plan.title,
                "objective": goal.objective.title,
                "kind": goal.objective.get_kind_display(),
                "kpi": goal.kpi,
                "unit": goal.unit,
                "baseline": str(goal.baseline),
                "target": str(goal.target),
                "current": None if goal.current is None else str(goal.current),
                "progress": progress,
                "expected": expected,
                "on_track": progress is not None and progress >= expected,
                "due_on": goal.due_on.isoformat(),
            }
        )
    return rows


def quarter_milestones(
    *, account: Account, start: dt.date, end: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """The quarter's wins and issues as JSON rows (``{"wins": [...], "issues": [...]}``)."""
    wins, issues = [], []
    for m in Milestone.objects.filter(account=account, occurred_on__range=(start, end)).order_by(
        "occurred_on", "id"
    ):
        row = {
            "title": m.title,
            "kind": m.get_kind_display(),
            "occurred_on": m.occurred_on.isoformat(),
        }
        if m.kind == MilestoneKind.SUCCESS:
            wins.append(row)
        else:
            resolved = None if m.resolved_on is None else m.resolved_on.isoformat()
            issues.append({**row, "severity": m.get_severity_display(), "resolved_on": resolved})
    return {"wins": wins, "issues": issues}


def account_plans(*, account: Account) -> QuerySet[AccountPlan]:
    """An account's plans, newest first."""
    return AccountPlan.objects.filter(account=account).order_by("-starts_on", "-id")


def plan_detail() -> QuerySet[AccountPlan]:
    """Plans with objectives, their goals and the actions loaded (four queries)."""
    return AccountPlan.objects.select_related("account").prefetch_related(
        Prefetch(
            "objectives",
            queryset=Objective.objects.prefetch_related(
                Prefetch("goals", queryset=Goal.objects.order_by("due_on", "id"))
            ).order_by("id"),
        ),
        Prefetch("actions", queryset=Action.objects.order_by("due_on", "id")),
    )


def account_milestones(*, account: Account, open_only: bool = False) -> QuerySet[Milestone]:
    """An account's wins and issues, newest first; with ``open_only``, its open issues."""
    milestones = Milestone.objects.filter(account=account).order_by("-occurred_on", "-id")
    if open_only:
        milestones = milestones.open_issues()
    return milestones


def account_reviews(*, account: Account) -> QuerySet[Review]:
    """The account's quarterly reviews, newest quarter first, with their authors loaded."""
    return Review.objects.filter(account=account).select_related("author").order_by("-period_start")
