"""The person budget across channels, the registry of contact sources, and cadence_check."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.engagement import services
from tenure.engagement.cadence import (
    ContactEvent,
    cadence_check,
    contact_budget_allows,
    contact_budgets,
    register_contact_source,
    unregister_contact_source,
)
from tests.accounts.factories import AccountFactory, ContactFactory, PositionFactory
from tests.engagement.factories import InteractionFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def _met(person, account, on: dt.date):
    interaction = InteractionFactory(
        account=account, occurred_at=dt.datetime.combine(on, dt.time(10), dt.UTC)
    )
    interaction.contacts.set([person])


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def person():
    """Someone at a tier B account: at most 2 contacts per person in 30 days."""
    return PositionFactory(account=AccountFactory(tier="B")).contact


@pytest.fixture
def surveys():
    """A stand-in for the feedback app's survey invitations, registered as a source."""
    sent: list[ContactEvent] = []

    def source(contact_ids, start, end):
        return [e for e in sent if e.contact_id in contact_ids and start <= e.on <= end]

    register_contact_source(source)
    register_contact_source(source)  # a second registration is ignored
    yield sent
    unregister_contact_source(source)


def test_a_person_nobody_contacted_may_be_contacted(person):
    decision = contact_budget_allows(contact=person, on_date=TODAY, channel="survey", today=TODAY)
    assert decision
    assert decision.count == 1
    assert decision.limit == 2


def test_the_limit_counts_every_channel_and_the_refusal_says_which(person, surveys):
    account = person.positions.get().account
    _met(person, account, _days(-10))
    assert contact_budget_allows(contact=person, on_date=TODAY, channel="survey", today=TODAY)
    surveys.append(ContactEvent(person.pk, _days(-3), "survey"))
    decision = contact_budget_allows(contact=person, on_date=TODAY, channel="manager", today=TODAY)
    assert not decision
    assert decision.count == 3
    assert decision.by_channel == {"manager": 1, "survey": 1}
    assert "would be the 3rd within 30 days (20 Jun – 30 Jun 2026" in decision.reason
    assert "already: 1 contact by the account team; 1 survey invitation)" in decision.reason
    assert "the limit is 2 (Tier B)" in decision.reason


def test_the_source_is_registered_once(person, surveys):
    surveys.append(ContactEvent(person.pk, _days(-1), "survey"))
    assert contact_budget_allows(contact=person, on_date=TODAY, today=TODAY).by_channel == {
        "survey": 1
    }


@pytest.mark.parametrize(("days_before", "allowed"), [(29, False), (30, True)])
def test_a_contact_30_days_before_is_outside_the_30_day_window(person, days_before, allowed):
    account = person.positions.get().account
    _met(person, account, _days(-days_before))
    _met(person, account, _days(-1))
    assert bool(contact_budget_allows(contact=person, on_date=TODAY, today=TODAY)) is allowed


def test_planned_touchpoints_ahead_count_and_stale_planned_ones_do_not(person):
    account = person.positions.get().account
    TouchpointFactory(account=account, contact=person, scheduled_on=_days(20))
    TouchpointFactory(account=account, contact=person, scheduled_on=_days(-5))  # never done
    assert contact_budget_allows(contact=person, on_date=TODAY, today=TODAY).count == 2
    TouchpointFactory(account=account, contact=person, scheduled_on=_days(25))
    decision = contact_budget_allows(contact=person, on_date=TODAY, today=TODAY)
    assert not decision
    assert (decision.first_on, decision.last_on) == (TODAY, _days(25))  # the one ahead


def test_contacts_at_all_of_a_persons_accounts_count_under_the_strictest_policy():
    person = ContactFactory()
    key = PositionFactory(contact=person, account=AccountFactory(is_key_account=True)).account
    tier_c = PositionFactory(contact=person, account=AccountFactory(tier="C")).account
    services.cadence_policy_set(segment="C", max_contacts_per_person=1, period_days=30)
    _met(person, key, _days(-2))
    decision = contact_budget_allows(contact=person, on_date=TODAY, today=TODAY)
    assert not decision
    assert decision.limit == 1
    assert decision.policy.source == "Tier C"
    _met(person, tier_c, _days(-40))
    assert contact_budget_allows(contact=person, on_date=_days(-25), today=TODAY).count == 2


def test_someone_without_a_current_position_follows_the_untiered_policy():
    decision = contact_budget_allows(contact=ContactFactory(), on_date=TODAY, today=TODAY)
    assert decision.policy.source == "Accounts without a tier"


def test_budgets_for_many_people_take_a_fixed_number_of_queries(django_assert_num_queries):
    people = [PositionFactory().contact for _ in range(5)]
    # Policies, positions, interactions, touchpoints, and the feedback app's survey source.
    with django_assert_num_queries(5):
        decisions = contact_budgets(people, TODAY, today=TODAY)
    assert set(decisions) == {p.pk for p in people}


def test_check_warns_when_the_account_or_a_person_would_go_over_and_is_silent_otherwise(person):
    account = person.positions.get().account  # tier B: 4 per account, 2 per person in 30 days
    assert cadence_check(account=account, contacts=[person], on=TODAY, today=TODAY) == []
    _met(person, account, _days(-4))
    _met(person, account, _days(-2))
    for days_ago in (1, 3):
        InteractionFactory(
            account=account, occurred_at=dt.datetime.combine(_days(-days_ago), dt.time(9), dt.UTC)
        )
    warnings = cadence_check(account=account, contacts=[person], on=TODAY, today=TODAY)
    assert len(warnings) == 2
    assert warnings[0].startswith(f"This would be the 5th contact with {account.name} within 30")
    assert warnings[0].endswith("the cadence (Tier B) allows 4.")
    assert warnings[1].startswith(
        f"{person.full_name}: this contact by the account team would be the 3rd"
    )


def test_check_counts_touchpoints_planned_after_the_date(person):
    account = person.positions.get().account
    for days in (3, 6, 9, 12):
        TouchpointFactory(account=account, scheduled_on=_days(days))
    (warning,) = cadence_check(account=account, on=TODAY, today=TODAY)
    assert "5th contact" in warning
    assert "(30 Jun – 12 Jul 2026)" in warning
