"""Every role against every page: who may read, who may change, who sees nothing.

The API has its own walk (tests/api/test_roles.py); both use ``tenure.accounts.permissions``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.choices import Role
from tenure.access.services import role_assign
from tenure.audit.models import AuditEvent
from tenure.engagement.models import Interaction
from tenure.scoring.models import AccountSnapshot, ScoringRun
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.planning.factories import AccountPlanFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

ROLES = ["admin", "director", "kam", "kam_restricted", "analyst"]


@pytest.fixture
def world():
    own = AccountFactory(name="Own Co")
    other = AccountFactory(name="Other Co")
    PositionFactory(account=own, contact__email="own.buyer@x.example")
    PositionFactory(account=other, contact__email="other.buyer@x.example")
    return own, other


def user_for(role: str, own, settings):
    settings.TENURE_KAM_SEES_ALL = role != "kam_restricted"
    user = UserFactory()
    role_assign(user=user, role={"kam_restricted": Role.KEY_ACCOUNT_MANAGER}.get(role, role))
    TeamMembershipFactory(account=own, user=user, role="sales")
    return user


def read_pages(own, other):
    plan_own, plan_other = AccountPlanFactory(account=own), AccountPlanFactory(account=other)
    return {
        "own account": (f"/accounts/{own.pk}/", True),
        "other account": (f"/accounts/{other.pk}/", False),
        "own plan": (f"/plans/{plan_own.pk}/", True),
        "other plan": (f"/plans/{plan_other.pk}/", False),
    }


# Expected status when reading another team's account, by role.
OTHER_READ = {"admin": 200, "director": 200, "kam": 200, "kam_restricted": 404, "analyst": 200}
# Expected status when changing an account, by role: (own, other).
WRITE = {
    "admin": (302, 302),
    "director": (302, 302),
    "kam": (302, 403),
    "kam_restricted": (302, 404),
    "analyst": (403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_reading_pages(role, world, client, settings):
    own, other = world
    client.force_login(user_for(role, own, settings))
    pages = read_pages(own, other)
    written = AuditEvent.objects.count()
    for name, (url, is_own) in pages.items():
        expected = 200 if is_own else OTHER_READ[role]
        assert client.get(url).status_code == expected, (role, name)
    assert AuditEvent.objects.count() == written  # reading writes nothing
    listed = client.get("/accounts/").content.decode()
    assert "Own Co" in listed
    assert ("Other Co" in listed) == (OTHER_READ[role] == 200), role
    people = client.get("/accounts/contacts/").content.decode()
    assert ("other.buyer@x.example" in people) == (role not in ("kam_restricted", "analyst"))


@pytest.mark.parametrize("role", ROLES)
def test_changing_pages(role, world, client, settings):
    own, other = world
    client.force_login(user_for(role, own, settings))
    expected_own, expected_other = WRITE[role]
    for account, expected in ((own, expected_own), (other, expected_other)):
        log = client.post(
            f"/accounts/{account.pk}/log/",
            {"kind": "call", "occurred_at": "2026-11-20T10:00", "summary": "x", "sentiment": "0"},
        )
        assert log.status_code == expected, (role, account.name, "log")
        milestone = MilestoneFactory(account=account)
        resolve = client.post(f"/milestones/{milestone.pk}/resolve/", {"resolved_on": "2026-11-20"})
        assert resolve.status_code == expected, (role, account.name, "resolve")
        plan = client.post(
            f"/accounts/{account.pk}/plans/new/",
            {"title": "P", "horizon": "short", "starts_on": "2027-01-01", "ends_on": "2027-03-31"},
        )
        assert plan.status_code == expected, (role, account.name, "plan")
    # A refused change leaves nothing behind; an allowed one is stored.
    for account, expected in ((own, expected_own), (other, expected_other)):
        stored = expected == 302
        assert Interaction.objects.filter(account=account).exists() == stored, (role, "log")
        resolved = account.milestones.filter(resolved_on__isnull=False).exists()
        assert resolved == stored, (role, "resolve")
        assert account.plans.filter(title="P").exists() == stored, (role, "plan")


@pytest.mark.parametrize("role", ROLES)
def test_portfolio_and_key_list_decisions(role, world, client, settings):
    own, _ = world
    run = ScoringRun.objects.create(as_of=dt.date(2026, 10, 31), status="done")
    AccountSnapshot.objects.create(
        run=run, account=own, as_of=run.as_of, tier="A", keylist_reasons=["tier A by revenue"]
    )
    client.force_login(user_for(role, own, settings))
    portfolio = client.get("/portfolio/").status_code
    assert portfolio == (403 if role == "kam_restricted" else 200)
    decide = client.post(
        f"/portfolio/decide/{own.pk}/",
        {"action": "promote", "outcome": "rejected", "reason": "not now"},
    )
    decides = role in ("admin", "director")
    assert decide.status_code == (302 if decides else 403)
    assert own.keylist_decisions.filter(outcome="rejected").exists() == decides


def test_analyst_sees_no_personal_data_on_the_account_page(world, client, settings):
    own, _ = world
    analyst = user_for("analyst", own, settings)
    Interaction.objects.create(
        account=own,
        occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        kind="call",
        summary="Talked about her divorce",
    )
    client.force_login(analyst)
    page = "".join(
        client.get(f"/accounts/{own.pk}/?tab={tab}").content.decode()
        for tab in ("overview", "timeline", "people", "history")
    )
    assert "own.buyer@x.example" not in page
    assert "divorce" not in page
    assert "Notes hidden" in page
    assert "Log an interaction" not in page
