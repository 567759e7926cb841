"""Point in time: features at a cut-off see nothing dated on or after it.

The proof of no leakage: compute the training rows of a cut-off, then add facts dated after
it — orders (one on the cut-off day itself), a strategic meeting, a departure, an issue's
resolution, an action's completion — and compute again. The features must not move; only
the labels, which are meant to look ahead, may.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tenure.health.engagement_features import engagement_features, load_crm_events
from tenure.health.point_in_time import History
from tenure.health.risk_training import labelled_rows
from tenure.insights.risk import RISK_FEATURES
from tenure.planning.models import Action
from tests.accounts.factories import AccountFactory, PositionFactory, UserFactory
from tests.engagement.factories import InteractionFactory
from tests.planning.factories import AccountPlanFactory, MilestoneFactory
from tests.scoring.health_ledger import every, ledger, order_lines

pytestmark = pytest.mark.django_db
CUTOFF = dt.date(2026, 3, 1)
BEFORE = dt.date(2026, 2, 10)
AFTER = dt.date(2026, 4, 15)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


@pytest.fixture
def crm():
    manager = UserFactory()
    account = AccountFactory(external_id="K1")
    AccountFactory(external_id="K2")
    boss = PositionFactory(account=account, started_on=dt.date(2024, 1, 1))
    buyer = PositionFactory(account=account, buying_role="user", started_on=dt.date(2024, 1, 1))
    meeting = InteractionFactory(account=account, occurred_at=at(BEFORE), is_strategic=True)
    meeting.contacts.set([boss.contact, buyer.contact])
    meeting.team_members.set([manager])
    MilestoneFactory(account=account, severity="high", occurred_on=dt.date(2026, 1, 20))
    plan = AccountPlanFactory(account=account)
    Action.objects.create(plan=plan, title="Call back", owner=manager, due_on=dt.date(2026, 2, 1))
    # Point in time reads when the action was entered: in January, before its due date.
    Action.objects.update(created_at=at(dt.date(2026, 1, 5)))
    return {"account": account, "boss": boss, "buyer": buyer, "manager": manager}


def lines_until(end: dt.date) -> pl.DataFrame:
    start = dt.date(2024, 1, 5)
    rows = [("K1", d, 100.0) for d in every(14, start, end)]
    rows += [("K2", d, 50.0) for d in every(30, start, min(end, dt.date(2026, 1, 31)))]
    return order_lines(rows)


def rows_at(lines: pl.DataFrame) -> pl.DataFrame:
    history = History(ledger(lines), load_crm_events())
    return labelled_rows(history, CUTOFF).sort("account_key")


def test_facts_dated_on_or_after_the_cutoff_do_not_change_the_features(crm) -> None:
    before = rows_at(lines_until(dt.date(2026, 2, 27)))

    # The future: orders from the cut-off day on, a meeting, a departure, a resolution.
    future = pl.concat(
        [
            lines_until(dt.date(2026, 2, 27)),
            order_lines([("K1", CUTOFF, 9_999.0), ("K1", AFTER, 5_000.0)]).with_columns(
                pl.lit("FUTURE").alias("source")
            ),
        ]
    )
    later = InteractionFactory(account=crm["account"], occurred_at=at(AFTER), is_strategic=True)
    later.contacts.set([crm["buyer"].contact])
    crm["boss"].left_on = AFTER
    crm["boss"].save()
    issue = crm["account"].milestones.get()
    issue.resolved_on = AFTER
    issue.save()
    Action.objects.update(status="done", completed_on=AFTER)
    newcomer = PositionFactory(account=crm["account"], started_on=AFTER)
    InteractionFactory(account=crm["account"], occurred_at=at(CUTOFF)).contacts.set(
        [newcomer.contact]
    )

    after = rows_at(future)
    assert after.select(RISK_FEATURES).equals(before.select(RISK_FEATURES))
    assert before.filter(pl.col("account_key") == "K1")["open_issues"][0] == 1
    assert before.filter(pl.col("account_key") == "K1")["overdue_actions"][0] == 1


@pytest.mark.usefixtures("crm")
def test_a_planted_future_signal_shows_in_the_label_not_in_the_features() -> None:
    rows = rows_at(lines_until(dt.date(2026, 10, 1))).rows_by_key("account_key", named=True)
    # K2's last order was in January 2026: at the cut-off it looks like any quiet month;
    # its silence (the future) shows only in the label.
    assert rows["K2"][0]["churned"] == 1
    assert rows["K1"][0]["churned"] == 0
    assert rows["K2"][0]["days_since_last_order"] < 60
    assert rows["K2"][0]["recency_ratio"] < 2


def test_crm_features_follow_the_recorded_dates(crm) -> None:
    events = load_crm_events()
    crm["boss"].left_on = dt.date(2026, 2, 20)
    crm["boss"].save()
    left = load_crm_events()
    account = crm["account"].pk

    def features(facts, day):  # type: ignore[no-untyped-def]
        frame = engagement_features(facts, as_of=day)
        return frame.filter(pl.col("account_id") == account).row(0, named=True)

    early = features(left, dt.date(2026, 2, 15))
    assert early["active_decision_makers"] == 1
    assert early["contacts_left"] == 0
    late = features(left, dt.date(2026, 2, 25))
    assert late["active_decision_makers"] == 0
    assert late["contacts_left"] == 1
    # The boss has left: the meeting with them no longer makes them an engaged contact.
    assert late["engaged_contacts"] == 1
    assert late["decision_makers_engaged"] == 0
    before_meeting = features(events, dt.date(2026, 2, 9))
    assert before_meeting["engaged_contacts"] == 0
    # The only strategic meeting is on 10 February: the day before, none is known yet.
    assert before_meeting["days_since_strategic"] is None
    assert features(events, dt.date(2026, 2, 25))["days_since_strategic"] == 15


def test_an_account_without_crm_history_has_unknown_not_zero_engagement(crm) -> None:
    frame = engagement_features(load_crm_events(), as_of=dt.date(2026, 3, 1))
    quiet = frame.filter(pl.col("account_id") != crm["account"].pk).row(0, named=True)
    assert quiet["days_since_strategic"] is None
    assert quiet["engaged_contacts"] is None
    assert quiet["overdue_actions"] is None
    assert quiet["open_issues"] == 0


@pytest.mark.usefixtures("crm")
def test_a_sample_keeps_the_runs_own_features_for_its_accounts_as_a_read_would_give():
    AccountFactory(external_id="K3")
    lines = order_lines(
        [
            (key, d, 80.0)
            for key in ("K1", "K2", "K3")
            for d in every(20, dt.date(2025, 1, 3), AFTER)
        ]
    )
    day = dt.date(2026, 4, 30)
    history = History(ledger(lines), load_crm_events())
    features = history.ledger(day)
    given = History(ledger(lines), load_crm_events())
    # Planted: a read would never give 1.0 revenue, so the kept frame is the one used.
    given.put_ledger(day, features.with_columns(pl.lit(1.0).alias("revenue_total")))
    sampled = given.sample(2, seed=3)
    keys = sorted(sampled.events.accounts["external_id"].to_list())
    assert len(keys) == 2
    kept = sampled.ledger(day).sort("account_key")
    assert kept["account_key"].to_list() == keys
    assert kept["revenue_total"].to_list() == [1.0, 1.0]
    # Another day is read from the sample's lines: the same as the full read, for its keys.
    other = dt.date(2026, 1, 31)
    expected = history.ledger(other).filter(pl.col("account_key").is_in(keys)).sort("account_key")
    assert sampled.ledger(other).sort("account_key").equals(expected)
