"""Plans, milestones, scores and the portfolio through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.choices import Role
from tenure.scoring.models import AccountSnapshot, PortfolioSnapshot, ScoringRun
from tests.api.conftest import client_for, make_user
from tests.api.world import account_world


@pytest.fixture
def world(db):  # noqa: ARG001
    return account_world()


def test_a_plan_is_built_through_the_planning_services(api, world, director):
    created = api.post(
        f"/accounts/{world.account.pk}/plans",
        {"title": "Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"},
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["owner_id"] == director.pk
    assert plan["status"] == "active"
    objective = api.post(
        f"/plans/{plan['id']}/objectives", {"kind": "protect", "title": "Keep it"}
    ).json()
    goal = api.post(
        f"/objectives/{objective['id']}/goals",
        {"kpi": "On-time delivery", "baseline": "80", "target": "95.5", "due_on": "2026-06-01"},
    ).json()
    assert goal["target"] == "95.50"
    progress = api.post(f"/goals/{goal['id']}/progress", {"current": 87.75}).json()
    assert progress["progress"] == pytest.approx(0.5)
    action = api.post(
        f"/plans/{plan['id']}/actions",
        {"title": "Audit", "due_on": "2026-05-01", "goal_id": goal["id"]},
    ).json()
    detail = api.get(f"/plans/{plan['id']}").json()
    assert [o["goals"][0]["id"] for o in detail["objectives"]] == [goal["id"]]
    assert [a["id"] for a in detail["actions"]] == [action["id"]]
    closed = api.post(
        f"/plans/{plan['id']}/close", {"outcome": "Done.", "closed_on": "2026-06-30"}
    ).json()
    assert closed["status"] == "closed"
    assert closed["actions"][0]["status"] == "cancelled"


def test_a_plan_must_fit_its_horizon(api, world):
    response = api.post(
        f"/accounts/{world.account.pk}/plans",
        {"title": "Too long", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "ends_on"
    assert not world.account.plans.filter(title="Too long").exists()


def test_a_plan_detail_takes_a_fixed_number_of_queries(api, world, django_assert_num_queries):
    path = f"/plans/{world.plan.pk}"
    api.get(path)
    # token + role, plan + account, objectives, goals, actions
    with django_assert_num_queries(5):
        response = api.get(path)
    assert response.status_code == 200
    detail = response.json()
    assert detail["id"] == world.plan.pk
    assert [o["id"] for o in detail["objectives"]] == [world.objective.pk]


def test_milestones_are_logged_listed_and_resolved(api, world, director):
    logged = api.post(
        f"/accounts/{world.account.pk}/milestones",
        {"kind": "escalation", "title": "Late truck", "occurred_on": "2026-02-03"},
    ).json()
    assert logged["logged_by_id"] == director.pk
    assert logged["is_open"] is True
    open_ones = api.get(f"/accounts/{world.account.pk}/milestones", open="true").json()
    assert {m["id"] for m in open_ones["items"]} == {logged["id"], world.milestone.pk}
    early = api.post(f"/milestones/{logged['id']}/resolve", {"resolved_on": "2026-01-01"})
    assert early.status_code == 400
    resolved = api.post(f"/milestones/{logged['id']}/resolve", {"resolved_on": "2026-02-05"})
    assert resolved.json()["is_open"] is False


def test_scores_are_each_accounts_newest_snapshot(api, world):
    later = ScoringRun.objects.create(as_of=dt.date(2026, 2, 28), status="done")
    AccountSnapshot.objects.create(
        run=later, account=world.account, as_of=later.as_of, tier="B", revenue_rank=2
    )
    other = account_world()
    scores = api.get("/scores").json()["items"]
    assert {(s["account_id"], s["as_of"]) for s in scores} == {
        (world.account.pk, "2026-02-28"),
        (other.account.pk, "2026-01-31"),
    }
    assert api.get(f"/accounts/{world.account.pk}/score").json()["tier"] == "B"
    history = api.get(f"/accounts/{world.account.pk}/scores").json()
    assert [s["as_of"] for s in history["items"]] == ["2026-02-28", "2026-01-31"]
    assert api.get("/scores", tier="B").json()["total"] == 1


@pytest.mark.usefixtures("db")
def test_an_account_without_a_score_is_a_404(api):
    from tests.accounts.factories import AccountFactory

    response = api.get(f"/accounts/{AccountFactory().pk}/score")
    assert response.status_code == 404
    assert "not been scored" in response.json()["error"]["message"]


def test_the_portfolio_counts_visible_accounts_and_shows_the_latest_run(api, world, settings):
    fit = {"model": "BG/NBD", "identified": False, "reasons": ["only 2 customers ..."]}
    world.snapshot.run.clv_fit = fit
    world.snapshot.run.save(update_fields=["clv_fit"])
    PortfolioSnapshot.objects.create(
        run=world.snapshot.run,
        as_of=world.snapshot.as_of,
        concentration={"gini": 0.5},
        tiers=[{"tier": "A", "accounts": 1}],
        pareto=[[0.0, 0.0], [1.0, 1.0]],
    )
    body = api.get("/portfolio").json()
    assert body["figures"]["accounts"] == 1
    assert body["figures"]["open_issues"] == 1
    assert body["snapshot"]["concentration"] == {"gini": 0.5}
    assert body["snapshot"]["clv_fit"] == fit
    settings.TENURE_KAM_SEES_ALL = False
    manager = client_for(make_user(Role.KEY_ACCOUNT_MANAGER))
    restricted = manager.get("/portfolio").json()
    assert restricted["figures"]["accounts"] == 0
    assert restricted["snapshot"] is None
