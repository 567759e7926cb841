"""Seasonal preparation touchpoints before each peak, planned once however often it runs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from tenure.demo.world import SEASON_PROFILES
from tenure.engagement.models import SeasonalPreparation, Touchpoint
from tenure.engagement.seasonal import last_complete_month, seasonal_touchpoints_plan
from tenure.scoring.models import RevenueSeries
from tenure.scoring.selectors import portfolio_profiles
from tests.accounts.factories import AccountFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)
# A unique constraint broken: PostgreSQL names the constraint, SQLite its columns.
ONE_PREPARATION_PER_PEAK = (
    r"seasonal_one_per_account_and_peak"
    r"|engagement_seasonalpreparation\.account_id, engagement_seasonalpreparation\.peak_starts_on$"
)


def _series(account, season: str = "christmas", *, months: int = 37, seed: int = 0):
    """Monthly revenue from March 2023 to February 2026, and two days of March 2026."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    calendar = (t + 2) % 12  # March first
    values = 10_000 * SEASON_PROFILES[season][calendar] * (1 + rng.normal(0, 0.05, months))
    values[-1] *= 0.05  # the month in progress
    return RevenueSeries.objects.create(
        account=account,
        as_of=dt.date(2026, 3, 2),
        first_month=dt.date(2023, 3, 1),
        values=[round(float(v), 2) for v in values],
    )


@pytest.fixture
def toy_maker():
    """A christmas-goods account (peak August–October) with its key account manager."""
    membership = TeamMembershipFactory(role="kam", account=AccountFactory(name="Toyland"))
    _series(membership.account)
    return membership


def test_the_month_in_progress_is_left_out():
    assert last_complete_month(dt.date(2026, 3, 2)) == dt.date(2026, 2, 1)
    assert last_complete_month(dt.date(2026, 2, 28)) == dt.date(2026, 2, 1)
    assert last_complete_month(dt.date(2024, 2, 28)) == dt.date(2024, 1, 1)


def test_profiles_come_from_the_stored_revenue_series(toy_maker):
    profiles = portfolio_profiles()
    row = profiles.row(0, named=True)
    assert row["account_id"] == toy_maker.account_id
    assert row["months"] == 36  # March 2026 is not over
    assert row["peak_label"] == "August–October"
    assert row["is_seasonal"]


def test_a_preparation_touchpoint_is_planned_six_weeks_before_the_peak_for_the_manager(
    toy_maker,
):
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY)
    (touchpoint,) = plan.created
    assert touchpoint.kind == "seasonal"
    assert touchpoint.title == "Prepare for the August–October peak"
    assert touchpoint.scheduled_on == dt.date(2026, 8, 1) - dt.timedelta(weeks=6)
    assert touchpoint.owner == toy_maker.user
    assert plan.seasonal_accounts == 1
    assert plan.planned == 1
    assert plan.late == 0
    preparation = SeasonalPreparation.objects.get()
    assert (preparation.peak_starts_on, preparation.touchpoint) == (dt.date(2026, 8, 1), touchpoint)


@pytest.mark.usefixtures("toy_maker")
def test_running_again_plans_nothing_new_even_with_another_lead_time():
    seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY)
    again = seasonal_touchpoints_plan(
        profiles=portfolio_profiles(), today=TODAY + dt.timedelta(days=7), lead_weeks=8
    )
    assert again.created == []
    assert again.already_planned == 1
    assert Touchpoint.objects.count() == 1


@pytest.mark.usefixtures("toy_maker")
def test_a_rescheduled_or_deleted_preparation_is_not_planned_again():
    (touchpoint,) = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY).created
    touchpoint.scheduled_on = dt.date(2026, 7, 1)
    touchpoint.save()
    assert seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY).created == []
    touchpoint.delete()
    assert seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY).created == []
    assert SeasonalPreparation.objects.get().touchpoint is None


def test_the_database_refuses_a_second_preparation_for_the_same_peak(toy_maker):
    SeasonalPreparation.objects.create(
        account=toy_maker.account, peak_starts_on=dt.date(2026, 8, 1), peak_label="August"
    )
    with pytest.raises(IntegrityError, match=ONE_PREPARATION_PER_PEAK):
        SeasonalPreparation.objects.create(
            account=toy_maker.account, peak_starts_on=dt.date(2026, 8, 1), peak_label="August"
        )


