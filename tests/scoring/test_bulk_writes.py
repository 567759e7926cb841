"""What the scoring run's bulk writers land in the CRM store, value by value.

The writers build each table column-wise and insert it in one go (``executemany`` here,
``COPY`` on PostgreSQL): these tests read the rows back through the ORM, so a date written
as text, a JSON column encoded by Polars or a timestamp in the wrong zone shows up as a
wrong value, not as a pass.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
import time_machine

from tenure.accounts.models import Account
from tenure.core.bulk_insert import insert_frame, json_text
from tenure.growth import services as growth
from tenure.growth.models import WalletEstimate
from tenure.health.models import AccountHealth
from tenure.scoring.models import AccountSnapshot, RevenueSeries, ScoringRun
from tests.accounts.factories import AccountFactory
from tests.growth.test_growth import ten_retailers
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

pytestmark = pytest.mark.django_db
#: The moment every test runs at: ``created_at`` and ``updated_at`` must read it back exactly.
MOMENT = dt.datetime(2026, 7, 1, 5, 30, 15, 250_000, tzinfo=dt.UTC)


@pytest.fixture
def scored():
    revenue = {"K1": 800_000.0, "K2": 100_000.0, "K3": 60_000.0, "K4": 30_000.0, "K5": 10_000.0}
    for key in revenue:
        AccountFactory(external_id=key, name=f"Account {key}")
    AccountFactory(external_id="NOORDERS", name="Quiet")
    with time_machine.travel(MOMENT, tick=False):
        return score_frames(
            as_of=AS_OF, features=features_for(revenue), monthly=monthly_for(revenue)
        )


def test_snapshot_rows_hold_the_frames_values_with_their_types(scored):
    top = AccountSnapshot.objects.get(account__external_id="K1")
    assert top.run_id == scored.pk
    assert top.as_of == AS_OF
    assert top.first_order_date == dt.date(2024, 1, 5)
    assert top.last_order_date == dt.date(2026, 6, 20)
    assert top.orders == 12
    assert top.revenue_t12m == Decimal("800000.00")
    assert top.revenue_total == Decimal("2000000.00")
    assert top.avg_order_value == Decimal("66666.67")
    assert top.growth == pytest.approx(0.0)
    assert top.days_since_last_order == 10
    assert top.tier == "A"
    assert top.revenue_rank == 1
    assert top.keylist_action == "promote"
    assert top.keylist_reasons
    assert all(isinstance(r, str) for r in top.keylist_reasons)
    assert isinstance(top.qualification_contributions, dict)
    assert top.qualification_contributions
    assert not any(k.startswith("contribution_") for k in top.qualification_contributions)
    assert top.keylist_over_cap is False
    assert top.created_at == MOMENT


@pytest.mark.usefixtures("scored")
def test_an_account_without_orders_gets_empty_text_and_nulls_not_the_other_way():
    quiet = AccountSnapshot.objects.get(account__external_id="NOORDERS")
    assert quiet.first_order_date is None
    assert quiet.orders == 0
    assert quiet.revenue_t12m == Decimal("0.00")
    assert quiet.avg_order_value is None
    assert quiet.keylist_reasons == []
    assert quiet.keylist_action == ""


@pytest.mark.usefixtures("scored")
def test_revenue_series_rows_are_json_lists_of_floats():
    series = RevenueSeries.objects.get(account__external_id="K2")
    assert series.as_of == AS_OF
    assert series.first_month == dt.date(2024, 7, 1)
    assert series.values == [round(100_000 / 12, 2)] * 24
    assert all(isinstance(v, float) for v in series.values)
    assert series.updated_at == MOMENT
    assert not RevenueSeries.objects.filter(account__external_id="NOORDERS").exists()


def test_health_rows_hold_json_lists_and_objects_and_the_run(scored):
    rows = AccountHealth.objects.filter(run=scored)
    assert rows.count() == 6
    top = rows.get(account__external_id="K1")
    assert top.as_of == AS_OF
    assert top.created_at == MOMENT
    assert isinstance(top.health_contributions, dict)
    assert top.health_contributions
    assert set(top.health_measures) == set(top.health_contributions)
    assert isinstance(top.health_flags, list)
    # No order lines, so no risk model: no risk, no drivers, no horizon.
    assert top.risk is None
    assert top.risk_drivers == []
    assert top.risk_horizon_days is None
    assert top.risk_model == ""


def test_wallet_estimates_hold_money_shares_and_bought_categories():
    accounts, frame = ten_retailers()
    spend = pl.DataFrame(
        [(a.pk, 'Paper "A4", white', 1000.0) for a in accounts]
        + [(a.pk, "Jouets é", 250.125) for a in accounts[1:]],
        schema=["account_id", "product_category", "revenue"],
        orient="row",
    )
    with time_machine.travel(MOMENT, tick=False):
        growth.growth_refresh(as_of=AS_OF, accounts=frame, spend=spend)
    second = WalletEstimate.objects.get(account=accounts[1], as_of=AS_OF)
    assert second.revenue_t12m == Decimal("20000.00")
    assert second.potential_low <= second.potential <= second.potential_high
    assert second.share_of_wallet == pytest.approx(20_000 / float(second.potential))
    assert second.categories == {'Paper "A4", white': 1000.0, "Jouets é": 250.12}
    assert second.created_at == MOMENT
    assert WalletEstimate.objects.get(account=accounts[0]).categories == {
        'Paper "A4", white': 1000.0
    }


def test_a_later_run_writes_the_tiers_that_changed_and_only_those(scored):
    assert dict(Account.objects.values_list("external_id", "tier"))["K5"] == "C"
    revenue = {"K1": 10_000.0, "K2": 100_000.0, "K3": 60_000.0, "K4": 30_000.0, "K5": 800_000.0}
    score_frames(
        as_of=AS_OF + dt.timedelta(days=1),
        features=features_for(revenue),
        monthly=monthly_for(revenue),
    )
    tiers = dict(Account.objects.values_list("external_id", "tier"))
    assert tiers["K5"] == "A"
    assert tiers["K1"] == "C"
    snapshots = AccountSnapshot.objects.filter(as_of=AS_OF + dt.timedelta(days=1))
    assert tiers == {s.account.external_id: s.tier for s in snapshots.select_related("account")}
    assert scored.pk != snapshots.first().run_id


def test_insert_frame_keeps_awkward_text_and_tells_empty_from_null():
    account = AccountFactory()
    run = ScoringRun.objects.create(as_of=AS_OF)
    reasons = ['top 1 % "by revenue", growing', "line\nbreak", "naïve €"]
    frame = pl.DataFrame(
        {
            "run_id": [run.pk],
            "account_id": [account.pk],
            "as_of": [AS_OF],
            "last_order_date": pl.Series([None], dtype=pl.Date),
            "orders": [3],
            "product_breadth": [1],
            "revenue_total": pl.Series([Decimal("1234.56")], dtype=pl.Decimal(18, 2)),
            "revenue_t12m": pl.Series([Decimal("1234.56")], dtype=pl.Decimal(18, 2)),
            "revenue_prev12m": [0.0],
            "tier": [""],
            "keylist_action": [""],
            "qualification_version": ["v1"],
            "qualification_contributions": ['{"size": 0.5}'],
            "keylist_reasons": [reasons],
            "keylist_over_cap": [True],
            "created_at": [MOMENT],
        }
    ).with_columns(json_text("keylist_reasons"))
    assert insert_frame(AccountSnapshot, frame) == 1
    row = AccountSnapshot.objects.get(account=account)
    assert row.keylist_reasons == reasons
    assert row.qualification_contributions == {"size": 0.5}
    assert row.revenue_t12m == Decimal("1234.56")
    assert row.tier == ""
    assert row.last_order_date is None
    assert row.keylist_over_cap is True
    assert row.created_at == MOMENT


def test_insert_frame_refuses_unknown_and_unencoded_columns():
    with pytest.raises(ValueError, match="no column"):
        insert_frame(RevenueSeries, pl.DataFrame({"account_id": [1], "colour": ["red"]}))
    with pytest.raises(ValueError, match="hold floats"):
        insert_frame(RevenueSeries, pl.DataFrame({"account_id": [1.0], "values": ["[]"]}))
    with pytest.raises(ValueError, match="as JSON text"):
        insert_frame(RevenueSeries, pl.DataFrame({"account_id": [1], "values": [[1.0, 2.0]]}))
