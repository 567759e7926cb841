"""Every role against every API endpoint: the status codes of docs/roles.md, and hidden
accounts never showing up in lists.

Each role walks the whole table twice (its own account and someone else's); every call
runs in a transaction rolled back afterwards, so writes do not change the next call's
world.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from tenure.access.choices import Role
from tenure.api.api import api
from tenure.audit.models import AuditEvent
from tenure.scoring.models import KeyListDecision
from tests.api.conftest import client_for, make_user
from tests.api.endpoints import CALLS, expected_status
from tests.api.world import role_world

ACTORS = {
    "admin": Role.ADMIN,
    "director": Role.DIRECTOR,
    "kam": Role.KEY_ACCOUNT_MANAGER,
    "kam_restricted": Role.KEY_ACCOUNT_MANAGER,
    "analyst": Role.ANALYST,
}


def _world(actor: str, settings):
    settings.TENURE_KAM_SEES_ALL = actor != "kam_restricted"
    user = make_user(ACTORS[actor])
    return role_world(user, manages_own=actor.startswith("kam")), client_for(user)


def test_the_table_covers_every_operation():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert {call.label for call in CALLS} == operations


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_role_gets_the_expected_status_from_every_endpoint(settings, actor, target):
    world, client = _world(actor, settings)
    wrong = []
    for call in CALLS:
        body = call.body(world, target) if call.body else None
        with transaction.atomic():
            path = call.path(world, target)
            before = AuditEvent.objects.count()
            response = client.request(call.method, path, body)
            written = AuditEvent.objects.count() - before
            transaction.set_rollback(True)
        want = expected_status(actor, call, target)
        if response.status_code != want:
            wrong.append(
                f"{call.label}: {response.status_code} (want {want}) {response.content[:200]!r}"
            )
        # Every write is in the audit trail: a read or a refusal must leave none.
        if (call.is_read or response.status_code >= 400) and written:
            wrong.append(f"{call.label}: {response.status_code} yet {written} change(s) written")
        elif not call.is_read and response.status_code < 400 and not written:
            wrong.append(f"{call.label}: {response.status_code} yet nothing written")
    assert not wrong, "\n".join(wrong)


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("actor", list(ACTORS))
def test_hidden_accounts_never_appear_in_lists(settings, actor):
    world, client = _world(actor, settings)
    hidden = actor == "kam_restricted"
    own, other = world.own, world.other

    def ids(path: str, key: str = "id") -> set[int]:
        response = client.get(path, page_size=100)
        assert response.status_code == 200, response.content
        return {item[key] for item in response.json()["items"]}

    assert own.account.pk in ids("/accounts")
    assert (other.account.pk in ids("/accounts")) is not hidden
    contacts = ids("/contacts")
    assert own.position.contact_id in contacts
    assert (other.position.contact_id in contacts) is not hidden
    assert (world.former["other"].pk in contacts) is not hidden
    scores = ids("/scores", key="account_id")
    assert own.account.pk in scores
    assert (other.account.pk in scores) is not hidden
    for world_of in (own, other):
        KeyListDecision.objects.create(
            account=world_of.account,
            action="promote",
            outcome="accepted",
            decided_by=world.spare_user,
            reason="Grew fast.",
        )
    decided = ids("/scores/decisions", key="account_id")
    assert own.account.pk in decided
    assert (other.account.pk in decided) is not hidden
    campaigns = ids("/surveys/campaigns")
    assert world.campaign["own"].pk in campaigns
    assert (world.campaign["other"].pk in campaigns) is not hidden
    figures = client.get("/surveys/figures").json()
    assert all(row["key"] != str(other.account.pk) for row in figures["by_account"]) or not hidden
    portfolio = client.get("/portfolio").json()
    assert portfolio["figures"]["accounts"] == (1 if hidden else 2)
    contact = client.get(f"/contacts/{own.position.contact_id}").json()
    assert {p["account_id"] for p in contact["positions"]} == {own.account.pk}
