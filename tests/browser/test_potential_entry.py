"""A manager enters the team's potential spend on the account page, in a real browser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.accounts.models import Account
from tenure.demo.load import DEMO_PASSWORD, load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.growth.models import WalletEstimate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(tmp_path):
    world = build_world(DemoConfig(accounts=20, seed=7, as_of=dt.date(2026, 10, 31)))
    load_world(world, home=tmp_path, progress=lambda _: None)
    account = Account.objects.get(external_id=world.accounts[0].external_id)
    WalletEstimate.objects.create(
        account=account,
        as_of=dt.date(2026, 10, 31),
        revenue_t12m=Decimal("80000"),
        reason="only 2 buying Retail accounts with an employee count (at least 5 needed)",
    )
    return account


def test_enter_a_potential_below_what_the_account_buys_and_see_it_flagged(
    page, login, account, live_server
):
    login("director", DEMO_PASSWORD)
    page.get_by_role("heading", name="Team", exact=True).wait_for()  # a director's home
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.get_by_role("tab", name="Growth").click()
    page.get_by_role("heading", name="Grow the account").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name="Grow the account"))
    assert section.get_by_text("Not enough comparable accounts").is_visible()
    section.get_by_text("Change the team's potential spend").click()
    section.get_by_label("Potential spend a year").fill("50000")
    section.get_by_label("Source").fill("buyer, at the QBR")
    section.get_by_role("button", name="Save potential spend").click()
    page.get_by_text("Potential spend set to 50,000 a year.").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name="Grow the account"))
    assert "below what it already buys (80,000)" in section.inner_text()
    assert "share of wallet counts as 100 %" in section.inner_text()
    account.refresh_from_db()
    assert account.potential_annual_spend == Decimal("50000")
    assert account.potential_spend_source == "buyer, at the QBR"
