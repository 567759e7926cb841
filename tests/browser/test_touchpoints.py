"""A manager plans a touchpoint from the account page, moves it from the calendar and marks
it done, in headless Chromium (``make test-browser``), by clicking and typing.

Dates are counted from the server's today: the live server and Chromium share the machine's
clock, so the suite passes on any date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Touchpoint
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def test_plan_from_the_account_page_move_from_the_calendar_and_complete(page, login, live_server):
    page.set_default_timeout(30_000)  # a shared, busy machine: slow, not stuck
    today = timezone.localdate()
    planned_on = today + dt.timedelta(days=5)
    moved_to = today + dt.timedelta(days=12)
    manager = UserFactory(username="kim")
    account = TeamMembershipFactory(user=manager, account__name="Harbour Foods").account
    login("kim", PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()

    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    # What is coming up sits on the Timeline tab, above what happened.
    page.get_by_role("tab", name="Timeline").click()
    panel = page.locator("#account-upcoming")
    panel.get_by_role("heading", name="Plan a touchpoint").wait_for()
    panel.get_by_text("Nothing in the next 90 days.").wait_for()
    panel.get_by_label("Date").fill(planned_on.isoformat())
    panel.get_by_label("Kind").select_option(label="Business review")
    panel.get_by_label("Title").fill("Quarterly review")
    panel.get_by_role("button", name="Plan touchpoint").click()
    panel.get_by_text("Planned: Quarterly review on").wait_for()
    assert "Quarterly review" in panel.locator(".timeline").inner_text()
    touchpoint = Touchpoint.objects.get()
    assert (touchpoint.scheduled_on, touchpoint.kind) == (planned_on, "review")

    page.goto(f"{live_server.url}/calendar/")
    page.get_by_role("heading", name="My touchpoint calendar").wait_for()
    page.get_by_role("link", name="Reschedule, complete or skip: Quarterly review").click()
    page.get_by_label("New date").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "touchpoint-actions.png"))
    page.get_by_label("New date").fill(moved_to.isoformat())
    page.get_by_role("button", name="Move").click()
    page.get_by_text("Moved from").wait_for()
    touchpoint.refresh_from_db()
    assert touchpoint.scheduled_on == moved_to

    page.reload()
    page.get_by_role("link", name="Reschedule, complete or skip: Quarterly review").click()
    page.get_by_role("button", name="Mark done", exact=True).click()
    page.get_by_text("Marked done.").wait_for()
    touchpoint.refresh_from_db()
    assert touchpoint.status == TouchpointStatus.DONE
    page.screenshot(path=str(SCREENSHOTS / "touchpoint-done.png"))
