"""A ledger a few days old: measures count to its last order day, pages say how far it goes."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.ledger import features as ledger_features
from tenure.scoring.freshness import STALE_AFTER_DAYS, LedgerFreshness
from tenure.scoring.models import AccountSnapshot, ScoringRun
from tenure.scoring.run import run_scoring
from tests.scoring.health_ledger import every, ledger, order_lines

pytestmark = pytest.mark.django_db
LAST_ORDER = dt.date(2026, 11, 30)
FORTNIGHTLY = every(14, dt.date(2025, 1, 2), LAST_ORDER)


def daily_buyer_lines():
    """K1 orders every day to the ledger's last day; K2 every two weeks."""
    rows = [("K1", day, 500.0) for day in every(1, dt.date(2025, 1, 2), LAST_ORDER)]
    rows += [("K2", day, 2_000.0) for day in FORTNIGHTLY]
    return order_lines(rows)


@pytest.fixture
def ledger_url(ledger_file):
    return ledger_file(daily_buyer_lines())


def test_freshness_is_the_last_order_day_up_to_the_run():
    lines = ledger(daily_buyer_lines())
    assert ledger_features.ledger_through(lines, as_of=dt.date(2026, 12, 7)) == LAST_ORDER
    # A back-dated run sees only what was there on its day.
    assert ledger_features.ledger_through(lines, as_of=dt.date(2026, 6, 15)) == dt.date(2026, 6, 15)
    assert ledger_features.ledger_through(lines, as_of=dt.date(2024, 1, 1)) is None


def test_a_ledger_a_week_old_does_not_read_as_a_week_of_silence(ledger_url):
    messages: list[str] = []
    run = run_scoring(as_of=dt.date(2026, 12, 7), ledger_url=ledger_url, progress=messages.append)
    assert run.ledger_through == LAST_ORDER
    snapshots = {
        s.account.external_id: s for s in AccountSnapshot.objects.select_related("account")
    }
    # The daily buyer ordered on the ledger's last day: no days of silence, not seven.
    assert snapshots["K1"].days_since_last_order == 0
    assert snapshots["K2"].days_since_last_order == (LAST_ORDER - FORTNIGHTLY[-1]).days
    assert any("orders up to 30 Nov 2026" in m for m in messages)
    # Seven days behind is still an ordinary export: no operator warning.
    assert not any(m.startswith("Warning:") for m in messages)


def test_a_ledger_that_stopped_updating_is_an_operator_warning(ledger_url):
    messages: list[str] = []
    as_of = LAST_ORDER + dt.timedelta(days=STALE_AFTER_DAYS + 5)
    run = run_scoring(as_of=as_of, ledger_url=ledger_url, progress=messages.append)
    warnings = [m for m in messages if m.startswith("Warning:")]
    assert len(warnings) == 1
    assert "30 Nov 2026, 12 days before" in warnings[0]
    # Still not a churn signal on every account: recency counts to the last order day.
    snapshot = AccountSnapshot.objects.get(run=run, account__external_id="K1")
    assert snapshot.days_since_last_order == 0
    assert ScoringRun.objects.get().ledger_through == LAST_ORDER


@pytest.mark.parametrize(
    ("as_of", "through", "label", "stale"),
    [
        (dt.date(2026, 12, 7), dt.date(2026, 11, 30), "orders up to 30 Nov 2026", False),
        (dt.date(2026, 12, 8), dt.date(2026, 11, 30), "orders up to 30 Nov 2026", True),
        (dt.date(2026, 12, 7), None, "no orders in the ledger", False),
    ],
)
def test_freshness_label_and_staleness(as_of, through, label, stale):
    freshness = LedgerFreshness(as_of=as_of, through=through)
    assert freshness.label == label
    assert freshness.stale is stale
    assert (freshness.warning() is not None) is stale
