"""Survey emails and manager contacts share one budget per person (the cadence policies)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tenure.engagement.cadence import contact_budget_allows
from tenure.feedback import services
from tenure.feedback.models import Invitation
from tests.accounts.factories import AccountFactory, PositionFactory
from tests.engagement.factories import InteractionFactory
from tests.feedback.factories import NOW, make_campaign

pytestmark = pytest.mark.django_db
BASE = "https://tenure.example"


def _met(person, account, days_ago: int) -> None:
    interaction = InteractionFactory(account=account, occurred_at=NOW - dt.timedelta(days=days_ago))
    interaction.contacts.set([person])


@pytest.fixture
def account():
    return AccountFactory(tier="B")  # the tier B policy: at most 2 contacts a person in 30 days


def test_a_person_the_managers_met_twice_this_month_is_not_surveyed_too(account):
    busy = PositionFactory(account=account).contact
    free = PositionFactory(account=account).contact
    _met(busy, account, 3)
    _met(busy, account, 10)
    _met(free, account, 10)
    report = services.campaign_send(campaign=make_campaign(account=account), base_url=BASE, now=NOW)
    assert set(Invitation.objects.values_list("contact_id", flat=True)) == {free.pk}
    (skip,) = report.skipped
    assert skip.contact == busy
    assert "this survey invitation would be the 3rd within 30 days" in skip.reason
    assert "already: 2 contacts by the account team" in skip.reason


def test_a_survey_sent_counts_against_the_next_call(account):
    person = PositionFactory(account=account).contact
    services.campaign_send(campaign=make_campaign(account=account), base_url=BASE, now=NOW)
    _met(person, account, 1)
    today = timezone.localdate(NOW)
    decision = contact_budget_allows(contact=person, on_date=today, today=today)
    assert not decision
    assert decision.by_channel == {"manager": 1, "survey": 1}
