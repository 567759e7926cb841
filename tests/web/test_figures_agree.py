"""A churn risk reads the same on every page that shows it (issue 16: one formatter)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from html import unescape

import pytest
import time_machine

from tenure.accounts.models import Account
from tenure.core.figures import money, percent
from tenure.demo.load import load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.feedback.selectors import account_sentiment
from tenure.growth.models import WalletEstimate
from tenure.health.models import AccountHealth
from tenure.ledger.importing import import_orders
from tenure.scoring.models import AccountSnapshot, ScoringRun
from tenure.scoring.run import run_scoring
from tests.accounts.factories import AccountFactory, TeamMembershipFactory

# Builds and scores a small demo portfolio: an end-to-end test, left out of `make test-fast`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def low_risk(user):
    """Two key accounts of the logged-in director with risks that round to 1 % and 0 %."""
    run = ScoringRun.objects.create(as_of=TODAY, status="done")
    accounts = []
    for name, risk in (("Linden Foods", 0.0067), ("Oak Tools", 0.0029)):
        account = AccountFactory(name=name, is_key_account=False)
        TeamMembershipFactory(account=account, user=user, role="kam")
        account.is_key_account = True
        account.save()
        AccountHealth.objects.create(
            run=run,
            account=account,
            as_of=TODAY,
            health_score=80.0,
            risk=risk,
            risk_horizon_days=180,
        )
        accounts.append(account)
    return accounts


def test_a_risk_under_one_percent_reads_under_1_percent_on_home_account_and_brief(
    logged_in_client, low_risk
):
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=False):
        home = logged_in_client.get("/?view=accounts").content.decode()
        pages = {
            "home": home,
            **{
                f"account {a.name}": logged_in_client.get(a.get_absolute_url()).content.decode()
                for a in low_risk
            },
            **{
                f"brief {a.name}": logged_in_client.get(f"/accounts/{a.pk}/brief/").content.decode()
                for a in low_risk
            },
        }
    assert home.count("under 1 %") == 2
    for name, page in pages.items():
        assert "under 1 %" in page, name
        assert "<strong>1 %</strong>" not in page, name
        assert "<strong>0 %</strong>" not in page, name


def test_value_at_stake_on_home_has_thousands_separators_like_the_portfolio(
    logged_in_client, low_risk
):
    AccountHealth.objects.filter(account=low_risk[0]).update(clv=1234567)
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=False):
        home = logged_in_client.get("/?view=accounts").content.decode()
    assert "8,272 at stake" in home  # 0.0067 × 1,234,567


# --- every figure of a scored demo, on every page and in the API ---------------------------

SCORED_AS_OF = dt.date(2026, 10, 31)


@pytest.fixture
def scored_demo(tmp_path, settings):
    """A small demo portfolio imported and scored as ``tenure demo`` would (60 accounts)."""
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    world = build_world(DemoConfig(accounts=60, seed=7, as_of=SCORED_AS_OF))
    result = load_world(world, home=tmp_path, progress=lambda _: None)
    import_orders(result.order_lines_path, source="demo-erp", unknown_accounts="reject")
    run_scoring(as_of=SCORED_AS_OF, progress=lambda _: None)
    return world


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _row(html: str, href: str) -> str:
    """The text of the first table row linking to ``href``."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if f'href="{href}"' in row:
            return _text(row)
    raise AssertionError(f"no row links to {href}")


def _api_items(client, url: str) -> list[dict]:
    """Every item of a paginated API list."""
    items, page = [], 1
    while True:
        body = client.get(url, {"page": page, "page_size": 100}).json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1


def _section(html: str, heading_id: str) -> str:
    """The text of the card whose heading has this id."""
    start = html.index(f'id="{heading_id}"')
    return _text(html[start : html.index("</section>", start)])


