"""Plans, goals, actions and milestones through the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.planning.models import AccountPlan, Action, Goal, Milestone
from tests.accounts.factories import AccountFactory
from tests.planning.factories import AccountPlanFactory, MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_create_plan_then_objective_goal_and_action(logged_in_client, user):
    account = AccountFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/plans/new/",
        {
            "title": "Q1 2027",
            "horizon": "short",
            "starts_on": "2027-01-01",
            "ends_on": "2027-03-31",
        },
    )
    plan = AccountPlan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert plan.owner == user
    url = f"/plans/{plan.pk}/"
    logged_in_client.post(
        url, {"step": "objective", "objective-kind": "protect", "objective-title": "Keep OTIF high"}
    )
    objective = plan.objectives.get()
    logged_in_client.post(
        url,
        {
            "step": "goal",
            "goal-objective": objective.pk,
            "goal-kpi": "OTIF",
            "goal-baseline": "92",
            "goal-target": "97",
            "goal-due_on": "2027-03-31",
            "goal-unit": "%",
        },
    )
    logged_in_client.post(
        url,
        {
            "step": "action",
            "action-title": "Review with logistics",
            "action-owner": user.pk,
            "action-due_on": "2027-02-01",
        },
    )
    assert Goal.objects.get().kpi == "OTIF"
    assert Action.objects.get().owner == user
    page = logged_in_client.get(url).content.decode()
    assert "Keep OTIF high" in page
    assert "Review with logistics" in page


def test_goal_due_before_plan_start_shows_the_rule_on_the_form(logged_in_client):
    objective = ObjectiveFactory()
    response = logged_in_client.post(
        f"/plans/{objective.plan_id}/",
        {
            "step": "goal",
            "goal-objective": objective.pk,
            "goal-kpi": "OTIF",
            "goal-baseline": "1",
            "goal-target": "2",
            "goal-due_on": "2025-01-01",
        },
    )
    assert "before its plan starts" in response.content.decode()
    assert not Goal.objects.exists()


def test_short_plan_spanning_a_year_is_refused(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/plans/new/",
        {
            "title": "Too long",
            "horizon": "short",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
        },
    )
    assert "spans" in response.content.decode()
    assert not AccountPlan.objects.exists()


def test_closing_a_plan_records_outcome_and_hides_the_forms(logged_in_client):
    plan = AccountPlanFactory()
    before = logged_in_client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Close plan" in before
    assert "Add objective" in before
    logged_in_client.post(
        f"/plans/{plan.pk}/",
        {"step": "close", "close-outcome": "Renewed", "close-closed_on": "2026-03-31"},
    )
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert plan.outcome == "Renewed"
    page = logged_in_client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Renewed" in page
    assert "Close plan" not in page
    assert "Add objective" not in page


def test_mark_action_done(logged_in_client, user):
    plan = AccountPlanFactory()
    action = Action.objects.create(plan=plan, title="Call", owner=user, due_on=dt.date(2026, 2, 1))
    logged_in_client.post(f"/actions/{action.pk}/finish/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done"
    assert action.completed_on is not None


def test_log_an_issue_and_resolve_it(logged_in_client):
    account = AccountFactory()
    logged_in_client.post(
        f"/accounts/{account.pk}/milestones/new/",
        {
            "kind": "defect",
            "severity": "high",
            "title": "Broken pallets",
            "occurred_on": "2026-11-01",
        },
    )
    milestone = Milestone.objects.get()
    assert milestone.is_open
    logged_in_client.post(f"/milestones/{milestone.pk}/resolve/", {"resolved_on": "2026-11-10"})
    milestone.refresh_from_db()
    assert milestone.resolved_on == dt.date(2026, 11, 10)


def test_resolving_before_it_happened_is_refused(logged_in_client):
    milestone = MilestoneFactory(occurred_on=dt.date(2026, 3, 1))
    response = logged_in_client.post(
        f"/milestones/{milestone.pk}/resolve/", {"resolved_on": "2026-01-01"}
    )
    assert "cannot be resolved before it occurred" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.resolved_on is None
