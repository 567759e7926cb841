"""Adding stakeholders, recording departures, finding people."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.services import role_assign, token_create
from tenure.accounts.models import Contact, Position
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Ines",
    "last_name": "Moreau",
    "email": "ines@customer.example",
    "strength": "4",
    "buying_role": "champion",
    "title": "Head of Category",
}


def test_adding_a_second_stakeholder_ends_the_single_threaded_warning(logged_in_client):
    position = PositionFactory()
    account = position.account
    assert "Single-threaded" in logged_in_client.get(account.get_absolute_url()).content.decode()
    response = logged_in_client.post(f"/accounts/{account.pk}/stakeholders/new/", PERSON)
    assert response.status_code == 302
    page = logged_in_client.get(account.get_absolute_url()).content.decode()
    assert "Single-threaded" not in page
    assert "Ines Moreau" in page


def test_a_known_email_reuses_the_person_and_keeps_their_history(logged_in_client):
    former = PositionFactory(
        contact__email="ines@customer.example",
        left_on=dt.date(2025, 1, 1),
        started_on=dt.date(2020, 1, 1),
    )
    account = AccountFactory()
    logged_in_client.post(f"/accounts/{account.pk}/stakeholders/new/", PERSON)
    assert Contact.objects.filter(email="ines@customer.example").count() == 1
    assert set(former.contact.accounts.all()) == {former.account, account}


def test_invalid_email_is_shown_on_the_field(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/stakeholders/new/", {**PERSON, "email": "not-an-email"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Position.objects.exists()


def test_same_person_twice_at_one_account_is_refused_with_a_message(logged_in_client):
    position = PositionFactory(contact__email="ines@customer.example")
    response = logged_in_client.post(f"/accounts/{position.account_id}/stakeholders/new/", PERSON)
    assert response.status_code == 400
    assert "already holds a position" in response.content.decode()
    assert list(Position.objects.all()) == [position]
    assert Contact.objects.get().first_name != "Ines"  # the person is not overwritten either


def test_departure_needs_confirmation_then_moves_to_former(logged_in_client):
    position = PositionFactory(started_on=dt.date(2024, 1, 1))
    page = logged_in_client.get(f"/accounts/positions/{position.pk}/left/").content.decode()
    assert "Record departure" in page
    position.refresh_from_db()
    assert position.left_on is None
    logged_in_client.post(f"/accounts/positions/{position.pk}/left/", {"left_on": "2026-11-01"})
    position.refresh_from_db()
    assert position.left_on == dt.date(2026, 11, 1)


def test_departure_before_start_is_refused(logged_in_client):
    position = PositionFactory(started_on=dt.date(2026, 1, 1))
    response = logged_in_client.post(
        f"/accounts/positions/{position.pk}/left/", {"left_on": "2025-01-01"}
    )
    assert "cannot leave before they started" in response.content.decode()
    position.refresh_from_db()
    assert position.left_on is None


def test_people_search_by_company(logged_in_client, django_assert_max_num_queries):
    PositionFactory(account__name="Birch Foods", contact__last_name="Zed")
    for _ in range(10):
        PositionFactory()
    # 6, plus one for the person's saved views of the page
    with django_assert_max_num_queries(7):
        response = logged_in_client.get("/accounts/contacts/?q=birch")
    assert [c.last_name for c in response.context["page"].object_list] == ["Zed"]


def test_person_page_lists_every_account(logged_in_client):
    contact = ContactFactory()
    PositionFactory(contact=contact, account__name="First Co", left_on=dt.date(2025, 1, 1))
    PositionFactory(contact=contact, account__name="Second Co")
    page = logged_in_client.get(f"/accounts/contacts/{contact.pk}/").content.decode()
    assert "First Co" in page
    assert "Second Co" in page
    assert "left 1 Jan 2025" in page


def test_a_manager_cannot_add_a_person_from_another_managers_account_by_email(client):
    membership = TeamMembershipFactory()
    manager, mine = membership.user, membership.account
    theirs = PositionFactory(contact__email="ines@customer.example")
    client.force_login(manager)
    response = client.post(f"/accounts/{mine.pk}/stakeholders/new/", PERSON)
    assert response.status_code == 400
    assert "a director can add them here" in response.content.decode()
    assert list(theirs.contact.accounts.all()) == [theirs.account]


@pytest.mark.parametrize(
    ("role", "personal_data", "found"),
    [("analyst", False, []), ("analyst", True, ["Zed"]), ("director", False, ["Zed"])],
)
def test_people_are_found_by_part_of_their_email_only_by_who_may_see_emails(
    client, settings, role, personal_data, found
):
    """The people page and ``GET /api/v1/contacts`` answer the same search the same way."""
    settings.TENURE_ANALYST_PERSONAL_DATA = personal_data
    PositionFactory(contact__last_name="Zed", contact__email="ines.secret@birch.example")
    PositionFactory(contact__last_name="Other", contact__email="someone@else.example")
    user = TeamMembershipFactory().user
    role_assign(user=user, role=role)
    client.force_login(user)
    page = client.get("/accounts/contacts/?q=secret@birch")
    assert [c.last_name for c in page.context["page"].object_list] == found
    token = token_create(user=user, name="tests").secret
    api = client.get(
        "/api/v1/contacts", {"search": "secret@birch"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert [c["last_name"] for c in api.json()["items"]] == found
