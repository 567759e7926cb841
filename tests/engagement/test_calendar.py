"""The touchpoint calendar and its iCalendar feed behind a secret token."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tenure.engagement.calendar import birthday_between, feed_token_renew, manager_calendar
from tenure.engagement.models import CalendarFeedToken
from tests.accounts.factories import (
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import TouchpointFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def manager():
    return UserFactory(username="kim.kam", first_name="Kim", last_name="Kam")


@pytest.fixture
def account(manager):
    return TeamMembershipFactory(user=manager, role="kam").account


def _feed(client: Client, token: str):
    return client.get(f"/calendar/{token}.ics")


def _events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_birthdays_fall_in_the_range_and_29_february_moves_to_the_28th():
    assert birthday_between(dt.date(1970, 12, 3), TODAY, dt.date(2027, 2, 23)) == dt.date(
        2026, 12, 3
    )
    assert birthday_between(dt.date(1970, 1, 10), TODAY, dt.date(2027, 2, 23)) == dt.date(
        2027, 1, 10
    )
    assert birthday_between(dt.date(1972, 2, 29), TODAY, dt.date(2027, 3, 1)) == dt.date(
        2027, 2, 28
    )
    assert birthday_between(dt.date(1970, 6, 1), TODAY, dt.date(2027, 2, 23)) is None


def test_a_manager_sees_their_touchpoints_unowned_ones_at_their_accounts_and_birthdays(
    manager, account
):
    someone_else = UserFactory()
    mine = TouchpointFactory(account=account, owner=manager, scheduled_on=TODAY, kind="review")
    unowned = TouchpointFactory(account=account, scheduled_on=TODAY + dt.timedelta(days=10))
    TouchpointFactory(account=account, owner=someone_else, scheduled_on=TODAY)
    TouchpointFactory(account=account, owner=manager, scheduled_on=TODAY + dt.timedelta(days=91))
    TouchpointFactory(account=account, owner=manager, scheduled_on=TODAY, status="skipped")
    PositionFactory(account=account, contact=ContactFactory(birthday=dt.date(1980, 12, 24)))
    PositionFactory(
        account=account,
        contact=ContactFactory(birthday=dt.date(1980, 12, 25)),
        left_on=dt.date(2026, 1, 1),
    )
    entries = manager_calendar(user=manager, start=TODAY, end=TODAY + dt.timedelta(days=90))
    assert [e.key for e in entries[:2]] == [f"touchpoint-{mine.pk}", f"touchpoint-{unowned.pk}"]
    assert [e.kind for e in entries] == ["review", "review", "birthday"]
    assert entries[2].on == dt.date(2026, 12, 24)


def test_a_birthday_planned_as_a_touchpoint_is_not_shown_twice(manager, account):
    person = PositionFactory(
        account=account, contact=ContactFactory(birthday=dt.date(1980, 12, 24))
    ).contact
    TouchpointFactory(
        account=account, contact=person, kind="birthday", scheduled_on=dt.date(2026, 12, 24)
    )
    entries = manager_calendar(user=manager, start=TODAY, end=TODAY + dt.timedelta(days=90))
    assert len(entries) == 1
    assert entries[0].key.startswith("touchpoint-")


def test_the_calendar_page_lists_the_next_90_days_and_offers_a_link(client, manager, account):
    TouchpointFactory(
        account=account,
        owner=manager,
        scheduled_on=timezone.localdate() + dt.timedelta(days=3),
        title="Quarterly business review",
    )
    client.force_login(manager)
    page = client.get("/calendar/").content.decode()
    assert "Quarterly business review" in page
    assert account.name in page
    assert "Create my calendar link" in page


def test_the_link_is_shown_once_and_only_its_hash_is_stored(client, manager):
    client.force_login(manager)
    response = client.post("/calendar/feed/")
    assert response["Cache-Control"] == "no-store"
    url = re.search(r'value="(http://testserver/calendar/([^"]+)\.ics)"', response.content.decode())
    assert url is not None
    raw = url.group(2)
    assert len(raw) >= 43  # 32 random bytes: 256 bits, more than the 128 asked for
    stored = CalendarFeedToken.objects.get(user=manager)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in client.get("/calendar/").content.decode()


def test_the_feed_needs_no_login_and_parses_with_stable_uids_and_all_day_dates(manager, account):
    review = TouchpointFactory(
        account=account, owner=manager, scheduled_on=timezone.localdate() + dt.timedelta(days=5)
    )
    PositionFactory(
        account=account,
        contact=ContactFactory(
            first_name="Ana", last_name="Ng", birthday=timezone.localdate() + dt.timedelta(days=7)
        ),
    )
    token = feed_token_renew(user=manager)
    anonymous = Client()
    response = _feed(anonymous, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response)
    uid = f"touchpoint-{review.pk}@testserver"
    assert set(events) == {uid, next(u for u in events if u.startswith("birthday-"))}
    event = events[uid]
    assert event.decoded("DTSTART") == review.scheduled_on
    assert event.decoded("DTEND") == review.scheduled_on + dt.timedelta(days=1)
    assert not isinstance(event.decoded("DTSTART"), dt.datetime)  # all-day
    assert account.name in str(event["SUMMARY"])
    birthday = next(e for u, e in events.items() if u.startswith("birthday-"))
    assert str(birthday["SUMMARY"]).startswith("Birthday of Ana Ng")

    review.title = "Renamed review"
    review.save()
    again = _events(_feed(anonymous, token))
    assert set(again) == set(events)
    assert "Renamed review" in str(again[uid]["SUMMARY"])


def test_a_wrong_token_is_a_bare_404_that_tells_nothing(manager):
    token = feed_token_renew(user=manager)
    old = token
    feed_token_renew(user=manager)  # the old link stops working
    anonymous = Client()
    responses = [
        _feed(anonymous, candidate)
        for candidate in ("x", "A" * 43, old, token[:-1] + ("A" if token[-1] != "A" else "B"))
    ]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert b"kim" not in responses[0].content.lower()


def test_an_inactive_users_feed_is_gone(manager):
    token = feed_token_renew(user=manager)
    assert _feed(Client(), token).status_code == 200  # the link worked until now
    manager.is_active = False
    manager.save()
    assert _feed(Client(), token).status_code == 404


def test_replacing_the_link_asks_for_confirmation_first(client, manager):
    first = feed_token_renew(user=manager)
    client.force_login(manager)
    confirm = client.post("/calendar/feed/")
    assert "Yes, replace my calendar link" in confirm.content.decode()
    assert _feed(Client(), first).status_code == 200
    client.post("/calendar/feed/", {"confirm": "yes"})
    assert _feed(Client(), first).status_code == 404


def test_the_calendar_page_needs_a_login(client):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.usefixtures("manager")
def test_the_account_section_shows_cadence_and_whats_coming(logged_in_client, account):
    TouchpointFactory(
        account=account,
        scheduled_on=timezone.localdate() + dt.timedelta(days=2),
        title="Prepare for the August–October peak",
        kind="seasonal",
    )
    body = logged_in_client.get(f"/accounts/{account.pk}/upcoming/").content.decode()
    assert "Prepare for the August–October peak" in body
    assert "Cadence" in body
    assert "No contact on record" in body


def test_an_analyst_sees_touchpoints_but_no_birthdays(client, account):
    from tenure.access.services import role_assign

    analyst = UserFactory()
    role_assign(user=analyst, role="analyst")
    TeamMembershipFactory(user=analyst, account=account, role="sales")
    PositionFactory(
        account=account,
        contact=ContactFactory(
            first_name="Ana", last_name="Ng", birthday=timezone.localdate() + dt.timedelta(days=3)
        ),
    )
    TouchpointFactory(
        account=account,
        title="Range review",
        scheduled_on=timezone.localdate() + dt.timedelta(days=4),
    )
    client.force_login(analyst)
    body = client.get(f"/accounts/{account.pk}/upcoming/").content.decode()
    assert "Range review" in body
    assert "Ana Ng" not in body


def test_a_hidden_account_has_no_cadence_check_or_section(client, settings):
    from tenure.access.services import role_assign

    settings.TENURE_KAM_SEES_ALL = False
    stranger = UserFactory()
    role_assign(user=stranger, role="kam")
    hidden = PositionFactory().account
    client.force_login(stranger)
    assert client.get(f"/accounts/{hidden.pk}/cadence-check/").status_code == 404
    assert client.get(f"/accounts/{hidden.pk}/upcoming/").status_code == 404
    cadence = client.get("/cadence/")
    assert cadence.status_code == 200
    assert hidden.name not in cadence.content.decode()