@pytest.mark.usefixtures("scored_demo")
def test_every_page_and_the_api_agree_on_each_accounts_figures(logged_in_client):
    """Key-account count, tier counts, and each account's tier, risk, health, revenue, NPS and
    share of wallet read the same on the portfolio, the accounts list, the account page, the
    brief, the home page and the API (issue 16, Checked by)."""
    client = logged_in_client
    accounts = list(Account.objects.order_by("pk"))
    snapshots = {s.account_id: s for s in AccountSnapshot.objects.filter(as_of=SCORED_AS_OF)}
    health = {h.account_id: h for h in AccountHealth.objects.filter(as_of=SCORED_AS_OF)}
    wallets = {w.account_id: w for w in WalletEstimate.objects.filter(as_of=SCORED_AS_OF)}
    key_count = sum(a.is_key_account for a in accounts)
    tier_counts = Counter(a.tier for a in accounts)
    assert key_count > 0
    assert set(tier_counts) >= {"A", "B", "C"}

    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), tick=False):
        portfolio = client.get("/portfolio/").content.decode()
        api = client.get("/api/v1/portfolio").json()
        scores = {s["account_id"]: s for s in _api_items(client, "/api/v1/scores")}
        api_accounts = {a["id"]: a for a in _api_items(client, "/api/v1/accounts")}
        home = "".join(
            client.get(f"/?page={n}").content.decode() for n in range(1, len(accounts) // 25 + 2)
        )

        # The key-account count and the tier counts.
        assert api["figures"]["key_accounts"] == key_count
        assert f"Key accounts ({key_count})" in _text(portfolio)
        assert {t: n for t, n in api["figures"]["by_tier"].items() if n} == dict(tier_counts)
        tiers_api = {row["tier"]: row for row in api["snapshot"]["tiers"]}
        tier_table = _section(portfolio, "tiers-h")
        for tier, n in tier_counts.items():
            assert tiers_api[tier]["accounts"] == n, tier
            keys = sum(a.is_key_account for a in accounts if a.tier == tier)
            assert tiers_api[tier]["key_accounts"] == keys, tier
            assert re.search(rf"\b{tier} {n} {keys} ", tier_table), (tier, tier_table)
            listing = _text(client.get(f"/accounts/?tier={tier}").content.decode())
            assert f"{n} account{'s' if n != 1 else ''}" in listing, tier
        listing = _text(client.get("/accounts/?key=1").content.decode())
        assert f"{key_count} account" in listing

        checked: Counter[str] = Counter()
        for account in accounts:
            url = account.get_absolute_url()
            snapshot, h, wallet = (
                snapshots.get(account.pk),
                health.get(account.pk),
                wallets.get(account.pk),
            )
            where = f"{account.name} (#{account.pk})"
            page = client.get(url).content.decode()
            text = _text(page)
            brief = _text(client.get(f"/accounts/{account.pk}/brief/").content.decode())
            row = _row(client.get(f"/accounts/?q={account.external_id}").content.decode(), url)

            # Tier: the account, its latest snapshot, every page and the API.
            assert snapshot is not None, where
            assert snapshot.tier == account.tier, where
            assert scores[account.pk]["tier"] == account.tier, where
            assert api_accounts[account.pk]["tier"] == account.tier, where
            assert f"Tier {account.tier}" in text, where
            assert f"tier {account.tier}" in _section(page, "revenue-h"), where
            assert f" {account.tier} " in f" {row} ", where
            assert f"Tier {account.tier}" in brief, where
            # Revenue: one amount, one formatter.
            assert Decimal(scores[account.pk]["revenue_t12m"]) == snapshot.revenue_t12m, where
            revenue = money(snapshot.revenue_t12m)
            assert f"Trailing 12 months: {revenue}" in text, where
            assert f"Last 12 months {revenue}" in brief, where
            if account.is_key_account:
                key_row = _row(portfolio[portfolio.index('id="key-h"') :], url)
                assert f"{account.tier} {revenue} " in key_row, where
            # Health and risk.
            if h is not None and h.health_score is not None:
                assert f"Health: {h.health_score:.0f} / 100" in text, where
                assert f"Health {h.health_score:.0f}/100" in brief, where
            if h is not None and h.risk is not None:
                checked["risk"] += 1
                assert f"days: {percent(h.risk)}" in text, where
                assert f"churn risk {percent(h.risk)} in" in brief, where
            if f'href="{url}"' in home:
                checked["home"] += 1
                home_row = _row(home, url)
                assert f" {account.tier} " in f" {home_row} ", where
                if h is not None and h.risk is not None:
                    assert percent(h.risk) in home_row, where
                if h is not None and h.health_score is not None:
                    assert f" {h.health_score:.0f} " in f" {home_row} ", where
            # NPS: the account page's card, the brief and the API read one figure.
            nps = account_sentiment(account).nps
            if nps.result is not None:
                checked["nps"] += 1
                feedback = client.get(f"{url}?tab=feedback").content.decode()
                assert f"NPS {nps.result.score:.0f}" in _section(feedback, "feedback-h"), where
                header = _text(page[page.index('class="account-header"') :])
                assert f"NPS {nps.result.score:.0f}" in header, where
                assert f"NPS {nps.result.score:.0f}" in brief, where
                api_nps = client.get("/api/v1/surveys/figures", {"account": account.pk}).json()
                assert api_nps["portfolio"]["score"] == pytest.approx(nps.result.score), where
            # Share of wallet: the page's and the API's.
            if wallet is not None and wallet.share_of_wallet is not None:
                checked["wallet"] += 1
                api_wallet = client.get(f"/api/v1/accounts/{account.pk}/wallet").json()
                assert api_wallet["estimate"]["share_of_wallet"] == pytest.approx(
                    wallet.share_of_wallet
                )
                assert 0 <= wallet.share_of_wallet <= 1, where
                growth_page = client.get(f"{url}?tab=growth").content.decode()
                growth = _section(growth_page, "growth-h")
                assert percent(wallet.share_of_wallet) in growth, where
    # Each kind of figure was compared on some accounts, not skipped on all.
    assert min(checked[k] for k in ("risk", "home", "nps", "wallet")) > 0, checked