@pytest.mark.usefixtures("toy_maker")
def test_a_peak_nearer_than_the_lead_time_is_prepared_today():
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=dt.date(2026, 7, 10))
    assert plan.created[0].scheduled_on == dt.date(2026, 7, 10)
    assert plan.late == 1


@pytest.mark.usefixtures("toy_maker")
def test_a_peak_under_way_is_prepared_for_next_year():
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=dt.date(2026, 9, 15))
    assert SeasonalPreparation.objects.get().peak_starts_on == dt.date(2027, 8, 1)
    assert plan.created[0].scheduled_on == dt.date(2027, 6, 20)


@pytest.mark.usefixtures("toy_maker")
def test_steady_churned_and_unmanaged_accounts():
    _series(AccountFactory(name="Steady"), "none")
    _series(AccountFactory(name="Gone", status="churned"), "summer")
    unmanaged = AccountFactory(name="Nobody's")
    _series(unmanaged, "school_year")
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY)
    assert {t.account.name for t in plan.created} == {"Toyland", "Nobody's"}
    assert plan.without_manager == 1
    assert Touchpoint.objects.get(account=unmanaged).owner is None


@pytest.mark.usefixtures("toy_maker")
def test_a_dry_run_writes_nothing():
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY, dry_run=True)
    assert plan.planned == 1
    assert plan.created == []
    assert not Touchpoint.objects.exists()
    assert not SeasonalPreparation.objects.exists()


def test_the_touchpoints_command_plans_and_says_so(capsys, toy_maker):
    call_command("touchpoints", "--seasonal", "--today", "2026-03-02")
    call_command("touchpoints", "--seasonal", "--today", "2026-03-02")
    out = capsys.readouterr().out
    assert "1 seasonal accounts: planned 1 preparation touchpoint(s)" in out
    assert "planned 0 preparation touchpoint(s); 1 peak(s) already planned for" in out
    assert Touchpoint.objects.filter(account=toy_maker.account, kind="seasonal").count() == 1
    with pytest.raises(CommandError, match="--seasonal"):
        call_command("touchpoints")


@pytest.mark.usefixtures("toy_maker")
def test_the_seasonality_command_lists_profiles_and_backtests(capsys, tmp_path):
    call_command("seasonality", "--top", "5")
    out = capsys.readouterr().out
    assert "1 seasonal (strength ≥ 0.40)" in out
    assert "Toyland" in out
    call_command("seasonality", "--backtest", "--csv", str(tmp_path / "bt.csv"))
    out = capsys.readouterr().out
    assert "MASE" in out
    assert "1 accounts scored" in out
    assert (tmp_path / "bt.csv").read_text().startswith("account_id,method,mase")


def test_the_seasonality_command_refuses_an_order_line_file_without_orders(tmp_path):
    empty = tmp_path / "lines.csv"
    empty.write_text("account_key,order_date,amount\n")
    with pytest.raises(CommandError, match="holds no order dates"):
        call_command("seasonality", "--order-lines", str(empty))


@pytest.mark.usefixtures("toy_maker")
def test_many_preparations_are_written_in_bulk_with_one_audit_event():
    from tenure.audit.models import AuditEvent

    for n in range(5):
        _series(AccountFactory(name=f"Toys {n}"), seed=n + 1)
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY)
    assert plan.planned == 6
    assert len(plan.created) == 6
    assert SeasonalPreparation.objects.filter(touchpoint__isnull=False).count() == 6
    assert AuditEvent.objects.filter(model="engagement.touchpoint").count() == 1


@pytest.mark.usefixtures("toy_maker")
def test_a_peak_planned_meanwhile_by_another_run_is_not_planned_twice(monkeypatch):
    from tenure.engagement import seasonal

    other = AccountFactory(name="Toys 2")
    _series(other, seed=3)
    real_plan_all = seasonal._plan_all

    def concurrent_run_first(pending):
        # Another run plans one of the same peaks between our read and our write.
        first = pending[0]
        SeasonalPreparation.objects.create(
            account=first.account, peak_starts_on=first.peak_start, peak_label=first.label
        )
        return real_plan_all(pending)

    monkeypatch.setattr(seasonal, "_plan_all", concurrent_run_first)
    plan = seasonal_touchpoints_plan(profiles=portfolio_profiles(), today=TODAY)
    assert plan.planned == 1
    assert plan.already_planned == 1
    assert Touchpoint.objects.count() == 1  # no orphan left by the refused bulk insert
    assert SeasonalPreparation.objects.count() == 2
