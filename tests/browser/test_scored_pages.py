"""The pages that need a scoring run: portfolio, health and risk, growth suggestions."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.demo.load import DEMO_PASSWORD, load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.growth.models import Opportunity
from tenure.ledger.importing import import_orders
from tenure.scoring.run import run_scoring
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AS_OF = dt.date(2026, 10, 31)


@pytest.fixture
def scored(tmp_path, settings):
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    world = build_world(DemoConfig(accounts=120, seed=7, as_of=AS_OF))
    result = load_world(world, home=tmp_path, progress=lambda _: None)
    import_orders(result.order_lines_path, source="demo-erp", unknown_accounts="reject")
    run_scoring(as_of=AS_OF, progress=lambda _: None)
    return world


def test_portfolio_and_account_health_after_scoring(page, login, scored, live_server):
    login("director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portfolio/")
    page.get_by_role("heading", name="Revenue concentration").wait_for()
    assert page.get_by_role("heading", name="At risk").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "portfolio.png"), full_page=True)
    page.goto(f"{live_server.url}/?view=accounts")  # a director's home is the team's
    page.get_by_role("heading", name="Accounts", exact=True).wait_for()
    page.screenshot(path=str(SCREENSHOTS / "home.png"))
    top = scored.accounts[0]
    page.goto(f"{live_server.url}/accounts/?q={top.external_id}")
    page.get_by_role("link", name=top.name).first.click()
    page.get_by_role("heading", name="Revenue").wait_for()
    assert "Not scored yet" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "account.png"), full_page=True)


@pytest.mark.usefixtures("scored")
def test_turn_a_suggestion_into_a_plan_action(page, login, live_server):
    suggestion = (
        Opportunity.objects.filter(shown=True, status="suggested")
        .select_related("account")
        .order_by("-confidence")
        .first()
    )
    assert suggestion is not None, "the demo should give at least one strong suggestion"
    login("director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{suggestion.account.get_absolute_url()}")
    page.get_by_role("tab", name="Growth").click()
    page.get_by_role("heading", name="Grow the account").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name="Grow the account"))
    item = section.locator("li", has_text=suggestion.category).first
    item.get_by_role("button", name="Add to plan").click()
    page.get_by_text("Added to the plan").wait_for()
    suggestion.refresh_from_db()
    assert suggestion.status == "planned"
    assert suggestion.action is not None
    page.goto(f"{live_server.url}/plans/{suggestion.action.plan_id}/")
    assert page.get_by_role("cell", name=f"Offer {suggestion.category}").first.is_visible()
