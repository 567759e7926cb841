"""Saved views on the Accounts and My accounts pages, through the HTTP endpoints."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenure.access.models import SavedView
from tenure.access.saved_views import saved_view_save
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def _save(client, **data):
    return client.post(reverse("saved_view_save"), data)


def test_save_from_the_account_list_then_a_bare_visit_lands_on_the_default(logged_in_client, user):
    AccountFactory(name="Alpha", tier="A")
    AccountFactory(name="Bravo", tier="B")
    response = _save(
        logged_in_client,
        page="accounts",
        query="tier=A&page=2&junk=1",
        name="Tier A",
        default="1",
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:index") + "?tier=A"
    view = SavedView.objects.get(user=user)
    assert (view.page, view.name, view.query, view.is_default) == (
        "accounts",
        "Tier A",
        "tier=A",
        True,
    )

    bare = logged_in_client.get(reverse("accounts:index"))
    assert bare.status_code == 302
    assert bare.url == reverse("accounts:index") + "?tier=A"
    page = logged_in_client.get(bare.url)
    names = [a.name for a in page.context["page"].object_list]
    assert names == ["Alpha"]
    assert page.context["current_view"] == view
    assert "Tier A (default)" in page.content.decode()


def test_without_a_default_the_bare_account_list_is_shown(logged_in_client, user):
    saved_view_save(user=user, page="accounts", name="Tier A", query="tier=A")
    response = logged_in_client.get(reverse("accounts:index"))
    assert response.status_code == 200
    assert "Tier A" in response.content.decode()


def test_another_persons_default_is_not_opened_nor_listed(logged_in_client):
    saved_view_save(
        user=UserFactory(), page="accounts", name="Theirs", query="tier=C", default=True
    )
    response = logged_in_client.get(reverse("accounts:index"))
    assert response.status_code == 200
    assert "Theirs" not in response.content.decode()


def test_a_nameless_save_says_which_field_and_saves_nothing(logged_in_client):
    response = _save(logged_in_client, page="accounts", query="tier=A", name=" ")
    assert response.url == reverse("accounts:index") + "?tier=A"
    shown = logged_in_client.get(response.url).content.decode()
    assert "View name: name the view." in shown
    assert not SavedView.objects.exists()


def test_an_unknown_page_is_not_found(logged_in_client):
    response = _save(logged_in_client, page="people_everywhere", query="tier=A", name="x")
    assert response.status_code == 404
    assert not SavedView.objects.exists()


def test_my_accounts_default_opens_on_the_home_page(client):
    manager = UserFactory()
    client.force_login(manager)
    _save(client, page="my_accounts", query="key=1&sort=name", name="Key", default="1")
    assert SavedView.objects.get().query == "key=1"
    bare = client.get(reverse("home"))
    assert bare.status_code == 302
    assert bare.url == reverse("home") + "?key=1"
    page = client.get(bare.url)
    assert page.context["filters"].key_only
    assert page.context["current_view"].name == "Key"


def test_delete_asks_first_and_deletes_only_when_confirmed(logged_in_client, user):
    view = saved_view_save(user=user, page="accounts", name="Tier A", query="tier=A")
    url = reverse("saved_view_delete", args=[view.pk])
    asked = logged_in_client.post(url)
    assert asked.status_code == 200
    assert "Delete the view “Tier A”?" in asked.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()
    done = logged_in_client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    assert not SavedView.objects.exists()


def test_someone_elses_view_cannot_be_deleted_or_made_default(logged_in_client):
    theirs = saved_view_save(user=UserFactory(), page="accounts", name="T", query="tier=A")
    delete = reverse("saved_view_delete", args=[theirs.pk])
    assert logged_in_client.post(delete, {"confirm": "yes"}).status_code == 404
    default = reverse("saved_view_default", args=[theirs.pk])
    assert logged_in_client.post(default).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_default


def test_make_default_from_the_list(logged_in_client, user):
    view = saved_view_save(user=user, page="accounts", name="Tier A", query="tier=A")
    logged_in_client.post(reverse("saved_view_default", args=[view.pk]))
    view.refresh_from_db()
    assert view.is_default


def test_the_account_list_costs_at_most_one_more_query(
    logged_in_client, user, monkeypatch, django_assert_num_queries
):
    """Pins the +1: the views list is one query, whatever the number of views."""
    for n in range(3):
        AccountFactory(name=f"Acc {n}", tier="A")
        saved_view_save(user=user, page="accounts", name=f"View {n}", query=f"tier=A&q={n}")
    url = reverse("accounts:index") + "?tier=A"
    monkeypatch.setattr("tenure.web.account_index.page_views", lambda *_: (None, {}))
    with CaptureQueriesContext(connection) as without:
        logged_in_client.get(url)
    monkeypatch.undo()
    with django_assert_num_queries(len(without) + 1):
        response = logged_in_client.get(url)
    assert [v.name for v in response.context["saved_views"]] == ["View 0", "View 1", "View 2"]


def test_saved_query_is_parsed_as_the_page_parameters(logged_in_client):
    _save(logged_in_client, page="accounts", query="q=a%26b&sort=-tier", name="Odd")
    assert QueryDict(SavedView.objects.get().query) == QueryDict("q=a%26b&sort=-tier")


def test_people_list_saves_its_search_and_opens_with_the_default(logged_in_client, user):
    _save(logged_in_client, page="people", query="q=smith&tier=A", name="Smiths", default="1")
    assert SavedView.objects.get(user=user).query == "q=smith"
    bare = logged_in_client.get(reverse("accounts:contacts"))
    assert bare.status_code == 302
    assert bare.url == reverse("accounts:contacts") + "?q=smith"
    page = logged_in_client.get(bare.url)
    assert page.context["q"] == "smith"
    assert "Smiths (default)" in page.content.decode()
