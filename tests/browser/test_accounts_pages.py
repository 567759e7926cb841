"""A person logs in, finds an account, and reads its page — in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.demo.load import DEMO_PASSWORD, load_world
from tenure.demo.world import DemoConfig, build_world
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(tmp_path):
    world = build_world(DemoConfig(accounts=60, seed=7, as_of=dt.date(2026, 10, 31)))
    load_world(world, home=tmp_path, progress=lambda _: None)
    return world


@pytest.mark.usefixtures("demo")
def test_wrong_password_is_refused_with_a_message(page, login):
    login("director", "not the password")
    assert page.get_by_role("alert").inner_text().startswith("Your username and password")


@pytest.mark.usefixtures("live_server")
def test_log_in_search_and_open_an_account(page, login, demo):
    login("director", DEMO_PASSWORD)
    # A director's home is the team's.
    page.get_by_role("heading", name="Team", exact=True).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"))
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("heading", name="Accounts").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "accounts.png"))

    target = demo.accounts[0]
    page.get_by_label("Search").fill(target.name.split()[0])
    page.get_by_role("link", name=target.name).first.wait_for()
    page.get_by_role("link", name=target.name).first.click()

    page.get_by_role("heading", name="Health and risk").wait_for()
    assert target.name in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "account.png"), full_page=True)
    page.get_by_role("tab", name="People").click()
    page.get_by_role("heading", name="Stakeholders", exact=True).wait_for()
    page.get_by_role("tab", name="Timeline").click()
    page.get_by_role("heading", name="What happened").wait_for()


def test_sorting_by_name_header_changes_the_order(page, login, demo, live_server):
    login("director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="Account ▲").click()
    page.wait_for_url("**sort=-name**")
    first_row = page.locator("tbody tr").first.inner_text()
    names = sorted((a.name for a in demo.accounts), reverse=True)
    assert first_row.startswith(names[0])


@pytest.mark.usefixtures("demo")
def test_logout_returns_to_login(page, login, live_server):
    login("director", DEMO_PASSWORD)
    page.get_by_role("heading", name="Team", exact=True).wait_for()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in to Tenure").wait_for()
    # Logged out for real: a page behind the login sends back to it.
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("heading", name="Log in to Tenure").wait_for()
    assert "/login/" in page.url


def test_log_an_interaction_and_see_it_on_the_timeline(page, login, demo, live_server):
    login("director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/accounts/")
    target = demo.accounts[3]
    page.get_by_label("Search").fill(target.external_id)
    page.get_by_role("link", name=target.name).first.click()
    page.get_by_role("tab", name="Timeline").click()
    page.get_by_role("heading", name="What happened").wait_for()
    before = page.locator("#last-strategic").inner_text()
    page.get_by_role("button", name="Log an interaction").click()
    page.get_by_role("heading", name="Log an interaction").wait_for()

    page.get_by_label("Type").select_option("meeting")
    page.get_by_label("When").fill("2026-10-30T09:30")
    page.get_by_label("Strategic (plans, relationship, review — not order chasing)").check()
    page.get_by_label("Summary").fill("Agreed the spring range and a joint forecast")
    page.get_by_label("Next step", exact=True).fill("Send the forecast template")
    page.get_by_role("button", name="Log interaction").click()

    page.get_by_text("Interaction logged.").wait_for()
    timeline = page.locator("#timeline")
    assert "Agreed the spring range and a joint forecast" in timeline.inner_text()
    after = page.locator("#last-strategic").inner_text()
    assert "30 Oct 2026" in after
    assert after != before


@pytest.mark.usefixtures("demo")
def test_adding_a_contact_ends_the_single_threaded_warning(page, login, live_server):
    from tenure.accounts.models import Account

    single = next(
        a for a in Account.objects.all() if a.positions.filter(left_on__isnull=True).count() == 1
    )
    login("director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{single.get_absolute_url()}")
    assert page.get_by_text("Single-threaded").is_visible()
    page.get_by_role("tab", name="People").click()
    page.get_by_role("link", name="Add a stakeholder").click()
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill("Moreau")
    page.get_by_label("Email").fill("ines.moreau@customer.example")
    page.get_by_label("Buying-centre role", exact=True).select_option("champion")
    page.get_by_role("button", name="Add stakeholder").click()
    page.get_by_text("Ines Moreau added to").wait_for()
    # The list changed in place; the warnings are read again with the page.
    page.reload()
    page.get_by_role("heading", name="Stakeholders", exact=True).wait_for()
    assert page.get_by_text("Single-threaded").count() == 0


@pytest.mark.usefixtures("demo")
def test_create_a_plan_with_a_goal_and_an_action(page, login, live_server):
    from tenure.accounts.models import Account

    account = Account.objects.filter(is_key_account=False).order_by("name").first()
    login("director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.get_by_role("tab", name="Plans & reviews").click()
    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Title").fill("Win back the spring season")
    page.get_by_label("Starts").fill("2026-11-01")
    page.get_by_label("Ends").fill("2027-01-31")
    page.get_by_role("button", name="Create plan").click()
    page.get_by_text("Plan created.").wait_for()

    page.get_by_label("Objective", exact=True).select_option("develop")
    page.get_by_label("Objective title").fill("Get listed for the spring range")
    page.get_by_role("button", name="Add objective").click()
    page.get_by_text("Objective added.").wait_for()

    page.get_by_label("KPI").fill("Spring SKUs listed")
    page.get_by_label("Baseline").fill("0")
    page.get_by_label("Target").fill("12")
    page.get_by_label("Goal due").fill("2027-01-15")
    page.get_by_role("button", name="Add goal").click()
    page.get_by_text("Goal added.").wait_for()

    page.get_by_label("Action", exact=True).fill("Send the spring catalogue")
    page.get_by_label("Action due").fill("2026-11-20")
    page.get_by_role("button", name="Add action").click()
    page.get_by_text("Action added.").wait_for()

    assert page.get_by_role("cell", name="Spring SKUs listed").is_visible()
    assert page.get_by_role("cell", name="Send the spring catalogue").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "plan.png"), full_page=True)
