"""Correcting and deleting a logged interaction from the account's timeline: the author or a
director only, deleting after a confirmation page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tenure.access.services import role_assign
from tenure.engagement.models import Interaction
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.engagement.factories import InteractionFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
WHEN = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager():
    return UserFactory(username="kim")


@pytest.fixture
def account(manager):
    return TeamMembershipFactory(user=manager, account__name="Harbour Foods").account


@pytest.fixture
def mine(manager, account):
    return InteractionFactory(account=account, logged_by=manager, occurred_at=WHEN)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_timeline_offers_edit_and_delete_only_on_ones_own_entries(manager, account, mine):
    colleague = UserFactory(username="lee")
    TeamMembershipFactory(user=colleague, account=account, role="support")
    theirs = InteractionFactory(account=account, logged_by=colleague, occurred_at=WHEN)
    page = _as(manager).get(f"/accounts/{account.pk}/?tab=timeline").content.decode()
    assert f"/interactions/{mine.pk}/edit/" in page
    assert f"/interactions/{mine.pk}/delete/" in page
    assert f"/interactions/{theirs.pk}/edit/" not in page


def test_the_author_corrects_an_interaction_and_goes_back_to_the_timeline(manager, account, mine):
    kim = _as(manager)
    form = kim.get(f"/interactions/{mine.pk}/edit/")
    assert "Checked an order." in form.content.decode()
    response = kim.post(
        f"/interactions/{mine.pk}/edit/",
        {
            "kind": "meeting",
            "occurred_at": "2026-11-20T11:00",
            "summary": "Agreed the delivery plan",
            "outcome": "Two extra slots",
            "sentiment": "1",
        },
    )
    assert response["Location"] == f"/accounts/{account.pk}/#timeline"
    mine.refresh_from_db()
    assert (mine.kind, mine.summary, mine.outcome) == (
        "meeting",
        "Agreed the delivery plan",
        "Two extra slots",
    )


def test_a_bad_correction_names_the_field(manager, mine):
    response = _as(manager).post(
        f"/interactions/{mine.pk}/edit/",
        {"kind": "call", "occurred_at": "2026-12-24T10:00", "summary": "x", "sentiment": "0"},
    )
    assert response.status_code == 400
    assert "When: the date of the interaction" in response.content.decode()


def test_a_colleague_gets_403_and_a_hidden_account_404(account, mine, settings):
    colleague = UserFactory(username="lee")
    TeamMembershipFactory(user=colleague, account=account, role="support")
    lee = _as(colleague)
    assert lee.get(f"/interactions/{mine.pk}/edit/").status_code == 403
    assert lee.post(f"/interactions/{mine.pk}/delete/", {"confirm": "yes"}).status_code == 403
    assert Interaction.objects.filter(pk=mine.pk).exists()
    settings.TENURE_KAM_SEES_ALL = False
    sam = UserFactory(username="sam")
    TeamMembershipFactory(user=sam, account=AccountFactory())
    stranger = _as(sam)
    assert stranger.get(f"/interactions/{mine.pk}/edit/").status_code == 404


def test_deleting_asks_first_then_deletes_on_confirmation(manager, account, mine):
    kim = _as(manager)
    ask = kim.get(f"/interactions/{mine.pk}/delete/")
    assert "Delete this interaction with Harbour Foods?" in ask.content.decode()
    assert Interaction.objects.filter(pk=mine.pk).exists()
    unconfirmed = kim.post(f"/interactions/{mine.pk}/delete/", {})
    assert unconfirmed.status_code == 200
    assert Interaction.objects.filter(pk=mine.pk).exists()
    done = kim.post(f"/interactions/{mine.pk}/delete/", {"confirm": "yes"})
    assert done["Location"] == f"/accounts/{account.pk}/#timeline"
    assert not Interaction.objects.filter(pk=mine.pk).exists()


def test_a_director_may_delete_anyones_interaction(mine):
    director = UserFactory(username="dana")
    role_assign(user=director, role="director")
    _as(director).post(f"/interactions/{mine.pk}/delete/", {"confirm": "yes"})
    assert not Interaction.objects.filter(pk=mine.pk).exists()
