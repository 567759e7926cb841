"""Quarterly reviews: the prefilled figures, their freezing, the rules, the pages and the PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.accounts.permissions import AccessDenied
from tenure.audit.models import AuditEvent
from tenure.core.errors import DomainError
from tenure.health.models import AccountHealth
from tenure.planning import reviews
from tenure.planning.models import Review
from tenure.planning.services import (
    goal_add,
    goal_record_progress,
    plan_create,
    review_finalise,
    review_start,
    review_update,
)
from tenure.scoring.models import RevenueSeries, ScoringRun
from tenure.web.review_figures import quarter_figures
from tests.accounts.factories import UserFactory
from tests.engagement.factories import InteractionFactory
from tests.feedback.factories import open_campaign, respond
from tests.planning.factories import MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)

# A unique constraint broken: PostgreSQL names the constraint, SQLite its columns.
ONE_REVIEW_PER_QUARTER = (
    r"review_one_per_account_quarter"
    r"|planning_review\.account_id, planning_review\.year, planning_review\.quarter$"
)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _series(account, values: dict[dt.date, float], *, as_of: dt.date) -> None:
    """A revenue series from January 2025 with the given months filled in."""
    first = dt.date(2025, 1, 1)
    months = (as_of.year - first.year) * 12 + as_of.month - first.month + 1
    row = [0.0] * months
    for month, value in values.items():
        row[(month.year - first.year) * 12 + month.month - first.month] = value
    RevenueSeries.objects.create(account=account, as_of=as_of, first_month=first, values=row)


def _health(account, as_of: dt.date, score: float, risk: float) -> None:
    run = ScoringRun.objects.create(as_of=as_of, status="done")
    AccountHealth.objects.create(
        run=run, account=account, as_of=as_of, health_score=score, risk=risk, risk_horizon_days=180
    )


def _goal(account, *, starts, ends, due, baseline, target, current=None, horizon="short"):
    plan = plan_create(
        account=account, title=f"Plan {starts}", horizon=horizon, starts_on=starts, ends_on=ends
    )
    objective = ObjectiveFactory(plan=plan, title=f"Objective {starts}")
    goal = goal_add(
        objective=objective,
        kpi=f"KPI {starts}",
        baseline=Decimal(baseline),
        target=Decimal(target),
        due_on=due,
        unit="%",
    )
    if current is not None:
        goal_record_progress(goal=goal, current=Decimal(current))
    return goal


def _start(account, author, year=2026, quarter=3, **kwargs) -> Review:
    figures = quarter_figures(account=account, year=year, quarter=quarter, today=TODAY)
    return review_start(account=account, figures=figures, author=author, today=TODAY, **kwargs)


def _prefill(account, year, quarter):
    return quarter_figures(account=account, year=year, quarter=quarter, today=TODAY).snapshot()


# --- the prefilled figures ----------------------------------------------------------------


@pytest.mark.usefixtures("manager")
def test_prefill_takes_every_figure_of_the_quarter_and_nothing_outside_it(account):
    q3_start, q3_end = dt.date(2026, 7, 1), dt.date(2026, 9, 29)
    _goal(
        account, starts=q3_start, ends=q3_end, due=q3_end, baseline="92", target="97", current="97"
    )
    _goal(
        account,
        starts=q3_start + dt.timedelta(days=1),
        ends=q3_end,
        due=q3_end,
        baseline="2",
        target="3",
    )
    # A long plan: 40 % of the way by 30 Sep, with 272 of its 729 days (37 %) gone.
    _goal(
        account,
        starts=dt.date(2026, 1, 1),
        ends=dt.date(2027, 12, 31),
        due=dt.date(2027, 12, 31),
        baseline="0",
        target="10",
        current="4",
        horizon="long",
    )
    _goal(
        account,
        starts=dt.date(2026, 1, 1),
        ends=dt.date(2026, 3, 31),
        due=dt.date(2026, 3, 31),
        baseline="1",
        target="2",
    )  # Q1 only
    MilestoneFactory(
        account=account, kind="success", title="Won the tender", occurred_on=dt.date(2026, 8, 3)
    )
    MilestoneFactory(
        account=account,
        kind="defect",
        severity="high",
        title="Broken pallets",
        occurred_on=dt.date(2026, 7, 10),
        resolved_on=dt.date(2026, 10, 2),
    )
    MilestoneFactory(
        account=account, kind="escalation", title="Old escalation", occurred_on=dt.date(2026, 6, 30)
    )
    MilestoneFactory(
        account=account, kind="success", title="Later win", occurred_on=dt.date(2026, 10, 1)
    )
    for day, strategic in [
        (dt.date(2026, 7, 1), True),
        (dt.date(2026, 9, 30), True),
        (dt.date(2026, 8, 1), False),
        (dt.date(2026, 6, 30), True),
        (dt.date(2026, 10, 1), False),
    ]:
        InteractionFactory(account=account, occurred_at=_at(day, 23), is_strategic=strategic)
    _series(
        account,
        {
            dt.date(2025, 7, 1): 100.0,
            dt.date(2025, 8, 1): 200.0,
            dt.date(2025, 9, 1): 100.5,
            dt.date(2026, 7, 1): 150.25,
            dt.date(2026, 8, 1): 250.0,
            dt.date(2026, 9, 1): 100.0,
            dt.date(2026, 10, 1): 999.0,
        },
        as_of=dt.date(2026, 10, 31),
    )
    _health(account, dt.date(2026, 6, 30), 40.0, 0.5)
    _health(account, dt.date(2026, 8, 31), 66.0, 0.2)
    _health(account, dt.date(2026, 9, 30), 71.5, 0.12)
    _health(account, dt.date(2026, 10, 31), 20.0, 0.9)
    campaign = open_campaign(
        account=account, now=_at(dt.date(2026, 6, 1)), closes_at=_at(dt.date(2026, 12, 1))
    )
    for score in (10, 9, 3):
        respond(campaign, score=score, at=_at(dt.date(2026, 8, 20)))
    respond(campaign, score=0, at=_at(dt.date(2026, 10, 5)))

    snapshot = _prefill(account, 2026, 3)

    assert snapshot["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    goals = {g["kpi"]: g for g in snapshot["goals"]}
    assert set(goals) == {"KPI 2026-07-01", "KPI 2026-07-02", "KPI 2026-01-01"}
    met, unmeasured, long = (
        goals["KPI 2026-07-01"],
        goals["KPI 2026-07-02"],
        goals["KPI 2026-01-01"],
    )
    assert (met["baseline"], met["target"], met["current"]) == ("92.00", "97.00", "97.00")
    assert met["progress"] == 1.0
    assert met["expected"] == 1.0
    assert met["on_track"]
    assert unmeasured["current"] is None
    assert not unmeasured["on_track"]
    assert long["progress"] == pytest.approx(0.4)
    assert long["expected"] == pytest.approx(272 / 729)
    assert long["on_track"]
    assert [w["title"] for w in snapshot["wins"]] == ["Won the tender"]
    assert snapshot["issues"] == [
        {
            "title": "Broken pallets",
            "kind": "Defect",
            "occurred_on": "2026-07-10",
            "severity": "High",
            "resolved_on": "2026-10-02",
        }
    ]
    assert snapshot["interactions"] == {"strategic": 2, "transactional": 1}
    revenue = snapshot["revenue"]
    assert (revenue["quarter"], revenue["prior_year"], revenue["months"]) == ("500.25", "400.50", 3)
    assert revenue["yoy"] == pytest.approx(500.25 / 400.5 - 1)
    assert snapshot["health"] == {
        "score": 71.5,
        "risk": 0.12,
        "risk_horizon_days": 180,
        "as_of": "2026-09-30",
    }
    # Two promoters and one detractor of three answers: (2 - 1) / 3.
    assert snapshot["nps"] == {"score": pytest.approx(100 / 3), "responses": 3, "hidden": False}


def test_the_snapshot_is_dated_by_the_day_the_review_is_started_for(account, manager):
    # One clock: a review started "as of" a day says that day, whatever the machine's date.
    review = _start(account, manager)
    assert review.snapshot["taken_on"] == TODAY.isoformat()


def test_a_quarter_in_progress_compares_its_complete_months_with_the_same_months(account):
    _series(
        account,
        {dt.date(2025, 10, 1): 80.0, dt.date(2025, 11, 1): 999.0, dt.date(2026, 10, 1): 100.0},
        as_of=dt.date(2026, 11, 25),
    )
    revenue = _prefill(account, 2026, 4)["revenue"]
    assert (revenue["quarter"], revenue["prior_year"], revenue["months"]) == ("100.00", "80.00", 1)
    assert revenue["yoy"] == pytest.approx(0.25)


def test_without_a_scoring_run_the_figures_are_empty_not_zero(account):
    snapshot = _prefill(account, 2026, 3)
    assert snapshot["revenue"]["quarter"] is None
    assert snapshot["revenue"]["yoy"] is None
    assert snapshot["health"]["score"] is None
    assert snapshot["nps"]["score"] is None


def test_the_snapshot_stays_frozen_when_a_goal_changes_later(account, manager):
    goal = _goal(
        account,
        starts=dt.date(2026, 7, 1),
        ends=dt.date(2026, 9, 29),
        due=dt.date(2026, 9, 29),
        baseline="92",
        target="97",
        current="94",
    )
    review = _start(account, manager)
    goal_record_progress(goal=goal, current=Decimal("97"))
    review.refresh_from_db()
    (line,) = reviews.review_sheet(review=review).goals
    assert line.current == Decimal("94.00")
    assert line.progress == pytest.approx(0.4)
    assert _prefill(account, 2026, 3)["goals"][0]["current"] == "97.00"


# --- rules --------------------------------------------------------------------------------


def test_one_review_per_account_and_quarter_names_the_quarter(account, manager):
    _start(account, manager)
    with pytest.raises(DomainError, match=f"{account.name} already has a review for 2026 Q3"):
        _start(account, manager)
    duplicate = Review(
        account=account,
        year=2026,
        quarter=3,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        author=manager,
    )
    with pytest.raises(IntegrityError, match=ONE_REVIEW_PER_QUARTER), transaction.atomic():
        duplicate.save()
    assert Review.objects.count() == 1


def test_a_quarter_that_has_not_started_is_refused_but_the_current_one_is_not(account, manager):
    with pytest.raises(DomainError, match="2027 Q1 has not started yet"):
        _start(account, manager, year=2027, quarter=1)
    assert _start(account, manager, year=2026, quarter=4).period_end == dt.date(2026, 12, 31)
    with pytest.raises(DomainError, match="a quarter is 1, 2, 3 or 4"):
        _start(account, manager, quarter=5)


def test_the_period_is_derived_from_the_quarter(account, manager):
    review = _start(account, manager, year=2024, quarter=1)
    assert (review.period_start, review.period_end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert reviews.last_complete_quarter(dt.date(2026, 11, 25)) == (2026, 3)
    assert reviews.last_complete_quarter(dt.date(2026, 12, 31)) == (2026, 4)
    assert reviews.last_complete_quarter(dt.date(2026, 1, 1)) == (2025, 4)


def test_a_final_review_refuses_every_change(account, manager):
    review = _start(account, manager)
    with pytest.raises(DomainError, match="write the achievements"):
        review_finalise(review=review, by=manager)
    review = review_update(
        review=review,
        achievements=" Kept OTIF at 97 % ",
        improvements="Slow quotes",
        next_focus="",
        by=manager,
    )
    assert review.achievements == "Kept OTIF at 97 %"
    final = review_finalise(review=review, by=manager)
    assert final.status == "final"
    assert final.finalised_at is not None
    with pytest.raises(DomainError, match="2026 Q3 review was finalised"):
        review_update(review=final, achievements="x", improvements="y", next_focus="z", by=manager)
    with pytest.raises(DomainError, match="was finalised"):
        review_finalise(review=final, by=manager)
    final.refresh_from_db()
    assert final.achievements == "Kept OTIF at 97 %"


def test_only_those_who_may_change_the_account_write_reviews(account, manager):
    outsider = UserFactory()
    role_assign(user=outsider, role="kam")
    with pytest.raises(AccessDenied):
        _start(account, outsider)
    review = _start(account, manager)
    with pytest.raises(AccessDenied):
        review_update(review=review, achievements="x", improvements="", next_focus="", by=outsider)


def test_review_writes_are_in_the_audit_trail(account, manager):
    review = _start(account, manager)
    review_update(review=review, achievements="A", improvements="B", next_focus="", by=manager)
    events = AuditEvent.objects.filter(model="planning.review", object_id=str(review.pk))
    assert sorted(events.values_list("action", flat=True)) == ["create", "update"]
    assert set(events.values_list("account_id", flat=True)) == {account.pk}


def test_the_comparison_lists_quarters_in_order_with_their_year_on_year_change(account, manager):
    _series(
        account,
        {
            dt.date(2025, 1, 1): 100.0,
            dt.date(2025, 4, 1): 200.0,
            dt.date(2025, 7, 1): 0.0,
            dt.date(2026, 1, 1): 150.0,
            dt.date(2026, 4, 1): 100.0,
            dt.date(2026, 7, 1): 50.0,
        },
        as_of=dt.date(2026, 9, 30),
    )
    for quarter in (3, 1, 2):
        _start(account, manager, quarter=quarter)
    rows = reviews.review_comparison(account=account)
    assert [r.label for r in rows] == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert [r.revenue for r in rows] == [Decimal("150.00"), Decimal("100.00"), Decimal("50.00")]
    assert rows[0].yoy == pytest.approx(0.5)
    assert rows[1].yoy == pytest.approx(-0.5)
    assert rows[2].yoy is None  # nothing a year before to compare with
    until_q2 = reviews.review_comparison(account=account, until=Review.objects.get(quarter=2))
    assert [r.label for r in until_q2] == ["2026 Q1", "2026 Q2"]
