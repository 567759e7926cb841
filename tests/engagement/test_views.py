"""Logging an interaction from the account page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tenure.engagement.models import Interaction
from tests.accounts.factories import AccountFactory, PositionFactory

pytestmark = pytest.mark.django_db


def _post(client, account, **extra):
    data = {
        "kind": "meeting",
        "occurred_at": "2026-11-20T10:00",
        "summary": "Reviewed next season's range",
        "sentiment": "0",
        **extra,
    }
    return client.post(f"/accounts/{account.pk}/log/", data, **extra.pop("headers", {}))


def test_logging_redirects_to_the_account_and_updates_last_strategic(logged_in_client, user):
    position = PositionFactory()
    response = _post(
        logged_in_client, position.account, is_strategic="on", contacts=[position.contact_id]
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.is_strategic
    assert interaction.logged_by == user
    assert list(interaction.contacts.all()) == [position.contact]
    page = logged_in_client.get(position.account.get_absolute_url()).content.decode()
    assert "Last strategic contact: <strong>20 Nov 2026</strong>" in page


def test_htmx_logging_returns_the_new_timeline_out_of_band(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/log/",
        {
            "kind": "call",
            "occurred_at": "2026-11-20T10:00",
            "summary": "Chased order",
            "sentiment": "0",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="timeline" hx-swap-oob="true"' in body
    assert "Chased order" in body
    assert "Interaction logged." in body


def test_missing_summary_is_shown_next_to_the_field_and_nothing_saved(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/log/",
        {"kind": "call", "occurred_at": "2026-11-20T10:00", "summary": "", "sentiment": "0"},
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Interaction.objects.exists()


def test_due_date_without_next_step_is_refused(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/log/",
        {
            "kind": "call",
            "occurred_at": "2026-11-20T10:00",
            "summary": "x",
            "sentiment": "0",
            "next_step_due": "2026-12-01",
        },
    )
    assert "Say what the next step is" in response.content.decode()
    assert not Interaction.objects.exists()


def test_contact_from_another_account_cannot_be_ticked(logged_in_client):
    account = AccountFactory()
    stranger = PositionFactory()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/log/",
        {
            "kind": "call",
            "occurred_at": "2026-11-20T10:00",
            "summary": "x",
            "sentiment": "0",
            "contacts": [stranger.contact_id],
        },
    )
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_log_for_missing_account_is_404(logged_in_client):
    assert logged_in_client.get("/accounts/999999/log/").status_code == 404


def test_logging_needs_login(client):
    account = AccountFactory()
    response = _post(client, account)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Interaction.objects.exists()


def test_a_meeting_dated_after_today_is_refused_next_to_the_date_and_not_shown(logged_in_client):
    account = AccountFactory()
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False):
        response = _post(logged_in_client, account, occurred_at="2027-06-01T10:00")
        page = logged_in_client.get(account.get_absolute_url()).content.decode()
    assert response.status_code == 400
    assert "1 Jun 2027, is after today (7 Dec 2026)" in response.content.decode()
    assert response.context["form"].errors["occurred_at"]
    assert not Interaction.objects.exists()
    assert "1 Jun 2027" not in page
