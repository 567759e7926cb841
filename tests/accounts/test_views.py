"""The accounts list and account page: login, search, sort, paging, and fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.accounts.factories import AccountFactory, PositionFactory, TeamMembershipFactory
from tests.engagement.factories import InteractionFactory
from tests.planning.factories import MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_pages_need_login(client):
    account = AccountFactory()
    for url in (reverse("accounts:index"), account.get_absolute_url(), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_and_health_check_are_public(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_empty_list_tells_a_new_user_what_to_do(logged_in_client):
    response = logged_in_client.get(reverse("accounts:index"))
    assert "No accounts yet" in response.content.decode()


def test_search_matches_name_or_exact_external_id(logged_in_client):
    AccountFactory(name="Birch Foods GmbH", external_id="C100")
    AccountFactory(name="Cedar Retail", external_id="C200")
    names = lambda r: [a.name for a in r.context["page"].object_list]  # noqa: E731
    assert names(logged_in_client.get("/accounts/?q=birch")) == ["Birch Foods GmbH"]
    assert names(logged_in_client.get("/accounts/?q=C200")) == ["Cedar Retail"]
    response = logged_in_client.get("/accounts/?q=nothing-like-it")
    assert "No account matches" in response.content.decode()


def test_sort_by_tier_puts_unscored_accounts_last(logged_in_client):
    AccountFactory(name="c", tier="C")
    AccountFactory(name="none", tier="")
    AccountFactory(name="a", tier="A")
    response = logged_in_client.get("/accounts/?sort=tier")
    assert [a.name for a in response.context["page"].object_list] == ["a", "c", "none"]


def test_key_only_and_manager_filters(logged_in_client):
    membership = TeamMembershipFactory(account__name="Mine", account__is_key_account=True)
    AccountFactory(name="Other")
    response = logged_in_client.get(f"/accounts/?key=1&manager={membership.user_id}")
    assert [a.name for a in response.context["page"].object_list] == ["Mine"]


def test_list_pages_by_25(logged_in_client):
    AccountFactory.create_batch(30)
    first = logged_in_client.get("/accounts/")
    second = logged_in_client.get("/accounts/?page=2")
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_list_query_count_does_not_grow_with_rows(logged_in_client, django_assert_max_num_queries):
    def add(count: int) -> None:
        for _ in range(count):
            membership = TeamMembershipFactory()
            InteractionFactory.create_batch(2, account=membership.account, is_strategic=True)

    add(2)
    # session, user, count, the page's ids (sorted on the bare rows), the page annotated,
    # managers for the filter, total, saved views
    with django_assert_max_num_queries(9) as few:
        response = logged_in_client.get("/accounts/")
    assert len(response.context["page"].object_list) == 2
    add(28)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = logged_in_client.get("/accounts/")
    shown = response.context["page"].object_list
    assert len(shown) == 25
    page = response.content.decode()
    assert all(account.name in page for account in shown)


def test_account_page_tabs_show_everything_in_fixed_queries(
    logged_in_client, django_assert_max_num_queries
):
    """Each tab of the page, opened by its link, in the same queries with ten times the rows
    (tests/web/test_account_page.py pins each tab's own count)."""
    position = PositionFactory(account__name="Birch Foods", contact__first_name="Ina")
    account = position.account
    TeamMembershipFactory(account=account)
    for _ in range(3):
        InteractionFactory(account=account, is_strategic=True, summary="QBR held")
    MilestoneFactory(account=account, title="Broken pallets")
    ObjectiveFactory(plan__account=account, plan__title="Protect the core")
    tabs = {"overview": "Single-threaded", "timeline": "QBR held", "people": "Ina"}
    tabs |= {"plans": "Protect the core"}
    baseline = {}
    for tab, text in tabs.items():
        with django_assert_max_num_queries(30) as captured:
            response = logged_in_client.get(f"{account.get_absolute_url()}?tab={tab}")
        page = response.content.decode()
        assert "Birch Foods" in page
        assert text in page, tab
        baseline[tab] = len(captured.captured_queries)
    assert (
        "Broken pallets"
        in logged_in_client.get(f"{account.get_absolute_url()}?tab=timeline").content.decode()
    )

    # Ten times the rows, the same number of queries.
    for _ in range(10):
        PositionFactory(account=account)
        InteractionFactory(account=account)
        MilestoneFactory(account=account)
        ObjectiveFactory(plan__account=account)
    for tab in tabs:
        with django_assert_max_num_queries(baseline[tab]):
            response = logged_in_client.get(f"{account.get_absolute_url()}?tab={tab}")
    assert (
        "Single-threaded" not in logged_in_client.get(account.get_absolute_url()).content.decode()
    )


def test_account_page_for_missing_account_is_404(logged_in_client):
    assert logged_in_client.get("/accounts/999999/").status_code == 404


def test_former_contacts_are_listed_apart(logged_in_client):
    position = PositionFactory(contact__first_name="Olaf", started_on=dt.date(2020, 1, 1))
    position.left_on = dt.date(2025, 1, 1)
    position.save()
    page = logged_in_client.get(
        f"{position.account.get_absolute_url()}?tab=people"
    ).content.decode()
    assert "1 former contact" in page
    assert "Olaf" in page


def test_stakeholder_map_groups_by_role_and_names_coverage_gaps(logged_in_client):
    position = PositionFactory(buying_role="influencer", department="Marketing")
    page = logged_in_client.get(
        f"{position.account.get_absolute_url()}?tab=people"
    ).content.decode()
    assert 'aria-label="Stakeholders by buying-centre role"' in page
    assert (
        "Coverage gaps:</strong> nobody engaged as decision maker, as economic buyer "
        "or as champion" in page
    )
    PositionFactory(account=position.account, buying_role="decision_maker")
    PositionFactory(account=position.account, buying_role="economic_buyer")
    page = logged_in_client.get(
        f"{position.account.get_absolute_url()}?tab=people"
    ).content.decode()
    assert "Coverage gaps:</strong> nobody engaged as champion" in page
    PositionFactory(account=position.account, buying_role="champion")
    page = logged_in_client.get(
        f"{position.account.get_absolute_url()}?tab=people"
    ).content.decode()
    assert "Coverage gaps" not in page
