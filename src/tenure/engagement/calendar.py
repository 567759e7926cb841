"""The touchpoint calendar: what is coming up, on a page and as an iCalendar feed.

Entries are planned touchpoints (business reviews, conferences, holiday greetings,
seasonal preparation…) and the birthdays of people holding a position at the accounts,
worked out from ``Contact.birthday`` on the fly (a birthday already planned as a
touchpoint is not shown twice).

A manager subscribes to their calendar at ``/calendar/<token>.ics`` from any calendar app.
The token is 256 random bits, shown once and stored only as its SHA-256 (like the survey
links): a leaked database does not leak working feed URLs. Making a new one cuts off the
old URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, Position, TeamMembership
from tenure.accounts.permissions import visible_account_q
from tenure.engagement.choices import TouchpointKind, TouchpointStatus
from tenure.engagement.models import CalendarFeedToken, Touchpoint

__all__ = [
    "CALENDAR_DAYS",
    "FEED_PAST_DAYS",
    "CalendarEntry",
    "account_calendar",
    "birthday_between",
    "feed_token_renew",
    "feed_user",
    "ics_feed",
    "manager_calendar",
    "team_calendar",
    "touchpoint_entry",
]

#: How far ahead the calendar page and the feed look.
CALENDAR_DAYS = 90
#: How far back the feed keeps entries, so a calendar app does not lose them on the day.
FEED_PAST_DAYS = 30
#: Random bytes per feed token: 256 bits (at least 128 are asked for).
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
#: A feed poll records its time at most this often, not on every poll.
_USE_RESOLUTION = dt.timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEntry:
    """One day's item on a calendar. ``key`` is stable: the feed's UID is built from it."""

    key: str
    on: dt.date
    kind: str
    kind_label: str
    title: str
    account_id: int
    account_name: str
    contact_name: str
    owner_name: str
    changed_at: dt.datetime
    is_done: bool = False
    #: The touchpoint behind the entry (``None`` for a birthday worked out from a contact).
    touchpoint_id: int | None = None

    @property
    def account_url(self) -> str:
        return reverse("accounts:detail", args=[self.account_id])


def birthday_between(birthday: dt.date, start: dt.date, end: dt.date) -> dt.date | None:
    """The first anniversary of ``birthday`` between two dates (both included), if any.

    Someone born on 29 February celebrates on 28 February in other years.
    """
    for year in range(start.year, end.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = dt.date(year, 2, 28)
        if start <= day <= end:
            return day
    return None


def touchpoint_entry(touchpoint: Touchpoint) -> CalendarEntry:
    """The calendar entry of one touchpoint (its account, contact and owner loaded)."""
    contact = touchpoint.contact.full_name if touchpoint.contact else ""
    title = touchpoint.title or str(touchpoint.get_kind_display())
    if contact and contact not in title:
        title = f"{title} with {contact}"
    owner = touchpoint.owner
    return CalendarEntry(
        key=f"touchpoint-{touchpoint.pk}",
        on=touchpoint.scheduled_on,
        kind=touchpoint.kind,
        kind_label=str(touchpoint.get_kind_display()),
        title=title,
        account_id=touchpoint.account_id,
        account_name=touchpoint.account.name,
        contact_name=contact,
        owner_name=(owner.get_full_name() or owner.get_username()) if owner else "",
        changed_at=touchpoint.updated_at,
        is_done=touchpoint.status == TouchpointStatus.DONE,
        touchpoint_id=touchpoint.pk,
    )


def _entries(
    touchpoints: QuerySet[Touchpoint],
    positions: QuerySet[Position],
    start: dt.date,
    end: dt.date,
    *,
    include_done: bool,
    birthdays: bool,
) -> list[CalendarEntry]:
    statuses = (
        [TouchpointStatus.PLANNED, TouchpointStatus.DONE]
        if include_done
        else [TouchpointStatus.PLANNED]
    )
    planned = touchpoints.filter(
        scheduled_on__gte=start, scheduled_on__lte=end, status__in=statuses
    ).select_related("account", "contact", "owner")
    entries = [touchpoint_entry(t) for t in planned]
    greeted = {(t.contact_id, t.scheduled_on) for t in planned if t.kind == TouchpointKind.BIRTHDAY}
    people = positions.filter(left_on__isnull=True, contact__birthday__isnull=False)
    if not birthdays:
        people = people.none()
    for position in people.select_related("contact", "account"):
        contact = position.contact
        assert contact.birthday is not None  # people with a birthday only, above
        day = birthday_between(contact.birthday, start, end)
        if day is None or (contact.pk, day) in greeted:
            continue
        entries.append(
            CalendarEntry(
                key=f"birthday-{contact.pk}-{position.account_id}-{day.year}",
                on=day,
                kind=TouchpointKind.BIRTHDAY,
                kind_label=str(TouchpointKind.BIRTHDAY.label),
                title=f"Birthday of {contact.full_name}",
                account_id=position.account_id,
                account_name=position.account.name,
                contact_name=contact.full_name,
                owner_name="",
                changed_at=contact.updated_at,
            )
        )
    return sorted(entries, key=lambda e: (e.on, e.account_name, e.title, e.key))


def manager_calendar(
    *,
    user: User,
    start: dt.date,
    end: dt.date,
    include_done: bool = False,
    birthdays: bool = True,
) -> list[CalendarEntry]:
    """A manager's calendar: touchpoints they own, unowned ones at the accounts they manage,
    and (unless ``birthdays`` is false: people's birthdays are personal data) birthdays of
    the people at those accounts."""
    managed = TeamMembership.objects.filter(user=user, role=TeamRole.KEY_ACCOUNT_MANAGER).values(
        "account_id"
    )
    touchpoints = Touchpoint.objects.filter(
        Q(owner=user) | Q(owner__isnull=True, account_id__in=managed)
    )
    positions = Position.objects.filter(account_id__in=managed)
    return _entries(
        touchpoints, positions, start, end, include_done=include_done, birthdays=birthdays
    )


def team_calendar(
    *,
    user: User,
    start: dt.date,
    end: dt.date,
    birthdays: bool = True,
) -> list[CalendarEntry]:
    """Every planned touchpoint (and, unless ``birthdays`` is false, birthday) at the accounts
    the user may see, whoever owns it: a director's view of the team."""
    visible = visible_account_q(user, prefix="account__")
    return _entries(
        Touchpoint.objects.filter(visible),
        Position.objects.filter(visible),
        start,
        end,
        include_done=False,
        birthdays=birthdays,
    )


def account_calendar(
    *,
    account: Account,
    start: dt.date,
    end: dt.date,
    include_done: bool = False,
    birthdays: bool = True,
) -> list[CalendarEntry]:
    """One account's upcoming touchpoints and (unless ``birthdays`` is false) birthdays."""
    return _entries(
        Touchpoint.objects.filter(account=account),
        Position.objects.filter(account=account),
        start,
        end,
        include_done=include_done,
        birthdays=birthdays,
    )


def ics_feed(
    entries: Iterable[CalendarEntry], *, name: str, host: str, base_url: str = ""
) -> bytes:
    """An iCalendar (RFC 5545) document of all-day events, one per entry.

    UIDs are ``<entry key>@<host>``: the same touchpoint keeps its UID across polls and
    edits, so calendar apps update events in place instead of duplicating them.
    """
    cal = Calendar()
    cal.add("prodid", "-//Tenure//Touchpoint calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", "PT1H")
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.key}@{host}")
        stamp = entry.changed_at.astimezone(dt.UTC)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", entry.on)
        event.add("dtend", entry.on + dt.timedelta(days=1))
        event.add("summary", f"{entry.title} — {entry.account_name}")
        lines = [f"{entry.kind_label} at {entry.account_name}"]
        if entry.contact_name:
            lines.append(f"With {entry.contact_name}")
        if entry.owner_name:
            lines.append(f"Owner: {entry.owner_name}")
        if base_url:
            url = base_url.rstrip("/") + entry.account_url
            lines.append(url)
            event.add("url", url)
        event.add("description", "\n".join(lines))
        event.add("categories", [entry.kind_label])
        event.add("transp", "TRANSPARENT")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return bytes(cal.to_ical())


# --- feed tokens ------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def feed_token_renew(*, user: User) -> str:
    """Make a new feed token for ``user`` and return it; the old URL stops working.

    Only the hash is stored: show the returned token now, it cannot be shown again.
    """
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": _hash(raw), "last_used_at": None}
    )
    return raw


def feed_user(raw: str) -> User | None:
    """The active user a feed token belongs to, or ``None`` for anything else.

    Malformed, unknown and inactive-user tokens all give ``None``: callers answer the same
    404 for each, so the response says nothing about which it was.
    """
    if not _TOKEN_SHAPE.fullmatch(raw):
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _USE_RESOLUTION:
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
