"""The person budget: every channel's contacts with one person, against one limit.

What counts: interactions the person took part in (on their local date), touchpoints
planned with them from today on (a past touchpoint still "planned" did not happen), and
whatever other apps register with :func:`register_contact_source` (survey invitations).
"Too many in a period" means in *any* window of ``period_days`` consecutive days
containing the date asked about, so a burst planned for next week counts against a call
today.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import timezone

from tenure.accounts.models import Contact, Position
from tenure.core.dates import day_range
from tenure.engagement.cadence.policies import NO_POLICY, PolicyTerms, _Policies
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import CadenceSegment, Interaction, Touchpoint

__all__ = [
    "CHANNEL_MANAGER",
    "BudgetDecision",
    "ContactEvent",
    "ContactSource",
    "contact_budget_allows",
    "contact_budgets",
    "contact_events",
    "register_contact_source",
    "unregister_contact_source",
]

#: The channel of contacts a manager makes: interactions and touchpoints.
CHANNEL_MANAGER = "manager"

#: How a count of contacts on a channel reads: (one, several). Unknown channels read as named.
_CHANNEL_WORDS = {
    CHANNEL_MANAGER: ("contact by the account team", "contacts by the account team"),
    "survey": ("survey invitation", "survey invitations"),
}


def _on_channel(n: int, channel: str) -> str:
    """``2 survey invitations``, ``1 contact by the account team``."""
    one, several = _CHANNEL_WORDS.get(channel, (f"{channel} contact", f"{channel} contacts"))
    return f"{n} {one if n == 1 else several}"


class ContactEvent(NamedTuple):
    """One dated contact with a person, on some channel."""

    contact_id: int
    on: dt.date
    channel: str


#: Given person ids and an inclusive date range, the dated contacts another app made.
ContactSource = Callable[[Collection[int], dt.date, dt.date], Iterable[ContactEvent]]
_SOURCES: list[ContactSource] = []


def register_contact_source(source: ContactSource) -> ContactSource:
    """Count another app's contacts (survey invitations…) in every person's budget.

    ``source(contact_ids, start, end)`` returns :class:`ContactEvent` s (or plain
    ``(contact_id, date, channel)`` tuples) of those people between ``start`` and ``end``,
    both included. Register once, from the app's ``AppConfig.ready()``; registering the same
    callable again does nothing. Usable as a decorator.
    """
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def unregister_contact_source(source: ContactSource) -> None:
    """Stop counting a source (tests, or an app switched off)."""
    if source in _SOURCES:
        _SOURCES.remove(source)


def contact_events(
    contact_ids: Collection[int], start: dt.date, end: dt.date, *, today: dt.date | None = None
) -> dict[int, list[ContactEvent]]:
    """Every counted contact with these people between two dates (both included).

    Interactions they took part in, touchpoints planned with them from ``today`` on, and
    the registered sources. Three queries plus one per source, however many people.
    """
    today = today or timezone.localdate()
    ids = set(contact_ids)
    events: dict[int, list[ContactEvent]] = defaultdict(list)
    if not ids:
        return events
    low, high = day_range(start, end)
    through = Interaction.contacts.through
    for contact_id, occurred_at in through.objects.filter(
        contact_id__in=ids, interaction__occurred_at__gte=low, interaction__occurred_at__lt=high
    ).values_list("contact_id", "interaction__occurred_at"):
        events[contact_id].append(
            ContactEvent(contact_id, timezone.localdate(occurred_at), CHANNEL_MANAGER)
        )
    for contact_id, on in Touchpoint.objects.filter(
        contact_id__in=ids,
        status=TouchpointStatus.PLANNED,
        scheduled_on__gte=max(start, today),
        scheduled_on__lte=end,
    ).values_list("contact_id", "scheduled_on"):
        events[contact_id].append(ContactEvent(contact_id, on, CHANNEL_MANAGER))
    for source in list(_SOURCES):
        for contact_id, on, channel in source(frozenset(ids), start, end):
            if contact_id in ids and start <= on <= end:
                events[contact_id].append(ContactEvent(contact_id, on, channel))
    return events


class _Window(NamedTuple):
    """The busiest run of contacts: how many, the first and the last of their days."""

    size: int
    first: dt.date
    last: dt.date


def _busiest_window(dates: list[dt.date], on: dt.date, period: int) -> _Window:
    """The most contacts in any ``period``-day window containing ``on``, counting one more
    on ``on`` itself, with the first and last day a contact falls on in that window (the
    earliest such window on a tie)."""
    ordered = sorted(dates)
    first_start = on - dt.timedelta(days=period - 1)
    candidates = {first_start, on}
    candidates.update(d for d in ordered if first_start <= d <= on)
    candidates.update(
        d - dt.timedelta(days=period - 1)
        for d in ordered
        if on <= d <= on + dt.timedelta(days=period - 1)
    )
    best = _Window(0, on, on)
    for start in sorted(c for c in candidates if first_start <= c <= on):
        end = start + dt.timedelta(days=period - 1)
        low, high = bisect.bisect_left(ordered, start), bisect.bisect_right(ordered, end)
        if high - low + 1 > best.size:
            inside = [*ordered[low:high], on]
            best = _Window(high - low + 1, min(inside), max(inside))
    return best


def _span(window: _Window) -> str:
    if window.first == window.last:
        return f"{window.first:%-d %b %Y}"
    return f"{window.first:%-d %b} – {window.last:%-d %b %Y}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the person budget --------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetDecision:
    """May a person be contacted once more on a date? Truthy when allowed.

    ``count`` is the contacts in the busiest window of the policy's period containing the
    date, the new one included, falling between ``first_on`` and ``last_on``;
    ``by_channel`` splits the earlier ones of that window by channel.
    """

    allowed: bool
    reason: str = ""
    count: int = 0
    limit: int | None = None
    period_days: int = 30
    first_on: dt.date | None = None
    last_on: dt.date | None = None
    by_channel: dict[str, int] = field(default_factory=dict)
    policy: PolicyTerms = NO_POLICY

    def __bool__(self) -> bool:
        return self.allowed


def _person_policies(
    contact_ids: Collection[int], policies: _Policies | None = None
) -> dict[int, PolicyTerms]:
    """The strictest policy among the accounts where each person holds a position now.

    People without a current position follow the policy for untiered accounts.
    """
    positions = Position.objects.filter(
        contact_id__in=list(contact_ids), left_on__isnull=True
    ).select_related("account")
    rows = list(positions)
    if policies is None:
        policies = _Policies.load({p.account_id for p in rows})
    fallback = policies.by_segment.get(CadenceSegment.OTHER, NO_POLICY)
    chosen: dict[int, PolicyTerms] = {}
    for position in rows:
        terms = policies.for_account(position.account)
        current = chosen.get(position.contact_id)
        if current is None or terms.person_rate < current.person_rate:
            chosen[position.contact_id] = terms
    return {c: chosen.get(c, fallback) for c in contact_ids}


def contact_budgets(
    contacts: Iterable[Contact | int],
    on_date: dt.date,
    channel: str = CHANNEL_MANAGER,
    *,
    today: dt.date | None = None,
) -> dict[int, BudgetDecision]:
    """:func:`contact_budget_allows` for many people at once, in a fixed number of queries.

    Returns a decision per contact id.
    """
    ids = [c if isinstance(c, int) else c.pk for c in contacts]
    if not ids:
        return {}
    terms = _person_policies(ids)
    longest = max(t.period_days for t in terms.values())
    events = contact_events(
        ids,
        on_date - dt.timedelta(days=longest - 1),
        on_date + dt.timedelta(days=longest - 1),
        today=today,
    )
    decisions = {}
    for contact_id in ids:
        policy = terms[contact_id]
        period = policy.period_days
        mine = [e for e in events.get(contact_id, []) if abs((e.on - on_date).days) < period]
        window = _busiest_window([e.on for e in mine], on_date, period)
        channels = Counter(e.channel for e in mine if window.first <= e.on <= window.last)
        limit = policy.max_contacts_per_person
        allowed = limit is None or window.size <= limit
        reason = ""
        if not allowed:
            split = "; ".join(_on_channel(n, name) for name, n in sorted(channels.items()))
            reason = (
                f"this {_on_channel(1, channel)[2:]} would be the {_ordinal(window.size)} within "
                f"{period} days ({_span(window)}; already: {split}); "
                f"the limit is {limit} ({policy.source})"
            )
        decisions[contact_id] = BudgetDecision(
            allowed=allowed,
            reason=reason,
            count=window.size,
            limit=limit,
            period_days=period,
            first_on=window.first,
            last_on=window.last,
            by_channel=dict(channels),
            policy=policy,
        )
    return decisions


def contact_budget_allows(
    contact: Contact | int,
    on_date: dt.date,
    channel: str = CHANNEL_MANAGER,
    *,
    today: dt.date | None = None,
) -> BudgetDecision:
    """May ``contact`` be contacted once more on ``on_date`` through ``channel``?

    One budget covers every channel: the person's interactions, touchpoints planned with
    them and every registered source (survey invitations). Refused when one more contact
    would exceed the strictest per-person limit among the accounts where they work, in any
    window of that policy's period containing ``on_date``. The decision is truthy when
    allowed and says why not otherwise.
    """
    contact_id = contact if isinstance(contact, int) else contact.pk
    return contact_budgets([contact_id], on_date, channel, today=today)[contact_id]
