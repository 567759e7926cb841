"""The History tab: the audit trail in words (``tenure.audit.history``), paged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tenure.audit.context import acting_as
from tenure.audit.history import history_entries
from tenure.audit.models import AuditEvent
from tenure.audit.services import audit_record_bulk
from tenure.core.figures import day
from tenure.engagement.models import Interaction, Touchpoint
from tenure.engagement.services import touchpoint_plan, touchpoint_skip
from tests.accounts.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(db):  # noqa: ARG001
    return UserFactory(username="aberg", first_name="Anna", last_name="Berg")


def _entries(account):
    events = list(AuditEvent.objects.filter(account_id=account.pk).order_by("-created_at", "-id"))
    return history_entries(events)


def test_a_change_to_the_account_reads_as_a_sentence_with_the_persons_name(anna):
    account = AccountFactory(tier="B")
    with acting_as(anna):
        account.tier = "A"
        account.save()
    newest = _entries(account)[0]
    assert newest.who == "Anna Berg"
    assert newest.sentence == "Anna Berg changed the tier from B to A"
    assert newest.details == ()


def test_a_change_to_a_record_names_the_record_and_the_choice_labels(anna):
    account = AccountFactory()
    with acting_as(anna):
        touchpoint = touchpoint_plan(
            account=account, scheduled_on=dt.date(2026, 4, 1), kind="review", title="QBR"
        )
        touchpoint_skip(touchpoint=touchpoint)
    skipped, planned = _entries(account)[:2]
    assert skipped.sentence == (
        f"Anna Berg changed the status of the touchpoint “{touchpoint}” from Planned to Skipped"
    )
    assert planned.sentence == f"Anna Berg added the touchpoint “{touchpoint}”"
    assert "Kind: Business review" in planned.details
    assert "Scheduled on: 1 Apr 2026" in planned.details
    assert "Title: QBR" in planned.details
    # The record's account is the page's: not repeated.
    assert not any(line.startswith("Account") for line in planned.details)


def test_a_link_to_a_person_reads_as_their_name_not_an_id(anna):
    account = AccountFactory()
    with acting_as("tenure import"):
        touchpoint_plan(
            account=account, scheduled_on=dt.date(2026, 4, 1), kind="meeting", owner=anna
        )
    entry = _entries(account)[0]
    assert entry.who == "tenure import"
    assert any(line == "Owner: Anna Berg" for line in entry.details), entry.details


def test_several_changed_fields_are_listed_one_per_line(anna):
    account = AccountFactory(tier="C", industry="")
    with acting_as(anna):
        account.tier = "B"
        account.industry = "Retail"
        account.save()
    entry = _entries(account)[0]
    assert entry.sentence == "Anna Berg changed the account"
    assert "Set the industry to Retail" in entry.details
    assert "Changed the tier from C to B" in entry.details


def test_a_cleared_value_says_what_it_was(anna):
    account = AccountFactory(industry="Retail")
    with acting_as(anna):
        account.industry = ""
        account.save()
    assert _entries(account)[0].sentence == "Anna Berg cleared the industry (was Retail)"


def test_changes_nobody_made_by_hand_and_by_a_removed_user_keep_a_readable_actor(anna):
    account = AccountFactory(tier="C")
    with acting_as(anna):
        account.tier = "B"
        account.save()
    anna.delete()
    account.tier = "A"
    account.save()  # outside a request: the system
    newest, older = _entries(account)[:2]
    assert newest.sentence == "Tenure changed the tier from B to A"
    assert older.who == "aberg"  # the name recorded at the time


def test_a_bulk_write_reads_as_a_count_with_its_note(anna):
    account = AccountFactory()
    audit_record_bulk(
        model=Interaction,
        action="create",
        count=1200,
        by=anna,
        note="import of crm.csv",
        account_id=account.pk,
    )
    entry = _entries(account)[0]
    assert entry.sentence == "Anna Berg added 1,200 interactions"
    assert entry.details == ("import of crm.csv",)


def test_a_deleted_record_is_named(anna):
    account = AccountFactory()
    touchpoint = touchpoint_plan(account=account, scheduled_on=dt.date(2026, 4, 1), kind="other")
    with acting_as(anna):
        Touchpoint.objects.get(pk=touchpoint.pk).delete()
    event = AuditEvent.objects.filter(account_id=account.pk).order_by("-id").first()
    assert event.object_repr
    assert (
        _entries(account)[0].sentence == f"Anna Berg deleted the touchpoint “{event.object_repr}”"
    )


def test_history_names_people_in_a_fixed_number_of_queries(anna, django_assert_num_queries):
    account = AccountFactory()
    for n in range(5):
        user = UserFactory()
        with acting_as(user):
            touchpoint_plan(
                account=account, scheduled_on=dt.date(2026, 4, 1 + n), kind="meeting", owner=anna
            )
    events = list(AuditEvent.objects.filter(account_id=account.pk))
    # One query for the people who acted and the owners (users), one for the accounts.
    with django_assert_num_queries(2):
        entries = history_entries(events)
    # The five planners by name, and Tenure for the account created outside a request.
    assert len({e.who for e in entries}) == 6
    assert "Tenure" in {e.who for e in entries}


def test_a_moment_reads_as_the_local_date():
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    with timezone.override("Europe/Berlin"):
        assert day(late) == "2 Mar 2026"
    with timezone.override("UTC"):
        assert day(late) == "1 Mar 2026"
    assert day(None) == "—"


def test_history_tab_pages_by_25_newest_first(logged_in_client, anna):
    account = AccountFactory(tier="C")
    with acting_as(anna):
        for n in range(30):
            account.employees = n + 1
            account.save()
    url = reverse("accounts:tab", args=[account.pk, "history"])
    first = logged_in_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert (
        first.count("Anna Berg changed the employees") + first.count("Anna Berg set the employees")
        == 25
    )
    assert "from 29 to 30" in first
    assert 'href="?tab=history&amp;page=2"' in first
    second = logged_in_client.get(f"{url}?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert "Page 2 of 2" in second
    assert "Anna Berg set the employees to 1" in second
    assert "<time datetime=" in second
