"""The main navigation: grouped, and the page being shown is marked for screen readers too."""

from __future__ import annotations

import re

import pytest

from tests.accounts.factories import AccountFactory
from tests.planning.factories import AccountPlanFactory

pytestmark = pytest.mark.django_db


def current(html: str) -> list[tuple[str, str]]:
    """(aria-current value, link text) of each marked link in the main navigation.

    Pages may mark their own controls (the calendar's Mine/Team scope, say); only the
    navigation's marks are checked here."""
    nav = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
    assert nav, "the page has no main navigation"
    return re.findall(r'<a href="[^"]*" aria-current="(page|true)">([^<]+)</a>', nav.group(0))


def test_the_navigation_has_work_portfolio_and_tools_groups(logged_in_client):
    html = logged_in_client.get("/tasks/").content.decode()
    groups = re.findall(r'class="nav-group-label" id="nav-\w+">(\w+)<', html)
    assert groups == ["Work", "Portfolio", "Tools"]


@pytest.mark.parametrize(
    ("url", "marked"),
    [
        ("/", [("page", "My accounts")]),
        ("/tasks/", [("page", "Tasks")]),
        ("/accounts/", [("page", "Accounts")]),
        ("/accounts/?key=1", [("page", "Key accounts")]),
        ("/accounts/?q=x&page=2", [("page", "Accounts")]),
        ("/calendar/", [("page", "Calendar")]),
        ("/search/?q=ab", [("page", "Search")]),
        ("/me/tokens/", [("page", "API tokens")]),
    ],
)
def test_exactly_the_current_page_is_marked(logged_in_client, url, marked):
    assert current(logged_in_client.get(url).content.decode()) == marked


def test_an_account_and_its_plan_mark_the_accounts_section(logged_in_client, account):
    plan = AccountPlanFactory(account=account)
    for url in (f"/accounts/{account.pk}/", f"/plans/{plan.pk}/"):
        assert current(logged_in_client.get(url).content.decode()) == [("true", "Accounts")]


def test_admin_is_listed_only_for_staff(client, user):
    AccountFactory()
    client.force_login(user)
    assert ">Admin</a>" not in client.get("/").content.decode()
    user.is_staff = True
    user.save()
    assert ">Admin</a>" in client.get("/").content.decode()
