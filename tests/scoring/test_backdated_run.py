"""A back-dated run writes its own date's snapshots and leaves the present alone."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.accounts.models import Account
from tenure.engagement.models import SeasonalPreparation
from tenure.growth.models import Opportunity
from tenure.scoring.models import AccountSnapshot, RevenueSeries
from tenure.scoring.run import run_scoring
from tests.scoring.conftest import days
from tests.scoring.health_ledger import order_lines

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)
PAST = dt.date(2026, 6, 30)


def shifting_portfolio():
    """K3 was the largest customer until it stopped in March 2026; K1 is now."""
    start = dt.date(2025, 1, 2)
    rows = [("K1", day, 500.0) for day in days(start, dt.date(2026, 12, 6), 1)]
    rows += [("K2", day, 2_000.0) for day in days(start, dt.date(2026, 12, 1), 14)]
    rows += [("K3", day, 10_000.0) for day in days(start, dt.date(2026, 3, 31), 14)]
    rows += [(f"S{i}", day, 300.0) for i in range(6) for day in days(start, TODAY, 30)]
    return order_lines(rows)


def present() -> dict[str, object]:
    return {
        "tiers": dict(Account.objects.values_list("external_id", "tier")),
        "series": sorted(RevenueSeries.objects.values_list("account_id", "as_of", "first_month")),
        "suggestions": sorted(
            Opportunity.objects.values_list("account_id", "category", "status", "as_of")
        ),
        "preparations": sorted(
            SeasonalPreparation.objects.values_list("account_id", "peak_starts_on")
        ),
    }


def test_a_back_dated_run_leaves_tiers_series_suggestions_and_plans_alone(ledger_file):
    url = ledger_file(shifting_portfolio())
    run_scoring(as_of=TODAY, ledger_url=url, progress=lambda _: None)
    before = present()
    messages: list[str] = []
    run_scoring(as_of=PAST, ledger_url=url, progress=messages.append)

    # The past date has its own snapshots, with the tiers of that day…
    then = dict(
        AccountSnapshot.objects.filter(as_of=PAST).values_list("account__external_id", "tier")
    )
    now = dict(
        AccountSnapshot.objects.filter(as_of=TODAY).values_list("account__external_id", "tier")
    )
    assert then != now, "the portfolio must differ between the two days for this test to bite"
    # …and the present is the latest run's.
    assert present() == before
    assert before["tiers"] == now
    assert any("a later run exists" in m for m in messages)
