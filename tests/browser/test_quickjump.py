"""Quick-jump (Ctrl+K) and the phone menu, driven by keyboard as a person would."""

from __future__ import annotations

import re
import urllib.request

import pytest

from tenure.access.services import role_assign
from tests.accounts.factories import AccountFactory, ContactFactory, PositionFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _warm_server(live_server):
    """The live server's first answer (static files indexed, templates compiled) can take
    longer than a page's 10 s timeout on a busy machine: ask once before the browser does."""
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=120).read()


@pytest.fixture
def director():
    user = UserFactory(username="dana")
    role_assign(user=user, role="director")
    return user


@pytest.fixture
def harbour():
    account = AccountFactory(name="Harbour Foods")
    AccountFactory(name="Hill Bakery")
    PositionFactory(account=account, contact=ContactFactory(first_name="Ada", last_name="Harbo"))
    return account


def test_quick_jump_by_keyboard_lands_on_the_account(page, login, director, harbour):
    login(director.username, PASSWORD)
    page.get_by_role("heading", name="Team", exact=True).wait_for()  # a director's home
    page.wait_for_load_state("load")  # the shortcut is bound by a deferred script
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox", name="Jump to an account, person, plan or task")
    assert box.evaluate("el => el === document.activeElement")
    page.keyboard.type("harb")
    page.get_by_role("option", name=re.compile("^Harbour Foods")).wait_for()
    assert page.get_by_role("group", name="People").get_by_role("option").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "quickjump.png"))
    page.keyboard.press("ArrowDown")
    chosen = page.get_by_role("option", name=re.compile("^Harbour Foods"))
    assert chosen.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{harbour.pk}/")
    assert "Harbour Foods" in page.get_by_role("heading", level=1).inner_text()


@pytest.mark.usefixtures("harbour")
def test_escape_closes_quick_jump_and_focus_returns_where_it_was(page, login, director):
    login(director.username, PASSWORD)
    page.get_by_role("heading", name="Team", exact=True).wait_for()  # a director's home
    brand = page.get_by_role("link", name="Tenure", exact=True)
    brand.focus()
    page.wait_for_load_state("load")  # the shortcut is bound by a deferred script
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog", name="Jump to")
    dialog.wait_for()
    page.keyboard.type("zzzz")
    page.get_by_text("Nothing you may see matches “zzzz”.").wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert brand.evaluate("el => el === document.activeElement")


@pytest.mark.usefixtures("harbour")
def test_enter_without_a_choice_opens_the_full_results_page(page, login, director):
    login(director.username, PASSWORD)
    # The shortcut is bound once the page has loaded its script.
    page.get_by_role("heading", name="Team", exact=True).wait_for()
    page.wait_for_load_state("load")  # the shortcut is bound by a deferred script
    page.keyboard.press("Control+k")
    page.keyboard.type("harb")
    page.get_by_role("option", name=re.compile("^Harbour Foods")).wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=harb")
    assert page.get_by_role("heading", name="People").is_visible()
    assert page.get_by_role("link", name="Ada Harbo").is_visible()


@pytest.mark.usefixtures("harbour")
def test_the_header_find_field_searches_without_javascript_tricks(page, login, director):
    login(director.username, PASSWORD)
    page.get_by_label("Find an account, person, plan or task").fill("hill")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=hill")
    page.get_by_role("link", name="Hill Bakery").click()
    page.wait_for_url("**/accounts/*/")


@pytest.mark.usefixtures("harbour")
def test_the_phone_menu_opens_by_keyboard_and_escape_closes_it(browser, live_server, director):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(director.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Team", exact=True).wait_for()  # a director's home
        tasks = page.get_by_role("link", name="Tasks", exact=True)
        menu = page.get_by_role("button", name="Menu")
        assert menu.is_visible()
        assert not tasks.is_visible()
        assert menu.get_attribute("aria-expanded") == "false"
        menu.focus()
        page.keyboard.press("Enter")
        tasks.wait_for()
        assert menu.get_attribute("aria-expanded") == "true"
        page.screenshot(path=str(SCREENSHOTS / "nav-phone-open.png"))
        page.keyboard.press("Escape")
        tasks.wait_for(state="hidden")
        assert menu.evaluate("el => el === document.activeElement")
        menu.click()
        tasks.click()
        page.wait_for_url("**/tasks/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        menu.click()
        assert tasks.get_attribute("aria-current") == "page"
    finally:
        context.close()
