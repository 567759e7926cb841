"""Find anything (``/search/`` and the quick-jump's ``/search/jump/``): what is found, for whom.

The results are one read (``tenure.web.search.search_everything``) that must answer only with
what the user may see: hidden accounts and everything on them stay hidden, erased people are
not found by any name, and an email finds no one for a role that may not read emails.
"""

from __future__ import annotations

import pytest

from tenure.access.choices import Role
from tenure.access.services import role_assign
from tenure.accounts.privacy import contact_erase
from tenure.web.search import JUMP_LIMIT, PAGE_LIMIT, search_everything
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.alerts.factories import make_task
from tests.planning.factories import AccountPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Two accounts: a manager's own (Harbour Foods) and another team's (Harbour Steel)."""
    own = AccountFactory(name="Harbour Foods", external_id="HF-001")
    other = AccountFactory(name="Harbour Steel", external_id="HS-002")
    PositionFactory(
        account=own, contact=ContactFactory(first_name="Ada", last_name="Harbourne"), title="CFO"
    )
    PositionFactory(account=other, contact=ContactFactory(first_name="Bo", last_name="Harbinger"))
    AccountPlanFactory(account=own, title="Harbour growth plan")
    AccountPlanFactory(account=other, title="Harbour steel recovery")
    manager = UserFactory()
    role_assign(user=manager, role=Role.KEY_ACCOUNT_MANAGER)
    TeamMembershipFactory(account=own, user=manager, role="kam")
    make_task(own, manager, title="Harbour Foods risk is high")
    make_task(other, None, title="Harbour Steel risk is high")
    return own, other, manager


def labels(results, kind):
    return [hit.label for group in results.groups if group.kind == kind for hit in group.hits]


@pytest.mark.usefixtures("book")
def test_a_director_finds_accounts_people_plans_and_tasks_grouped_by_kind(user):
    results = search_everything(user=user, term="harb")
    assert [group.kind for group in results.groups] == ["account", "person", "plan", "task"]
    assert labels(results, "account") == ["Harbour Foods", "Harbour Steel"]
    assert labels(results, "person") == ["Bo Harbinger", "Ada Harbourne"]
    assert sorted(labels(results, "plan")) == ["Harbour growth plan", "Harbour steel recovery"]
    assert sorted(labels(results, "task")) == [
        "Harbour Foods risk is high",
        "Harbour Steel risk is high",
    ]


@pytest.mark.usefixtures("book")
def test_a_person_is_shown_with_their_current_title_and_account(user):
    results = search_everything(user=user, term="Harbourne")
    (hit,) = [h for g in results.groups for h in g.hits if g.kind == "person"]
    assert hit.detail == "CFO at Harbour Foods"


@pytest.mark.usefixtures("book")
def test_an_account_is_found_by_its_exact_external_id(user):
    assert labels(search_everything(user=user, term="hs-002"), "account") == ["Harbour Steel"]


def test_a_manager_who_sees_only_their_team_finds_nothing_of_other_accounts(book, settings):
    settings.TENURE_KAM_SEES_ALL = False
    manager = book[2]
    results = search_everything(user=manager, term="harb")
    assert labels(results, "account") == ["Harbour Foods"]
    assert labels(results, "person") == ["Ada Harbourne"]
    assert labels(results, "plan") == ["Harbour growth plan"]
    assert labels(results, "task") == ["Harbour Foods risk is high"]


@pytest.mark.usefixtures("book")
def test_an_erased_person_is_found_neither_by_their_old_name_nor_as_erased(user):
    ada = PositionFactory._meta.model.objects.get(contact__last_name="Harbourne").contact
    contact_erase(contact=ada, by=user, reason="asked to be forgotten")
    assert labels(search_everything(user=user, term="Harbourne"), "person") == []
    assert labels(search_everything(user=user, term="Erased"), "person") == []
    assert labels(search_everything(user=user, term="Harb"), "person") == ["Bo Harbinger"]


@pytest.mark.usefixtures("book")
def test_an_email_finds_no_one_for_an_analyst():
    analyst = UserFactory()
    role_assign(user=analyst, role=Role.ANALYST)
    bo = ContactFactory._meta.model.objects.get(last_name="Harbinger")
    director = UserFactory()
    role_assign(user=director, role=Role.DIRECTOR)
    assert labels(search_everything(user=director, term=bo.email), "person") == ["Bo Harbinger"]
    assert labels(search_everything(user=analyst, term=bo.email), "person") == []


@pytest.mark.usefixtures("book")
def test_one_letter_finds_nothing_and_reads_nothing(user, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search_everything(user=user, term="h").groups == ()


def test_each_group_is_cut_at_its_limit_and_says_there_is_more(user):
    for n in range(PAGE_LIMIT + 2):
        AccountFactory(name=f"Lakeside {n:02d}")
    (accounts, *_) = search_everything(user=user, term="lakeside").groups
    assert len(accounts.hits) == PAGE_LIMIT
    assert accounts.more
    assert accounts.more_url == "/accounts/?q=lakeside"


@pytest.mark.usefixtures("book")
def test_the_search_costs_the_same_queries_however_many_rows_match(
    logged_in_client, django_assert_num_queries
):
    # session, user, role + accounts, people, their positions, plans, tasks
    for n in range(30):
        own = AccountFactory(name=f"Harbour extra {n}")
        PositionFactory(account=own, contact=ContactFactory(last_name=f"Harbour{n}"))
        AccountPlanFactory(account=own, title=f"Harbour plan {n}")
    with django_assert_num_queries(8):
        response = logged_in_client.get("/search/", {"q": "harb"})
    assert response.status_code == 200


def test_the_search_page_groups_results_under_headings(book, logged_in_client):
    page = logged_in_client.get("/search/", {"q": "harbour"}).content.decode()
    for heading in ("Accounts", "People", "Plans", "Tasks"):
        assert f">{heading}</h2>" in page
    assert f'href="/accounts/{book[0].pk}/"' in page


@pytest.mark.usefixtures("book")
def test_the_search_page_says_what_to_do_when_nothing_matches(logged_in_client):
    page = logged_in_client.get("/search/", {"q": "zzzz"}).content.decode()
    assert "Nothing you may see matches “zzzz”" in page


def test_the_jump_endpoint_answers_json_with_a_few_results_a_kind(book, logged_in_client):
    for n in range(JUMP_LIMIT + 1):
        AccountFactory(name=f"Harbour more {n}")
    data = logged_in_client.get("/search/jump/", {"q": "harbour"}).json()
    assert data["q"] == "harbour"
    accounts = data["groups"][0]
    assert accounts["kind"] == "account"
    assert len(accounts["results"]) == JUMP_LIMIT
    assert accounts["more"] is True
    assert accounts["results"][0] == {
        "label": "Harbour Foods",
        "url": f"/accounts/{book[0].pk}/",
        "detail": "HF-001",
    }


def test_searching_needs_a_login(client):
    assert client.get("/search/jump/", {"q": "harbour"}).status_code == 302
