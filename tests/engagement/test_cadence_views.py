"""The cadence page, and the over-contact warning on the log form."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.accounts.factories import AccountFactory, PositionFactory, TeamMembershipFactory
from tests.engagement.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def _contacts(account, count: int, *, people=()):
    now = timezone.now()
    for n in range(count):
        interaction = InteractionFactory(account=account, occurred_at=now - dt.timedelta(days=n))
        interaction.contacts.set(people)


def test_the_cadence_page_lists_my_accounts_worst_first_and_filters(logged_in_client, user):
    busy = TeamMembershipFactory(user=user, account=AccountFactory(name="Busy", tier="C")).account
    TeamMembershipFactory(user=user, account=AccountFactory(name="Quiet", tier="A"))
    _contacts(busy, 4)  # tier C: at most 3 in 30 days
    page = logged_in_client.get("/cadence/").content.decode()
    assert page.index("Busy") < page.index("Quiet")
    # The filter names every state whatever the rows; its counts are what the rows say.
    assert "Over-contacted (1)" in page
    assert "Overdue (1)" in page
    assert "4 contacts in the last 30 days (at most 3)" in page
    assert "Key accounts" in page  # the policies table
    only = logged_in_client.get("/cadence/?state=overdue").content.decode()
    assert "Quiet" in only
    assert "Busy" not in only


def test_the_log_form_asks_for_warnings_as_it_is_filled_in(logged_in_client):
    account = AccountFactory()
    page = logged_in_client.get(f"/accounts/{account.pk}/log/").content.decode()
    assert f'hx-get="/accounts/{account.pk}/cadence-check/"' in page
    assert 'hx-include="closest form"' in page


def test_the_warning_names_the_person_over_budget_and_stays_empty_otherwise(logged_in_client):
    position = PositionFactory(account=AccountFactory(tier="B"), contact__first_name="Ada")
    url = f"/accounts/{position.account_id}/cadence-check/"
    params = {"occurred_at": timezone.localdate().isoformat() + "T10:00"}
    quiet = logged_in_client.get(url, {**params, "contacts": [position.contact_id]})
    assert quiet.status_code == 200
    assert quiet.content.decode().strip() == ""
    _contacts(position.account, 2, people=[position.contact])
    body = logged_in_client.get(url, {**params, "contacts": [position.contact_id]}).content
    assert "Ada" in body.decode()
    assert "would be the 3rd within 30 days" in body.decode()
    assert "does not forbid" in body.decode()


def test_the_warning_ignores_people_from_other_accounts_and_bad_dates(logged_in_client):
    account = AccountFactory(tier="C")  # at most 3 contacts in 30 days
    elsewhere = PositionFactory(account=AccountFactory(tier="B"), contact__first_name="Zed")
    stranger = elsewhere.contact
    _contacts(elsewhere.account, 2, people=[stranger])  # over budget with their own account
    own = logged_in_client.get(
        f"/accounts/{elsewhere.account_id}/cadence-check/", {"contacts": [stranger.pk]}
    ).content.decode()
    assert "Zed" in own  # so the silence below is the filter, not a quiet person
    response = logged_in_client.get(
        f"/accounts/{account.pk}/cadence-check/",
        {"occurred_at": "not a date", "contacts": [stranger.pk]},
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == ""
    _contacts(account, 3)
    # A date that does not parse is read as today, where a 4th contact is one too many.
    again = logged_in_client.get(
        f"/accounts/{account.pk}/cadence-check/",
        {"occurred_at": "not a date", "contacts": [stranger.pk]},
    ).content.decode()
    assert "This would be the 4th contact" in again
    assert "Zed" not in again


def test_the_warning_refuses_a_contact_that_is_not_an_id(logged_in_client):
    account = AccountFactory()
    response = logged_in_client.get(
        f"/accounts/{account.pk}/cadence-check/", {"contacts": ["1", "x"]}
    )
    assert response.status_code == 400
    assert "contacts: “x” is not a valid id" in response.content.decode()


def test_the_cadence_page_says_1_day_ago_not_1_days_ago(logged_in_client, user):
    account = TeamMembershipFactory(user=user, account=AccountFactory(name="Recent")).account
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        InteractionFactory(
            account=account,
            occurred_at=dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC),
            is_strategic=True,
        )
        page = logged_in_client.get("/cadence/").content.decode()
    assert "1 day ago" in page
    assert "1 days ago" not in page
