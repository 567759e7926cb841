"""Share of wallet and suggestions through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.growth.models import Opportunity, WalletEstimate
from tests.accounts.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_wallet_shows_entered_and_estimated_potential(api):
    account = AccountFactory(
        potential_annual_spend=Decimal("90000"),
        potential_spend_source="buyer, at the QBR",
        potential_spend_as_of=dt.date(2026, 9, 1),
    )
    assert api.get(f"/accounts/{account.pk}/wallet").json()["estimate"] is None
    WalletEstimate.objects.create(
        account=account,
        as_of=dt.date(2026, 10, 31),
        potential_low=Decimal(50000),
        potential=Decimal(60000),
        potential_high=Decimal(80000),
        share_of_wallet=0.5,
        share_low=0.375,
        share_high=0.6,
        n_peers=12,
        peer_label="Retail accounts",
        categories={"Paper": 30000.0},
    )
    body = api.get(f"/accounts/{account.pk}/wallet").json()
    assert body["potential_entered_source"] == "buyer, at the QBR"
    assert body["estimate"]["n_peers"] == 12
    assert body["estimate"]["categories"] == {"Paper": 30000.0}
    assert body["estimate"]["above_peers"] is False
    # The estimate records no revenue here, so the team's figure gives a share of 0.
    assert body["potential_entered_share"] == 0.0
    assert body["potential_entered_below_revenue"] is False


def test_opportunities_hide_weak_ones_unless_asked(api):
    account = AccountFactory()
    common = {"as_of": dt.date(2026, 10, 31), "peers": 10, "peer_label": "Retail accounts"}
    Opportunity.objects.create(
        account=account,
        category="Toys",
        rank=1,
        confidence=0.6,
        peers_buying=9,
        shown=True,
        **common,
    )
    Opportunity.objects.create(
        account=account,
        category="Garden",
        rank=2,
        confidence=0.1,
        peers_buying=1,
        shown=False,
        **common,
    )
    shown = api.get(f"/accounts/{account.pk}/opportunities").json()
    assert [o["category"] for o in shown] == ["Toys"]
    assert "9 of 10 Retail accounts buy it" in shown[0]["evidence"]
    every = api.get(f"/accounts/{account.pk}/opportunities?include_hidden=true").json()
    assert {o["category"] for o in every} == {"Toys", "Garden"}
