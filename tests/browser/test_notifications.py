"""A manager follows an account, a colleague logs an interaction on it, and the manager sees
the notice counted in the header, opens the list and follows the link back to the account, in
headless Chromium (``make test-browser``), by clicking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tenure.alerts.models import AccountFollow
from tenure.engagement.services import interaction_log
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def test_follow_hear_of_a_colleagues_interaction_and_open_the_account(page, login, live_server):
    page.set_default_timeout(30_000)  # a shared, busy machine: slow, not stuck
    manager = UserFactory(username="kim")
    colleague = UserFactory(username="lee", first_name="Lee", last_name="Park")
    account = TeamMembershipFactory(user=manager, account__name="Harbour Foods").account
    TeamMembershipFactory(user=colleague, account=account, role="sales")
    login("kim", PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()

    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.get_by_role("button", name="Follow this account").click()
    page.get_by_role("button", name="Following ✓ (unfollow)").wait_for()
    assert AccountFollow.objects.filter(user=manager, account=account).exists()

    # The colleague logs a meeting (their own session is not what this test is about).
    interaction_log(
        account=account,
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        kind="meeting",
        summary="Walked the new warehouse with the buyer",
        logged_by=colleague,
    )

    page.reload()
    header_link = page.locator("#notif-count")
    header_link.get_by_text("1", exact=True).wait_for()
    page.screenshot(path=str(SCREENSHOTS / "notifications-header.png"))
    header_link.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    notice = page.get_by_role("link", name="Lee Park logged a meeting with Harbour Foods")
    notice.click()
    page.wait_for_url(f"{live_server.url}{account.get_absolute_url()}")
    assert "Harbour Foods" in page.locator("#account-name").inner_text()
