"""Every money figure on the main pages carries its currency (issue 16, item 10)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tenure.accounts.models import Account
from tenure.core.figures import money
from tenure.growth.models import Opportunity
from tenure.health.models import AccountHealth
from tenure.ledger.rates import ReportingCurrency
from tests.accounts.factories import AccountFactory, TeamMembershipFactory
from tests.api.conftest import client_for, make_user
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

pytestmark = pytest.mark.django_db
REVENUE = {"K1": 800_000.0, "K2": 100_000.0, "K3": 60_000.0, "K4": 30_000.0, "K5": 10_000.0}
#: An amount with thousands separators: in this small portfolio every such figure is money
#: (no count reaches 1,000), so each must be followed by its currency.
AMOUNT = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")


@pytest.fixture
def scored_in_eur(user):
    for key in REVENUE:
        AccountFactory(external_id=key, name=f"Account {key}")
    run = score_frames(
        as_of=AS_OF,
        features=features_for(REVENUE),
        monthly=monthly_for(REVENUE),
        currency=ReportingCurrency(code="EUR", ledger=("EUR",), rates={}),
    )
    top = Account.objects.get(external_id="K1")
    TeamMembershipFactory(account=top, user=user, role="kam")
    top.is_key_account = True
    top.save()
    AccountHealth.objects.update_or_create(
        account=top,
        as_of=AS_OF,
        defaults={"run": run, "health_score": 70.0, "risk": 0.2, "clv": 1_500_000},
    )
    return top


def bare_amounts(page: str) -> list[str]:
    """Amounts on the page not followed by a currency code (the HHI is an index, not money)."""
    page = re.sub(r"<dt>HHI</dt><dd>[^<]*</dd>", "", page)
    return [
        match.group()
        for match in AMOUNT.finditer(page)
        if not re.match(r"\s?[A-Z]{3}\b", page[match.end() : match.end() + 5])
    ]


def test_money_reads_with_its_currency():
    assert money(1_457_178.4, "EUR") == "1,457,178 EUR"
    assert money(None, "EUR") == "—"
    assert money(1_457_178.4) == "1,457,178"


def test_account_page_portfolio_home_and_brief_show_money_in_eur(logged_in_client, scored_in_eur):
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC), tick=False):
        account = logged_in_client.get(scored_in_eur.get_absolute_url()).content.decode()
        portfolio = logged_in_client.get(reverse("scoring:portfolio")).content.decode()
        home = logged_in_client.get("/?view=accounts").content.decode()
        brief = logged_in_client.get(f"/accounts/{scored_in_eur.pk}/brief/").content.decode()
    assert "Trailing 12 months: <strong>800,000 EUR</strong>" in account
    assert "1,500,000 EUR" in account  # lifetime value
    assert "1,000,000 EUR" in portfolio  # the portfolio's revenue
    assert "800,000 EUR" in portfolio
    assert "300,000 EUR at stake" in home  # 0.2 × 1,500,000
    assert "Last 12 months <strong>800,000 EUR</strong>" in brief
    pages = {"account": account, "portfolio": portfolio, "home": home, "brief": brief}
    for name, page in pages.items():
        assert bare_amounts(page) == [], name


def test_the_api_names_the_currency_of_its_amounts(scored_in_eur):
    api = client_for(make_user("director"))
    portfolio = api.get("/api/v1/portfolio").json()
    assert portfolio["snapshot"]["currency"] == "EUR"
    score = api.get(f"/api/v1/accounts/{scored_in_eur.pk}/score").json()
    assert score["currency"] == "EUR"
    assert score["revenue_t12m"] == "800000.00"


def test_a_growth_suggestion_names_the_currency_of_its_peer_spend():
    suggestion = Opportunity(
        category="Paper",
        peers=10,
        peers_buying=6,
        peer_label="retailers",
        peer_median_spend=Decimal("12345.60"),
        currency="EUR",
    )
    assert suggestion.evidence.endswith("they typically spend 12,346 EUR a year on it")
