"""The account record page in a real browser, on a desktop and on a phone: tabs by click and
by arrow keys, the last tab remembered across a reload, and an interaction logged by keyboard
with focus kept at the action."""

from __future__ import annotations

import pytest

from tests.accounts.factories import PositionFactory, TeamMembershipFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS
from tests.engagement.factories import InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def birch():
    from tenure.access.services import role_assign

    manager = UserFactory(username="anna", first_name="Anna", last_name="Berg")
    role_assign(user=manager, role="kam")
    position = PositionFactory(account__name="Birch Foods", contact__first_name="Ina")
    account = position.account
    TeamMembershipFactory(account=account, user=manager, role="kam")
    InteractionFactory(account=account, is_strategic=True, summary="Quarterly review held")
    return account


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.size_name = request.param
    yield page
    context.close()


def _open(page, live_server, account):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My accounts").wait_for()
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.get_by_role("heading", name="Birch Foods", level=1).wait_for()


def _selected(page) -> str:
    return page.locator('[role="tab"][aria-selected="true"]').inner_text()


def test_switch_tabs_by_click_and_arrow_keys_and_land_on_the_last_after_reload(
    sized_page, live_server, birch
):
    page = sized_page
    _open(page, live_server, birch)
    assert _selected(page) == "Overview"
    assert page.get_by_role("heading", name="Health, risk and NPS over time").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"account-record-{page.size_name}.png"))

    page.get_by_role("tab", name="People").click()
    page.get_by_role("heading", name="Stakeholders").wait_for()
    assert _selected(page) == "People"
    assert "tab=people" in page.url
    assert page.get_by_role("tabpanel").get_attribute("aria-labelledby") == "tab-people"

    # Arrow keys move between tabs and open them; the focused tab is the selected one.
    page.keyboard.press("ArrowRight")
    page.get_by_role("heading", name="Plans", exact=True).wait_for()
    assert _selected(page) == "Plans & reviews"
    assert page.evaluate("document.activeElement.id") == "tab-plans"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.get_by_role("heading", name="What happened").wait_for()
    assert _selected(page) == "Timeline"
    assert page.get_by_text("Quarterly review held").is_visible()

    # Back returns to the tab before.
    page.go_back()
    page.get_by_role("heading", name="Stakeholders").wait_for()
    assert _selected(page) == "People"

    # The account's plain address opens the tab used last.
    page.goto(f"{live_server.url}{birch.get_absolute_url()}")
    page.get_by_role("heading", name="Stakeholders").wait_for()
    assert _selected(page) == "People"
    assert "tab=people" in page.url

    # The header and the tabs fit the screen (the site's top bar is the navigation's own).
    for part in (".account-header", ".tablist"):
        right = page.evaluate(f"document.querySelector('{part}').getBoundingClientRect().right")
        assert right <= SIZES[page.size_name][0], part


def test_log_an_interaction_by_keyboard_keeps_focus_at_the_action(sized_page, live_server, birch):
    page = sized_page
    _open(page, live_server, birch)
    page.get_by_role("tab", name="Timeline").click()
    page.get_by_role("heading", name="What happened").wait_for()

    opener = page.get_by_role("button", name="Log an interaction")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    # Focus starts inside the form, on its first field.
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    dialog.get_by_label("Summary").focus()
    page.keyboard.type("Called Ina about the spring range")
    dialog.get_by_role("button", name="Log interaction").focus()
    page.keyboard.press("Enter")

    page.get_by_role("status").filter(has_text="Interaction logged.").wait_for()
    # The dialog closes once the new entry is swapped in, which on a busy machine can come
    # a moment after the message: wait for it (a dialog that stays open times out here).
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "log-open"
    # The timeline behind shows the new entry without a reload.
    assert page.locator("#timeline").get_by_text("Called Ina about the spring range").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"account-logged-{page.size_name}.png"))


def test_escape_closes_the_log_dialog_and_returns_focus(sized_page, live_server, birch):
    page = sized_page
    _open(page, live_server, birch)
    opener = page.get_by_role("button", name="Log an interaction")
    opener.focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "log-open"
