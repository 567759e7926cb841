"""The People partial: add, correct and end stakeholders in place (htmx) or as pages."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.services import role_assign
from tenure.accounts.models import Position
from tenure.audit.models import AuditEvent
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PERSON = {
    "first_name": "Ines",
    "last_name": "Moreau",
    "email": "ines@customer.example",
    "strength": "4",
    "buying_role": "champion",
    "title": "Head of Category",
}


def test_people_partial_lists_current_and_former_people_with_roles(logged_in_client):
    current = PositionFactory(buying_role="economic_buyer", contact__last_name="Current")
    PositionFactory(
        account=current.account,
        contact__last_name="Gone",
        started_on=dt.date(2020, 1, 1),
        left_on=dt.date(2025, 3, 4),
    )
    response = logged_in_client.get(f"/accounts/{current.account_id}/people/", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page  # the partial alone
    assert 'id="people"' in page
    assert "Kim Current" in page
    assert "Economic buyer" in page
    assert "1 former contact" in page
    assert "left 4 Mar 2025" in page


def test_people_page_without_javascript_is_a_full_page(logged_in_client, account):
    page = logged_in_client.get(f"/accounts/{account.pk}/people/").content.decode()
    assert "<html" in page
    assert f"Nobody at {account.name} is on record" in page


def test_adding_in_place_returns_the_refreshed_partial_and_is_audited(logged_in_client, account):
    response = logged_in_client.post(f"/accounts/{account.pk}/stakeholders/new/", PERSON, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Ines Moreau added to {account.name}." in page
    assert "Champion" in page
    position = Position.objects.get(account=account)
    assert AuditEvent.objects.filter(
        model="accounts.position", object_id=str(position.pk), action="create"
    ).exists()


def test_an_in_place_form_error_names_the_field_and_keeps_the_form_open(logged_in_client, account):
    response = logged_in_client.post(
        f"/accounts/{account.pk}/stakeholders/new/", {**PERSON, "last_name": ""}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "Last name: This field is required." in page
    assert "Add stakeholder" in page
    assert not Position.objects.exists()


def test_editing_a_position_changes_role_strength_and_the_persons_details(logged_in_client):
    position = PositionFactory(buying_role="user", strength=2)
    response = logged_in_client.post(
        f"/accounts/positions/{position.pk}/edit/",
        {**PERSON, "buying_role": "decision_maker", "strength": "5", "phone": "+49 30 1234"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{position.account_id}/people/"
    position.refresh_from_db()
    position.contact.refresh_from_db()
    assert (position.buying_role, position.strength) == ("decision_maker", 5)
    assert position.contact.phone == "+49 30 1234"
    event = AuditEvent.objects.get(model="accounts.position", action="update")
    assert event.after["buying_role"] == "decision_maker"


def test_edit_form_shows_the_current_values(logged_in_client):
    position = PositionFactory(title="Chief Buyer", contact__first_name="Olga")
    page = logged_in_client.get(f"/accounts/positions/{position.pk}/edit/", **HTMX)
    text = page.content.decode()
    assert 'value="Chief Buyer"' in text
    assert 'value="Olga"' in text
    assert "Save changes" in text


def test_a_manager_corrects_a_person_at_their_account_even_if_also_at_another(client):
    membership = TeamMembershipFactory()
    mine = PositionFactory(account=membership.account, contact__first_name="Shared")
    PositionFactory(contact=mine.contact)  # also at someone else's account
    client.force_login(membership.user)
    response = client.post(
        f"/accounts/positions/{mine.pk}/edit/",
        {**PERSON, "first_name": "Renamed", "email": mine.contact.email},
    )
    assert response.status_code == 302
    mine.contact.refresh_from_db()
    assert mine.contact.first_name == "Renamed"


def test_ending_a_position_in_place_moves_the_person_to_former(logged_in_client):
    position = PositionFactory(started_on=dt.date(2024, 1, 1))
    form = logged_in_client.get(f"/accounts/positions/{position.pk}/left/", **HTMX)
    assert "Record departure" in form.content.decode()
    response = logged_in_client.post(
        f"/accounts/positions/{position.pk}/left/", {"left_on": "2026-11-01"}, **HTMX
    )
    page = response.content.decode()
    assert "is recorded as having left" in page
    assert "1 former contact" in page
    position.refresh_from_db()
    assert position.left_on == dt.date(2026, 11, 1)


def test_ending_without_a_date_names_the_field(logged_in_client):
    position = PositionFactory()
    response = logged_in_client.post(f"/accounts/positions/{position.pk}/left/", {"left_on": ""})
    assert response.status_code == 400
    assert "Left on: This field is required." in response.content.decode()


def test_a_manager_off_the_team_gets_403_and_no_edit_controls(client):
    position = PositionFactory()
    outsider = UserFactory()
    role_assign(user=outsider, role="kam")
    client.force_login(outsider)
    page = client.get(f"/accounts/{position.account_id}/people/").content.decode()
    assert "Add a stakeholder" not in page
    assert "Left…" not in page
    for url in (
        f"/accounts/{position.account_id}/stakeholders/new/",
        f"/accounts/positions/{position.pk}/edit/",
        f"/accounts/positions/{position.pk}/left/",
    ):
        assert client.post(url, {**PERSON, "left_on": "2026-11-01"}).status_code == 403, url
    position.refresh_from_db()
    assert position.left_on is None


def test_an_analyst_reads_the_people_but_sees_no_edit_controls(client):
    position = PositionFactory()
    analyst = UserFactory()
    role_assign(user=analyst, role="analyst")
    client.force_login(analyst)
    page = client.get(f"/accounts/{position.account_id}/people/").content.decode()
    assert str(position.contact) in page
    assert "Edit" not in page
    assert client.get(f"/accounts/positions/{position.pk}/edit/").status_code == 403


def test_people_partial_runs_in_a_fixed_number_of_queries(
    logged_in_client, django_assert_max_num_queries
):
    account = AccountFactory()
    for _ in range(8):
        PositionFactory(account=account)
    with django_assert_max_num_queries(8):
        logged_in_client.get(f"/accounts/{account.pk}/people/", **HTMX)
