"""The scoring run: tiers, qualification and key-list proposals written as snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.db import transaction

from tenure.accounts.models import Account
from tenure.core.errors import DomainError
from tenure.health.prepare import health_rows_write, prepare_health_and_risk, run_parameters
from tenure.scoring import services
from tenure.scoring.models import (
    AccountSnapshot,
    KeyListDecision,
    PortfolioSnapshot,
    RevenueSeries,
    ScoringRun,
)
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


def score_frames(
    *, as_of: dt.date, features: pl.DataFrame, monthly: pl.DataFrame, **options: Any
) -> ScoringRun:
    """The run's third step on frames: snapshots and health rows (no order lines, so no CLV
    and no risk training), as ``run_scoring`` writes them."""
    cutoffs = services.scoring_settings_current()
    health = prepare_health_and_risk(
        as_of=as_of, lines=None, features=features, a_share=cutoffs.a_share, b_share=cutoffs.b_share
    )
    with transaction.atomic():
        run = services.scoring_run(
            as_of=as_of,
            features=features,
            monthly=monthly,
            parameters=run_parameters(health),
            **options,
        )
        health_rows_write(run_id=run.pk, result=health)
    return run


def features_for(revenues: dict[str, float], prev: dict[str, float] | None = None) -> pl.DataFrame:
    prev = prev or {}
    keys = list(revenues)
    return pl.DataFrame(
        {
            "account_key": keys,
            "first_order_date": [dt.date(2024, 1, 5)] * len(keys),
            "last_order_date": [dt.date(2026, 6, 20)] * len(keys),
            "orders": [12] * len(keys),
            "revenue_total": [revenues[k] * 2.5 for k in keys],
            "revenue_t12m": [revenues[k] for k in keys],
            "revenue_prev12m": [prev.get(k, revenues[k]) for k in keys],
            "growth": [revenues[k] / prev.get(k, revenues[k]) - 1 for k in keys],
            "product_breadth": [3] * len(keys),
            "avg_order_value": [revenues[k] / 12 for k in keys],
            "median_interval_days": [30.0] * len(keys),
            "returns_share": [0.01] * len(keys),
            "days_since_last_order": [10] * len(keys),
        }
    )


def monthly_for(revenues: dict[str, float]) -> pl.DataFrame:
    months = pl.date_range(dt.date(2024, 7, 1), dt.date(2026, 6, 1), "1mo", eager=True)
    rows = [(k, m, v / 12) for k, v in revenues.items() for m in months]
    return pl.DataFrame(rows, schema=["account_key", "month", "revenue"], orient="row")


@pytest.fixture
def portfolio():
    revenue = {"K1": 800_000.0, "K2": 100_000.0, "K3": 60_000.0, "K4": 30_000.0, "K5": 10_000.0}
    for key in revenue:
        AccountFactory(external_id=key, name=f"Account {key}")
    AccountFactory(external_id="NOORDERS", name="Quiet")
    return revenue


def test_tiers_follow_cumulative_revenue_share_and_are_written_to_accounts(portfolio):
    run = services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    tiers = dict(Account.objects.values_list("external_id", "tier"))
    # 800k of 1m is exactly 80 %: K1 is A; K2 crosses 95 % with 90 %→ B; the rest C.
    assert tiers == {"K1": "A", "K2": "B", "K3": "B", "K4": "C", "K5": "C", "NOORDERS": "C"}
    assert run.accounts_scored == 6
    assert run.status == "done"
    quiet = AccountSnapshot.objects.get(account__external_id="NOORDERS")
    assert quiet.revenue_t12m == 0
    assert quiet.orders == 0


def test_rerunning_the_same_date_replaces_snapshots(portfolio):
    for _ in range(2):
        services.scoring_run(
            as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
        )
    assert AccountSnapshot.objects.filter(as_of=AS_OF).count() == 6
    assert PortfolioSnapshot.objects.count() == 1
    assert RevenueSeries.objects.count() == 5


def test_unknown_ledger_keys_are_counted_not_scored(portfolio):
    run = services.scoring_run(
        as_of=AS_OF,
        features=features_for({**portfolio, "STRANGER": 5.0}),
        monthly=monthly_for(portfolio),
    )
    assert run.unmatched_keys == 1
    assert not Account.objects.filter(external_id="STRANGER").exists()


def test_portfolio_snapshot_holds_concentration_and_tier_table(portfolio):
    services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    snapshot = PortfolioSnapshot.objects.get()
    assert snapshot.concentration["n_accounts"] == 6
    assert snapshot.concentration["total_revenue"] == pytest.approx(1_000_000)
    tiers = {row["tier"]: row for row in snapshot.tiers}
    assert tiers["A"]["share"] == pytest.approx(0.8)
    assert tiers["C"]["accounts"] == 3
    assert snapshot.pareto[-1] == (1.0, 1.0) or list(snapshot.pareto[-1]) == [1.0, 1.0]


def test_revenue_series_is_one_row_per_account_in_month_order(portfolio):
    services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    series = RevenueSeries.objects.get(account__external_id="K1")
    assert series.first_month == dt.date(2024, 7, 1)
    assert len(series.values) == 24
    assert series.values[0] == pytest.approx(800_000 / 12, rel=1e-6)


def test_tier_a_account_is_proposed_for_promotion_with_reasons(portfolio):
    services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    snapshot = AccountSnapshot.objects.get(account__external_id="K1")
    assert snapshot.keylist_action == "promote"
    assert any("tier A" in reason for reason in snapshot.keylist_reasons)


def test_fast_growing_b_account_is_proposed(portfolio):
    features = features_for(portfolio, prev={"K3": 20_000.0})
    services.scoring_run(as_of=AS_OF, features=features, monthly=monthly_for(portfolio))
    snapshot = AccountSnapshot.objects.get(account__external_id="K3")
    assert snapshot.tier == "B"
    assert snapshot.keylist_action == "promote"
    assert any("growth" in reason for reason in snapshot.keylist_reasons)


def test_qualification_uses_people_ratings_and_explains_itself(portfolio):
    account = Account.objects.get(external_id="K4")
    rater = UserFactory()
    for criterion in ("strategic_value", "market_influence", "market_position"):
        services.rating_set(account=account, criterion=criterion, score=5, rated_by=rater)
    services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    snapshot = AccountSnapshot.objects.get(account=account)
    assert snapshot.qualification_contributions["strategic_value"] > 0
    assert sum(v for v in snapshot.qualification_contributions.values() if v) == pytest.approx(
        snapshot.qualification_score
    )
    assert snapshot.qualification_coverage < 1  # growth potential, geography fit unrated


def test_rating_outside_1_to_5_is_refused():
    with pytest.raises(DomainError, match="a rating is between 1 and 5"):
        services.rating_set(
            account=AccountFactory(), criterion="strategic_value", score=9, rated_by=UserFactory()
        )


def test_promotion_is_an_explicit_decision_with_who_and_why(portfolio):
    services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    account = Account.objects.get(external_id="K1")
    director = UserFactory()
    with pytest.raises(DomainError, match="no key account manager"):
        services.keylist_decide(
            account=account,
            action="promote",
            outcome="accepted",
            decided_by=director,
            reason="Biggest customer",
            on=AS_OF,
        )
    assert not KeyListDecision.objects.exists()
    TeamMembershipFactory(account=account)
    decision = services.keylist_decide(
        account=account,
        action="promote",
        outcome="accepted",
        decided_by=director,
        reason="Biggest customer",
        on=AS_OF,
    )
    account.refresh_from_db()
    assert account.is_key_account
    assert account.key_account_since == AS_OF
    assert decision.evidence
    assert decision.snapshot_as_of == AS_OF


def test_rejected_proposal_changes_nothing_but_is_recorded(portfolio):
    services.scoring_run(
        as_of=AS_OF, features=features_for(portfolio), monthly=monthly_for(portfolio)
    )
    account = Account.objects.get(external_id="K1")
    services.keylist_decide(
        account=account,
        action="promote",
        outcome="rejected",
        decided_by=UserFactory(),
        reason="A distributor, not a partner",
        on=AS_OF,
    )
    account.refresh_from_db()
    assert not account.is_key_account
    assert KeyListDecision.objects.get().outcome == "rejected"


def test_an_account_not_yet_scored_can_be_promoted_without_evidence():
    account = AccountFactory(external_id="NEW", name="New Customer")
    TeamMembershipFactory(account=account)
    decision = services.keylist_decide(
        account=account,
        action="promote",
        outcome="accepted",
        decided_by=UserFactory(),
        reason="Signed a framework agreement",
        on=AS_OF,
    )
    account.refresh_from_db()
    assert account.is_key_account
    assert decision.evidence == []
    assert decision.snapshot_as_of is None
