"""Saved views of the list pages: the rules the services keep."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.http import QueryDict

from tenure.access.models import SavedView
from tenure.access.saved_views import (
    clean_query,
    default_view,
    saved_view_delete,
    saved_view_save,
    saved_view_set_default,
    saved_views,
)
from tenure.core.errors import DomainError
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_saving_keeps_only_the_pages_known_parameters_and_drops_the_page_number():
    user = UserFactory()
    view = saved_view_save(
        user=user, page="accounts", name="Tier A", query="tier=A&page=3&evil=1&sort=-name&q="
    )
    assert QueryDict(view.query) == QueryDict("tier=A&sort=-name")


def test_my_accounts_does_not_keep_the_account_lists_status_or_sort():
    assert clean_query(page="my_accounts", params=QueryDict("status=active&sort=name&key=1")) == (
        "key=1"
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": "  "}, "name", "name the view"),
        ({"name": "x" * 61}, "name", "at most 60 characters"),
        ({"query": "page=2&other=1"}, "query", "choose a filter or sort"),
        ({"query": "q=" + "y" * 300}, "query", "too long"),
        ({"page": "people_everywhere"}, "page", "unknown page"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_field(kwargs, field, message):
    args = {"user": UserFactory(), "page": "accounts", "name": "Mine", "query": "tier=A"}
    with pytest.raises(DomainError) as refused:
        saved_view_save(**(args | kwargs))
    assert refused.value.field == field
    assert message in refused.value.message
    assert not SavedView.objects.exists()


def test_saving_under_an_existing_name_overwrites_that_view():
    user = UserFactory()
    first = saved_view_save(user=user, page="accounts", name="Mine", query="tier=A")
    again = saved_view_save(user=user, page="accounts", name="Mine", query="tier=B")
    assert again.pk == first.pk
    assert SavedView.objects.get().query == "tier=B"


def test_the_same_name_may_be_used_on_another_page():
    user = UserFactory()
    saved_view_save(user=user, page="accounts", name="Key", query="key=1")
    saved_view_save(user=user, page="my_accounts", name="Key", query="key=1")
    assert SavedView.objects.filter(user=user).count() == 2


def test_the_database_refuses_a_second_view_with_the_same_name_on_a_page():
    user = UserFactory()
    SavedView.objects.create(user=user, page="accounts", name="Mine", query="tier=A")
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedView.objects.create(user=user, page="accounts", name="Mine", query="tier=B")


def test_one_default_per_page_a_new_default_replaces_the_old_one():
    user = UserFactory()
    a = saved_view_save(user=user, page="accounts", name="A", query="tier=A", default=True)
    saved_view_save(user=user, page="my_accounts", name="Key", query="key=1", default=True)
    b = saved_view_save(user=user, page="accounts", name="B", query="tier=B", default=True)
    a.refresh_from_db()
    assert not a.is_default
    assert default_view(user=user, page="accounts") == b
    assert default_view(user=user, page="my_accounts").name == "Key"


def test_set_default_moves_the_default_and_can_unset_it():
    user = UserFactory()
    a = saved_view_save(user=user, page="accounts", name="A", query="tier=A", default=True)
    b = saved_view_save(user=user, page="accounts", name="B", query="tier=B")
    saved_view_set_default(view=b)
    assert default_view(user=user, page="accounts") == b
    a.refresh_from_db()
    assert not a.is_default
    saved_view_set_default(view=b, default=False)
    assert default_view(user=user, page="accounts") is None


def test_the_database_refuses_two_defaults_on_one_page():
    user = UserFactory()
    SavedView.objects.create(user=user, page="accounts", name="A", query="tier=A", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedView.objects.create(
            user=user, page="accounts", name="B", query="tier=B", is_default=True
        )


def test_other_peoples_views_are_not_listed_nor_their_default_opened():
    me, other = UserFactory(), UserFactory()
    saved_view_save(user=other, page="accounts", name="Theirs", query="tier=C", default=True)
    mine = saved_view_save(user=me, page="accounts", name="Mine", query="tier=A")
    assert list(saved_views(user=me, page="accounts")) == [mine]
    assert default_view(user=me, page="accounts") is None


def test_delete_without_confirmation_is_refused_and_keeps_the_view():
    view = saved_view_save(user=UserFactory(), page="accounts", name="A", query="tier=A")
    with pytest.raises(DomainError) as refused:
        saved_view_delete(view=view, confirmed=False)
    assert refused.value.field == "confirm"
    assert SavedView.objects.filter(pk=view.pk).exists()
    saved_view_delete(view=view, confirmed=True)
    assert not SavedView.objects.exists()
