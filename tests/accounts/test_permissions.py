"""The role rules of accounts.permissions (docs/roles.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from tenure.access.choices import Role
from tenure.accounts.permissions import (
    AccessDenied,
    account_guard,
    can_edit_account,
    can_see_personal_data,
    require_edit,
    role_of,
    visible_accounts,
)
from tenure.core.errors import NotFound
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.api.conftest import make_user


@pytest.fixture
def accounts(db):  # noqa: ARG001
    manager = UserFactory()
    mine = AccountFactory(name="Mine")
    TeamMembershipFactory(account=mine, user=manager, role="sales")
    theirs = AccountFactory(name="Theirs")
    return manager, mine, theirs


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize(
    ("flags", "role"),
    [
        ({"is_superuser": True, "is_staff": True}, Role.ADMIN),
        ({"is_staff": True}, Role.DIRECTOR),
        ({}, Role.KEY_ACCOUNT_MANAGER),
    ],
)
def test_a_user_without_a_role_gets_one_from_their_django_flags(flags, role):
    assert role_of(UserFactory(**flags)) == role


@pytest.mark.usefixtures("db")
def test_a_profile_role_wins_over_staff_but_not_over_superuser():
    assert role_of(make_user(Role.ANALYST, is_staff=True)) == Role.ANALYST
    assert role_of(make_user(Role.ANALYST, is_superuser=True)) == Role.ADMIN


@pytest.mark.usefixtures("db", "accounts")
def test_anonymous_and_inactive_users_have_no_role_and_see_nothing():
    assert role_of(AnonymousUser()) is None
    inactive = make_user(Role.DIRECTOR, is_active=False)
    assert role_of(inactive) is None
    assert not visible_accounts(inactive).exists()
    assert not visible_accounts(AnonymousUser()).exists()


@pytest.mark.usefixtures("db")
def test_role_is_read_once_per_user_object(django_assert_num_queries):
    user = make_user(Role.ANALYST)
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert role_of(fresh) == Role.ANALYST
        assert role_of(fresh) == Role.ANALYST


def test_a_manager_sees_every_account_by_default_but_edits_only_their_teams(accounts):
    manager, mine, theirs = accounts
    assert set(visible_accounts(manager)) == {mine, theirs}
    assert can_edit_account(manager, mine)
    assert not can_edit_account(manager, theirs)
    with pytest.raises(AccessDenied):
        require_edit(manager, theirs)


def test_a_manager_sees_only_their_teams_when_kam_sees_all_is_off(settings, accounts):
    settings.TENURE_KAM_SEES_ALL = False
    manager, mine, theirs = accounts
    assert list(visible_accounts(manager)) == [mine]
    with pytest.raises(NotFound):
        require_edit(manager, theirs)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DIRECTOR])
def test_admins_and_directors_edit_every_account(accounts, role):
    _, mine, theirs = accounts
    user = make_user(role)
    assert can_edit_account(user, mine)
    assert can_edit_account(user, theirs)


def test_an_analyst_reads_everything_changes_nothing_and_sees_no_personal_data(settings, accounts):
    _, mine, theirs = accounts
    analyst = make_user(Role.ANALYST)
    assert set(visible_accounts(analyst)) == {mine, theirs}
    assert not can_edit_account(analyst, mine)
    assert not can_see_personal_data(analyst)
    settings.TENURE_ANALYST_PERSONAL_DATA = True
    assert can_see_personal_data(make_user(Role.ANALYST))


def test_account_guard_answers_404_for_hidden_and_403_for_read_only(settings, accounts):
    manager, mine, theirs = accounts
    request = RequestFactory().get("/")
    request.user = manager
    account_guard(request, mine, write=True)
    account_guard(request, theirs, write=False)
    with pytest.raises(PermissionDenied):
        account_guard(request, theirs, write=True)
    settings.TENURE_KAM_SEES_ALL = False
    request.user = type(manager).objects.get(pk=manager.pk)
    with pytest.raises(Http404):
        account_guard(request, theirs, write=False)
