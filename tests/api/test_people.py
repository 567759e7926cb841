"""Contacts, positions and interactions through the API, and personal data per role."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tenure.access.choices import Role
from tenure.accounts.models import Contact
from tenure.engagement.models import Interaction
from tests.accounts.factories import AccountFactory, PositionFactory
from tests.api.conftest import client_for, make_user
from tests.api.world import account_world


@pytest.fixture
def world(db):  # noqa: ARG001
    return account_world()


def test_an_analyst_sees_people_without_their_personal_data(world):
    analyst = client_for(make_user(Role.ANALYST))
    contact = analyst.get(f"/contacts/{world.position.contact_id}").json()
    assert contact["last_name"] == world.position.contact.last_name
    assert (contact["email"], contact["phone"], contact["birthday"]) == (None, None, None)
    listed = analyst.get("/contacts").json()["items"]
    assert {c["email"] for c in listed} == {None}
    interaction = analyst.get(f"/interactions/{world.interaction.pk}").json()
    assert (interaction["summary"], interaction["outcome"], interaction["next_step"]) == (
        None,
        None,
        None,
    )
    touchpoints = analyst.get(f"/accounts/{world.account.pk}/touchpoints").json()["items"]
    assert "birthday" not in {t["kind"] for t in touchpoints}
    assert analyst.get(f"/touchpoints/{world.birthday.pk}").status_code == 404


def test_analysts_see_personal_data_when_the_setting_allows(world, settings):
    settings.TENURE_ANALYST_PERSONAL_DATA = True
    analyst = client_for(make_user(Role.ANALYST))
    contact = analyst.get(f"/contacts/{world.position.contact_id}").json()
    assert contact["email"] == world.position.contact.email
    summary = analyst.get(f"/interactions/{world.interaction.pk}").json()["summary"]
    assert summary == world.interaction.summary


def test_a_manager_sees_personal_data(world):
    manager = client_for(world.account.team.get().user)
    contact = manager.get(f"/contacts/{world.position.contact_id}").json()
    assert contact["email"] == world.position.contact.email


def test_search_by_email_only_for_those_who_may_see_emails(api, world):
    email = world.position.contact.email
    assert api.get("/contacts", search=email.upper()).json()["total"] == 1
    analyst = client_for(make_user(Role.ANALYST))
    assert analyst.get("/contacts", search=email).json()["total"] == 0


def test_a_stakeholder_with_a_known_email_reuses_the_person(api, world):
    elsewhere = AccountFactory()
    response = api.post(
        f"/accounts/{elsewhere.pk}/stakeholders",
        {
            "person": {"first_name": "K", "last_name": "B", "email": world.position.contact.email},
            "position": {"title": "Buyer", "strength": 4},
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact_id"] == world.position.contact_id
    assert Contact.objects.count() == 1


def test_a_manager_cannot_take_over_a_person_from_another_managers_account(world):
    """Place, end, then change the email: the takeover the API used to allow."""
    manager = make_user(Role.KEY_ACCOUNT_MANAGER)
    own = account_world(manager=manager).account
    client = client_for(manager)
    contact = world.position.contact
    placed = client.post(f"/accounts/{own.pk}/positions", {"contact_id": contact.pk})
    assert placed.status_code == 403
    assert placed.json()["error"]["field"] == "contact_id"
    assert not contact.positions.filter(account=own).exists()
    changed = client.patch(f"/contacts/{contact.pk}", {"email": "taken.over@example.com"})
    assert changed.status_code == 403
    assert Contact.objects.get(pk=contact.pk).email == contact.email


def test_an_ended_position_at_their_account_gives_a_manager_no_edit_right(api, world):
    manager = make_user(Role.KEY_ACCOUNT_MANAGER)
    own = account_world(manager=manager).account
    contact = world.position.contact
    # A director placed the person at the manager's account; it has since ended.
    placed = api.post(f"/accounts/{own.pk}/positions", {"contact_id": contact.pk})
    assert placed.status_code == 201, placed.content
    ended = api.post(f"/positions/{placed.json()['id']}/end", {"left_on": "2026-05-01"})
    assert ended.json()["is_active"] is False
    client = client_for(manager)
    changed = client.patch(f"/contacts/{contact.pk}", {"email": "taken.over@example.com"})
    assert changed.status_code == 403
    assert Contact.objects.get(pk=contact.pk).email == contact.email


def test_a_position_ends_once(api, world):
    path = f"/positions/{world.position.pk}/end"
    assert api.post(path, {"left_on": "2026-05-01"}).json()["is_active"] is False
    again = api.post(path, {"left_on": "2026-05-02"})
    assert again.status_code == 400
    assert again.json()["error"]["field"] == "left_on"
    world.position.refresh_from_db()
    assert world.position.left_on == dt.date(2026, 5, 1)


def test_logging_an_interaction_records_who_and_checks_the_people(api, director, world):
    path = f"/accounts/{world.account.pk}/interactions"
    body = {
        "occurred_at": "2026-02-02T10:00:00+01:00",
        "kind": "meeting",
        "summary": "Plant visit.",
        "is_strategic": True,
        "contact_ids": [world.position.contact_id],
        "touchpoint_id": world.touchpoint.pk,
    }
    created = api.post(path, body)
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["logged_by_id"] == director.pk
    assert item["team_member_ids"] == [director.pk]
    assert api.get(f"/touchpoints/{world.touchpoint.pk}").json()["status"] == "done"
    stranger = PositionFactory().contact
    logged = set(world.account.interactions.values_list("pk", flat=True))
    refused = api.post(path, {**body, "touchpoint_id": None, "contact_ids": [stranger.pk]})
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "contacts"
    naive = api.post(path, {**body, "touchpoint_id": None, "occurred_at": "2026-02-02T10:00:00"})
    assert naive.status_code == 400
    assert naive.json()["error"]["field"] == "occurred_at"
    assert set(world.account.interactions.values_list("pk", flat=True)) == logged


def test_the_api_refuses_an_interaction_dated_after_today(api, world):
    path = f"/accounts/{world.account.pk}/interactions"
    body = {"occurred_at": "2027-06-01T10:00:00+00:00", "kind": "meeting", "summary": "Visit."}
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False):
        refused = api.post(path, body)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["field"] == "occurred_at"
    assert "1 Jun 2027, is after today (7 Dec 2026)" in error["message"]
    assert not Interaction.objects.filter(occurred_at__year=2027).exists()


def test_interaction_lists_take_a_fixed_number_of_queries(api, world, django_assert_num_queries):
    path = f"/accounts/{world.account.pk}/interactions"
    api.get(path)
    # token + role, account, count, page, contacts, team members
    with django_assert_num_queries(6):
        assert api.get(path).json()["total"] == 1
