"""The account profile partial: seasons, markets, objectives, culture, pain points, potential."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tenure.access.services import role_assign
from tenure.accounts.services import account_profile_update
from tenure.audit.models import AuditEvent
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PROFILE = {
    "is_seasonal": "on",
    "seasonal_notes": "Peaks before Easter and in November",
    "has_international_presence": "on",
    "customer_objectives": "Cut stock-outs by half",
    "culture": "Consensus; the board signs above 50k",
    "pain_points": "Late deliveries in Q4",
    "potential_annual_spend": "250000",
    "potential_spend_source": "CFO at the QBR",
    "potential_spend_as_of": "2026-10-01",
}


def test_saving_the_profile_in_place_shows_it_and_records_the_change(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.post(f"/accounts/{account.pk}/profile/edit/", PROFILE, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"The profile of {account.name} is saved." in page
    assert "Peaks before Easter and in November" in page
    assert "Cut stock-outs by half" in page
    assert "as of 1 Oct 2026" in page
    account.refresh_from_db()
    assert account.is_seasonal
    assert account.has_international_presence
    assert not account.is_entering_new_markets
    assert account.culture == "Consensus; the board signs above 50k"
    assert account.potential_annual_spend == Decimal("250000")
    changes = [
        event.after
        for event in AuditEvent.objects.filter(model="accounts.account", account_id=account.pk)
    ]
    assert any(after.get("customer_objectives") == "Cut stock-outs by half" for after in changes)
    assert any(after.get("potential_spend_source") == "CFO at the QBR" for after in changes)


def test_without_javascript_the_save_redirects_to_the_profile_page(logged_in_client, account):
    response = logged_in_client.post(f"/accounts/{account.pk}/profile/edit/", PROFILE)
    assert response.status_code == 302
    page = logged_in_client.get(response["Location"]).content.decode()
    assert "<html" in page
    assert "Late deliveries in Q4" in page


def test_a_negative_potential_is_refused_naming_the_field(logged_in_client, account):
    response = logged_in_client.post(
        f"/accounts/{account.pk}/profile/edit/", {**PROFILE, "potential_annual_spend": "-5"}
    )
    assert response.status_code == 400
    assert "Potential spend a year: potential spend must be positive" in response.content.decode()
    account.refresh_from_db()
    assert account.customer_objectives == ""


@time_machine.travel(dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC), tick=False)
def test_a_potential_dated_after_today_is_refused_like_on_the_growth_page(
    logged_in_client, account
):
    response = logged_in_client.post(
        f"/accounts/{account.pk}/profile/edit/", {**PROFILE, "potential_spend_as_of": "2026-12-01"}
    )
    assert response.status_code == 400
    assert "the figure&#x27;s date cannot be after today (15 Nov 2026)" in response.content.decode()
    account.refresh_from_db()
    assert account.potential_annual_spend is None
    assert account.pain_points == ""  # all or nothing


def test_saving_the_notes_does_not_re_date_an_unchanged_potential():
    account = AccountFactory(
        potential_annual_spend=Decimal("100000.00"),
        potential_spend_source="buyer",
        potential_spend_as_of=dt.date(2026, 1, 31),
    )
    account_profile_update(
        account=account,
        today=dt.date(2026, 11, 15),
        potential=Decimal("100000.00"),
        potential_source="buyer",
        potential_as_of=None,
        culture="Family owned",
    )
    account.refresh_from_db()
    assert account.potential_spend_as_of == dt.date(2026, 1, 31)
    assert account.culture == "Family owned"


def test_a_changed_potential_without_a_date_is_dated_today():
    account = AccountFactory(potential_annual_spend=Decimal("100000"))
    account_profile_update(
        account=account, today=dt.date(2026, 11, 15), potential=Decimal("120000")
    )
    account.refresh_from_db()
    assert account.potential_spend_as_of == dt.date(2026, 11, 15)


def test_read_only_users_see_the_profile_without_the_edit_button_and_get_403(client):
    account = AccountFactory(pain_points="Slow approvals")
    for role in ("kam", "analyst"):
        user = UserFactory()
        role_assign(user=user, role=role)
        client.force_login(user)
        page = client.get(f"/accounts/{account.pk}/profile/", **HTMX).content.decode()
        assert "Slow approvals" in page, role
        assert "Edit the profile" not in page, role
        response = client.post(f"/accounts/{account.pk}/profile/edit/", PROFILE)
        assert response.status_code == 403, role
    account.refresh_from_db()
    assert account.culture == ""


def test_the_edit_form_starts_from_the_current_profile(logged_in_client):
    account = AccountFactory(culture="Engineering-led", is_entering_new_markets=True)
    page = logged_in_client.get(f"/accounts/{account.pk}/profile/edit/", **HTMX).content.decode()
    assert "Engineering-led</textarea>" in page
    assert 'name="is_entering_new_markets" id="id_is_entering_new_markets" checked' in page
