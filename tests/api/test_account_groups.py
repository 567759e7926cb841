"""Hidden accounts answer like missing ones, and a manager cannot hang their account under
another manager's (``parent``), whether the other account is hidden or only read-only."""

from __future__ import annotations

import json

import pytest

from tenure.access.choices import Role
from tenure.accounts import services
from tenure.accounts.models import Account
from tenure.accounts.permissions import AccessDenied
from tests.accounts.factories import AccountFactory, TeamMembershipFactory
from tests.api.conftest import client_for, make_user

MISSING = 999_999


@pytest.fixture
def manager_world(db):  # noqa: ARG001
    """A manager with two accounts of their own, and another manager's account."""
    manager = make_user(Role.KEY_ACCOUNT_MANAGER)
    own = TeamMembershipFactory(user=manager).account
    second = TeamMembershipFactory(user=manager, role="sales").account
    theirs = TeamMembershipFactory().account
    return manager, own, second, theirs


def _answer(response, hidden_id: int) -> tuple[int, str]:
    """Status and body, with the id asked for written as the missing one."""
    body = json.dumps(response.json(), sort_keys=True).replace(str(hidden_id), str(MISSING))
    return response.status_code, body


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/accounts/{id}", None),
        ("GET", "/accounts/{id}/positions", None),
        ("POST", "/accounts/{id}/positions", {"contact_id": 1}),
        ("PATCH", "/accounts/{own}", {"parent_id": "{id}"}),
    ],
)
def test_a_hidden_account_answers_exactly_like_a_missing_one(
    manager_world, settings, method, path, body
):
    settings.TENURE_KAM_SEES_ALL = False
    manager, own, _, theirs = manager_world
    client = client_for(manager)

    def ask(account_id: int):
        fill = {"id": account_id, "own": own.pk}
        sent = None
        if body is not None:
            sent = {k: int(v.format(**fill)) if isinstance(v, str) else v for k, v in body.items()}
        return client.request(method, path.format(**fill), sent)

    hidden, missing = ask(theirs.pk), ask(MISSING)
    assert missing.status_code == 404
    assert _answer(hidden, theirs.pk) == _answer(missing, MISSING)
    assert Account.objects.get(pk=own.pk).parent_id is None


def test_a_manager_cannot_put_their_account_under_another_managers(manager_world):
    manager, own, _, theirs = manager_world
    response = client_for(manager).patch(f"/accounts/{own.pk}", {"parent_id": theirs.pk})
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "parent"
    assert Account.objects.get(pk=own.pk).parent_id is None


def test_a_manager_groups_their_own_accounts_and_a_director_any(manager_world):
    manager, own, second, theirs = manager_world
    as_manager = client_for(manager)
    mine = as_manager.patch(f"/accounts/{own.pk}", {"parent_id": second.pk})
    assert mine.status_code == 200
    assert mine.json()["parent_id"] == second.pk
    director = client_for(make_user(Role.DIRECTOR))
    assert director.patch(f"/accounts/{own.pk}", {"parent_id": theirs.pk}).status_code == 200
    assert Account.objects.get(pk=own.pk).parent_id == theirs.pk
    # Already in another manager's group (a director's decision): other changes still work.
    renamed = as_manager.patch(f"/accounts/{own.pk}", {"name": "Own GmbH"})
    assert renamed.status_code == 200
    assert renamed.json()["parent_id"] == theirs.pk


def test_the_service_refuses_a_group_the_user_may_not_change(manager_world):
    manager, own, _, theirs = manager_world
    with pytest.raises(AccessDenied):
        services.account_update(account=own, by=manager, parent=theirs)
    assert Account.objects.get(pk=own.pk).parent_id is None
    # The system (an import) is not limited.
    services.account_update(account=own, by=None, parent=AccountFactory())
