"""Business rules for plans, goals, actions and the wins-and-issues log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tenure.core.errors import DomainError
from tenure.planning import services
from tenure.planning.models import AccountPlan, Goal, Milestone
from tests.accounts.factories import AccountFactory, UserFactory
from tests.planning.factories import MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_goal_due_before_its_plan_starts_is_refused_and_nothing_written():
    objective = ObjectiveFactory()
    with pytest.raises(DomainError, match="before its plan starts") as error:
        services.goal_add(
            objective=objective,
            kpi="Revenue",
            baseline=Decimal(100),
            target=Decimal(120),
            due_on=dt.date(2025, 12, 1),
        )
    assert error.value.field == "due_on"
    assert not Goal.objects.exists()


def test_goal_must_move_the_kpi():
    with pytest.raises(DomainError, match="the target must differ from the baseline"):
        services.goal_add(
            objective=ObjectiveFactory(),
            kpi="Revenue",
            baseline=Decimal(100),
            target=Decimal(100),
            due_on=dt.date(2026, 3, 1),
        )


def test_plan_must_end_after_it_starts_and_fit_its_horizon():
    account = AccountFactory()
    with pytest.raises(DomainError, match="end after"):
        services.plan_create(
            account=account,
            title="P",
            horizon="short",
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 3, 1),
        )
    with pytest.raises(DomainError, match="spans"):
        services.plan_create(
            account=account,
            title="P",
            horizon="short",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2027, 6, 1),
        )
    assert not AccountPlan.objects.exists()
    with pytest.raises(IntegrityError, match="plan_ends_after_start"), transaction.atomic():
        AccountPlan.objects.create(
            account=account, title="P", starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2026, 3, 1)
        )


def test_closing_a_plan_cancels_its_open_actions_and_freezes_it():
    objective = ObjectiveFactory()
    plan = objective.plan
    owner = UserFactory()
    action = services.action_add(plan=plan, title="Call", owner=owner, due_on=dt.date(2026, 2, 1))
    services.plan_close(plan=plan, outcome="Renewed for two years", closed_on=dt.date(2026, 3, 31))
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("cancelled", dt.date(2026, 3, 31))
    with pytest.raises(DomainError, match="closed"):
        services.objective_add(plan=plan, kind="develop", title="More")


def test_action_for_a_goal_of_another_plan_is_refused():
    goal_objective = ObjectiveFactory()
    goal = services.goal_add(
        objective=goal_objective,
        kpi="OTIF",
        baseline=Decimal(90),
        target=Decimal(95),
        due_on=dt.date(2026, 3, 1),
    )
    other = ObjectiveFactory().plan
    with pytest.raises(DomainError, match="another plan"):
        services.action_add(
            plan=other, title="x", owner=UserFactory(), due_on=dt.date(2026, 2, 1), goal=goal
        )


def test_goal_progress_is_share_of_way_from_baseline_to_target():
    goal = services.goal_add(
        objective=ObjectiveFactory(),
        kpi="OTIF",
        baseline=Decimal(90),
        target=Decimal(100),
        due_on=dt.date(2026, 3, 1),
    )
    goal = services.goal_record_progress(goal=goal, current=Decimal(95))
    assert goal.progress == pytest.approx(0.5)


def test_issue_resolved_before_it_occurred_is_refused():
    account = AccountFactory()
    with pytest.raises(DomainError, match="cannot be resolved before it occurred"):
        services.milestone_log(
            account=account,
            kind="defect",
            title="Broken",
            occurred_on=dt.date(2026, 3, 1),
            resolved_on=dt.date(2026, 2, 1),
        )
    assert not Milestone.objects.exists()
    with (
        pytest.raises(IntegrityError, match="milestone_resolved_after_occurred"),
        transaction.atomic(),
    ):
        Milestone.objects.create(
            account=account,
            kind="defect",
            title="x",
            occurred_on=dt.date(2026, 3, 1),
            resolved_on=dt.date(2026, 2, 1),
        )


def test_resolving_twice_is_refused():
    milestone = MilestoneFactory()
    services.milestone_resolve(milestone=milestone, resolved_on=dt.date(2026, 2, 10))
    assert not milestone.is_open
    with pytest.raises(DomainError, match="already resolved"):
        services.milestone_resolve(milestone=milestone, resolved_on=dt.date(2026, 2, 11))
    milestone.refresh_from_db()
    assert milestone.resolved_on == dt.date(2026, 2, 10)
