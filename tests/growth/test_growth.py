"""Wallet estimates and suggestions: refreshed by scoring, acted on by people."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import IntegrityError, transaction

from tenure.core.errors import DomainError
from tenure.growth import services
from tenure.growth.models import GrowthSettings, Opportunity, WalletEstimate
from tenure.planning.models import AccountPlan
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


def ten_retailers() -> tuple[list, pl.DataFrame]:
    """Ten retailers of one size in the CRM, and their peer frame (revenue 10,000 to 100,000)."""
    accounts = [AccountFactory(industry="Retail", employees=100) for _ in range(10)]
    frame = pl.DataFrame(
        {
            "account_id": [a.pk for a in accounts],
            "industry": ["Retail"] * 10,
            "employees": [100] * 10,
            "revenue": [10_000.0 * (i + 1) for i in range(10)],
        }
    )
    return accounts, frame


@pytest.fixture
def portfolio():
    """Ten retailers of one size: nine buy Toys, all buy Paper; ``target`` lacks Toys."""
    accounts, frame = ten_retailers()
    rows = [(a.pk, "Paper", 1000.0) for a in accounts] + [
        (a.pk, "Toys", 500.0) for a in accounts[1:]
    ]
    spend = pl.DataFrame(rows, schema=["account_id", "product_category", "revenue"], orient="row")
    return accounts[0], frame, spend


def refresh(frame, spend, repair=None):
    return services.growth_refresh(as_of=AS_OF, accounts=frame, spend=spend, repair=repair)


def test_refresh_estimates_wallet_and_suggests_what_peers_buy(portfolio):
    target, frame, spend = portfolio
    assert refresh(frame, spend) == 1
    estimate = WalletEstimate.objects.get(account=target)
    assert estimate.potential_low <= estimate.potential <= estimate.potential_high
    assert estimate.categories == {"Paper": 1000.0}
    toys = Opportunity.objects.get(account=target)
    assert toys.category == "Toys"
    assert toys.shown
    assert toys.peers_buying == 9
    assert toys.peers == 9
    assert "9 of 9 Retail accounts with 50-249 employees buy it" in toys.evidence


def test_refresh_bounds_every_estimate_by_what_the_account_buys(portfolio):
    # Ten retailers of one size buying 10,000 to 100,000: the largest buys beyond the
    # peers' upper end (the 95th percentile of ten), so its potential is what it buys.
    _, frame, spend = portfolio
    refresh(frame, spend)
    estimates = list(WalletEstimate.objects.order_by("revenue_t12m"))
    assert len(estimates) == 10
    for estimate in estimates:
        assert estimate.revenue_t12m <= estimate.potential_low <= estimate.potential
        assert 0 <= estimate.share_low <= estimate.share_of_wallet <= estimate.share_high <= 1
        assert estimate.peer_label == "Retail accounts"
    top = estimates[-1]
    assert top.above_peers
    assert top.potential == top.revenue_t12m == 100_000
    assert top.share_of_wallet == 1.0
    assert not estimates[0].above_peers
    assert estimates[0].share_of_wallet < 0.5


def test_returns_beyond_purchases_give_a_share_of_nothing_not_a_negative_one(portfolio):
    # A former customer's late credit note is all it has in the window: net revenue below 0.
    target, frame, spend = portfolio
    frame = frame.with_columns(
        pl.when(pl.col("account_id") == target.pk)
        .then(-418.24)
        .otherwise(pl.col("revenue"))
        .alias("revenue")
    )
    refresh(frame, spend)
    estimate = WalletEstimate.objects.get(account=target)
    assert estimate.revenue_t12m < 0
    assert estimate.share_low == estimate.share_of_wallet == estimate.share_high == 0


def test_the_database_refuses_a_potential_below_revenue_or_a_share_above_one(portfolio):
    target = portfolio[0]
    money = {"potential_low": 50, "potential": 60, "potential_high": 80}
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletEstimate.objects.create(
            account=target, as_of=AS_OF, revenue_t12m=70, share_of_wallet=0.5, **money
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletEstimate.objects.create(
            account=target,
            as_of=AS_OF,
            revenue_t12m=10,
            share_of_wallet=1.2,
            share_low=1.1,
            share_high=1.3,
            **money,
        )


def test_min_peers_of_the_growth_settings_decides_whether_there_is_an_estimate(portfolio):
    target, frame, spend = portfolio
    GrowthSettings.objects.create(min_peers=11)
    refresh(frame, spend)
    estimate = WalletEstimate.objects.get(account=target)
    assert estimate.potential is None
    assert estimate.share_of_wallet is None
    assert estimate.reason == (
        "only 10 buying Retail accounts with an employee count (at least 11 needed)"
    )


def test_refresh_is_idempotent(portfolio):
    _, frame, spend = portfolio
    refresh(frame, spend)
    refresh(frame, spend)
    assert Opportunity.objects.count() == 1
    assert WalletEstimate.objects.count() == 10


def test_no_suggestions_while_the_relationship_needs_repair(portfolio):
    target, frame, spend = portfolio
    repair = pl.DataFrame({"account_id": [target.pk], "why": ["health 31 of 100"]})
    assert refresh(frame, spend, repair) == 0
    toys = Opportunity.objects.get(account=target)
    assert not toys.shown
    assert "repair first: health 31" in toys.held_back


def test_add_to_plan_creates_an_action_in_a_new_plan_and_never_twice(portfolio):
    target, frame, spend = portfolio
    refresh(frame, spend)
    manager = UserFactory()
    toys = Opportunity.objects.get(account=target)
    action = services.opportunity_plan(opportunity=toys, by=manager)
    assert action.owner == manager
    assert action.title.startswith("Offer Toys")
    assert AccountPlan.objects.get(account=target).title == f"Grow {target.name}"
    with pytest.raises(DomainError, match="already in the plan"):
        services.opportunity_plan(opportunity=toys, by=manager)
    refresh(frame, spend)  # the planned suggestion keeps its state
    assert Opportunity.objects.get(pk=toys.pk).status == "planned"


def test_declined_is_not_suggested_again_until_the_cooldown_passes(portfolio):
    target, frame, spend = portfolio
    refresh(frame, spend)
    toys = Opportunity.objects.get(account=target)
    services.opportunity_record(opportunity=toys, outcome="declined", by=UserFactory())
    refresh(frame, spend)
    assert Opportunity.objects.get(pk=toys.pk).status == "declined"
    GrowthSettings.objects.create(decline_cooldown_days=0)
    Opportunity.objects.filter(pk=toys.pk).update(decided_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    refresh(frame, spend)
    assert Opportunity.objects.get(pk=toys.pk).status == "suggested"


def test_outcome_must_be_known_and_final_outcomes_stay(portfolio):
    target, frame, spend = portfolio
    refresh(frame, spend)
    toys = Opportunity.objects.get(account=target)
    with pytest.raises(DomainError, match="offered, accepted or declined"):
        services.opportunity_record(opportunity=toys, outcome="maybe", by=UserFactory())
    services.opportunity_record(opportunity=toys, outcome="accepted", by=UserFactory())
    with pytest.raises(DomainError, match="already accepted"):
        services.opportunity_record(opportunity=toys, outcome="declined", by=UserFactory())


def test_account_page_shows_wallet_and_acting_on_a_suggestion(logged_in_client, portfolio):
    target, frame, spend = portfolio
    refresh(frame, spend)
    page = logged_in_client.get(target.get_absolute_url() + "?tab=growth").content.decode()
    assert "Grow the account" in page
    assert "Toys" in page
    assert "of its wallet" in page
    toys = Opportunity.objects.get(account=target)
    response = logged_in_client.post(
        f"/growth/opportunities/{toys.pk}/", {"step": "plan"}, follow=True
    )
    assert "Added to the plan" in response.content.decode()
    toys.refresh_from_db()
    assert toys.status == "planned"
    assert toys.action.plan.account == target


def test_whitespace_grid_marks_bought_and_suggested(client, portfolio):
    target, frame, spend = portfolio
    refresh(frame, spend)
    AccountFactory._meta.model.objects.filter(pk=target.pk).update(is_key_account=True)
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/growth/whitespace/").content.decode()
    assert target.name in page
    assert '○<span class="visually-hidden"> suggested' in page
    assert '●<span class="visually-hidden"> bought' in page
