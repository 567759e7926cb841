"""Cadence policies and each account's status: on rhythm, overdue, over-contacted."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from tenure.core.errors import DomainError
from tenure.engagement import services
from tenure.engagement.cadence import (
    CadenceState,
    cadence_status,
    cadence_statuses,
    policy_for,
    segment_of,
)
from tenure.engagement.models import CadencePolicy
from tests.accounts.factories import AccountFactory, PositionFactory
from tests.engagement.factories import InteractionFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def _contact(account, days_ago: int, *, strategic: bool = False, people=()):
    interaction = InteractionFactory(
        account=account,
        occurred_at=dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(10), dt.UTC),
        is_strategic=strategic,
    )
    if people:
        interaction.contacts.set(people)
    return interaction


def _policy(segment: str, **terms) -> CadencePolicy:
    return services.cadence_policy_set(segment=segment, **terms)


def test_defaults_are_seeded_for_every_segment_and_the_seed_reverses():
    seeded = {p.segment: p for p in CadencePolicy.objects.filter(account__isnull=True)}
    assert set(seeded) == {"key", "A", "B", "C", "other"}
    key = seeded["key"]
    assert (key.contact_every_days, key.strategic_every_days, key.max_contacts) == (14, 45, 8)
    assert (key.max_contacts_per_person, key.min_strategic_percent) == (4, 30)
    migration = importlib.import_module(
        "tenure.engagement.migrations.0003_cadence_calendar_seasonal"
    )
    migration.unseed_cadence(apps, None)
    assert not CadencePolicy.objects.exists()
    migration.seed_cadence(apps, None)
    assert CadencePolicy.objects.count() == 5


def test_key_accounts_follow_the_key_policy_before_their_tier_and_untiered_the_other():
    key = AccountFactory(is_key_account=True, tier="B")
    tier_c = AccountFactory(tier="C")
    untiered = AccountFactory(tier="")
    assert [segment_of(a) for a in (key, tier_c, untiered)] == ["key", "C", "other"]
    assert policy_for(key).source == "Key accounts"
    assert policy_for(untiered).source == "Accounts without a tier"


def test_an_override_starts_from_the_segment_changes_what_is_given_and_can_be_cleared():
    account = AccountFactory(tier="A")
    services.cadence_override_set(account=account, max_contacts=2, note="Asked us to call less")
    terms = policy_for(account)
    assert terms.is_override
    assert terms.source == "this account"
    assert terms.max_contacts == 2
    assert terms.contact_every_days == 21  # kept from tier A
    assert services.cadence_override_clear(account=account)
    assert policy_for(account).source == "Tier A"
    assert not services.cadence_override_clear(account=account)


def test_an_override_refuses_unknown_terms_and_broken_numbers():
    account = AccountFactory()
    with pytest.raises(DomainError, match="unknown cadence term"):
        services.cadence_override_set(account=account, max_calls=3)
    with pytest.raises(DomainError, match="percentage"):
        services.cadence_override_set(account=account, min_strategic_percent=120)
    with pytest.raises(DomainError, match="segment or for one account"):
        services.cadence_policy_set(segment="", max_contacts=3)


def test_no_interactions_at_all_is_overdue_with_a_minimum_and_on_rhythm_without():
    account = AccountFactory(tier="A")
    status = cadence_status(account, today=TODAY)
    assert status.state == CadenceState.OVERDUE
    assert status.last_contact_on is None
    assert status.next_contact_due == TODAY
    assert status.reasons[0].startswith("no contact on record")
    assert cadence_status(AccountFactory(tier=""), today=TODAY).state == CadenceState.ON_RHYTHM


@pytest.mark.parametrize(("days_ago", "state"), [(21, "on_rhythm"), (22, "overdue")])
def test_a_contact_exactly_n_days_ago_is_still_on_rhythm(days_ago, state):
    account = AccountFactory(tier="C")  # a contact every 90 days, no strategic minimum
    _policy("C", contact_every_days=21)
    _contact(account, days_ago)
    status = cadence_status(account, today=TODAY)
    assert status.state == state
    assert status.days_since_contact == days_ago
    assert status.next_contact_due == TODAY - dt.timedelta(days=days_ago - 21)


@pytest.mark.parametrize(("days_ago", "state"), [(45, "on_rhythm"), (46, "overdue")])
def test_strategic_rhythm_boundary(days_ago, state):
    account = AccountFactory(is_key_account=True)
    _contact(account, 1)
    _contact(account, days_ago, strategic=True)
    _policy("key", min_strategic_percent=0)
    assert cadence_status(account, today=TODAY).state == state


def test_contacts_up_to_the_maximum_are_fine_one_more_is_over_and_older_ones_do_not_count():
    account = AccountFactory(tier="B")  # at most 4 contacts in 30 days
    _policy("B", min_strategic_percent=0, strategic_every_days=None)
    for days_ago in (0, 5, 10, 29):
        _contact(account, days_ago)
    _contact(account, 30)  # outside the 30-day window ending today
    status = cadence_status(account, today=TODAY)
    assert (status.state, status.contacts_in_period) == (CadenceState.ON_RHYTHM, 4)
    _contact(account, 3)
    status = cadence_status(account, today=TODAY)
    assert status.state == CadenceState.OVER_CONTACTED
    assert status.reasons == ("5 contacts in the last 30 days (at most 4)",)


def test_too_few_strategic_contacts_is_overdue_and_over_contact_comes_first():
    account = AccountFactory(is_key_account=True)  # ≥ 30 % strategic, at most 8 in 30 days
    _contact(account, 2, strategic=True)
    for days_ago in range(3, 10):
        _contact(account, days_ago)
    status = cadence_status(account, today=TODAY)
    assert status.state == CadenceState.OVERDUE
    assert status.strategic_share == pytest.approx(1 / 8)
    assert "make the next one strategic" in status.reasons[0]
    _contact(account, 1)
    status = cadence_status(account, today=TODAY)
    assert status.state == CadenceState.OVER_CONTACTED
    assert len(status.reasons) == 2


def test_one_person_over_their_budget_makes_the_account_over_contacted():
    position = PositionFactory(account=AccountFactory(tier="A"), contact__first_name="Ada")
    _policy("A", max_contacts=20, max_contacts_per_person=3, strategic_every_days=None)
    for days_ago in (1, 2, 3, 4):
        _contact(position.account, days_ago, strategic=True, people=[position.contact])
    status = cadence_status(position.account, today=TODAY)
    assert status.state == CadenceState.OVER_CONTACTED
    assert status.busiest_person == position.contact.full_name
    assert status.busiest_person_count == 4
    assert "across all channels (at most 3)" in status.reasons[0]


def test_an_override_changes_the_status_of_that_account_only():
    mine, other = AccountFactory(tier="B"), AccountFactory(tier="B")
    for account in (mine, other):
        for days_ago in range(5):
            _contact(account, days_ago, strategic=True)
    services.cadence_override_set(account=mine, max_contacts=10)
    statuses = cadence_statuses([mine, other], today=TODAY)
    assert statuses[mine.pk].state == CadenceState.ON_RHYTHM
    assert statuses[other.pk].state == CadenceState.OVER_CONTACTED


def test_statuses_take_the_same_number_of_queries_for_few_and_many_accounts(
    django_assert_num_queries,
):
    def accounts(n):
        made = []
        for _ in range(n):
            position = PositionFactory(account=AccountFactory(tier="A"))
            _contact(position.account, 3, people=[position.contact])
            made.append(position.account)
        return made

    few, many = accounts(2), accounts(6)
    # Eight of its own, and one for the survey invitations the feedback app registers.
    with django_assert_num_queries(9) as few_queries:
        cadence_statuses(few, today=TODAY)
    with django_assert_num_queries(len(few_queries.captured_queries)):
        statuses = cadence_statuses(many, today=TODAY)
    # Every account read, with its own contact, in those queries.
    assert sorted(statuses) == sorted(account.pk for account in many)
    contacted = {status.last_contact_on for status in statuses.values()}
    assert contacted == {TODAY - dt.timedelta(days=3)}
