"""Each account's cadence status, and the warning shown when logging or planning a contact."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Max, Q
from django.utils import timezone

from tenure.accounts.models import Account, Contact, Position
from tenure.core.dates import day_range
from tenure.engagement.cadence.budget import (
    CHANNEL_MANAGER,
    _busiest_window,
    _ordinal,
    _person_policies,
    _span,
    contact_budgets,
    contact_events,
)
from tenure.engagement.cadence.policies import NO_POLICY, PolicyTerms, _Policies, policy_for
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint

__all__ = ["CadenceState", "CadenceStatus", "cadence_check", "cadence_status", "cadence_statuses"]


class CadenceState(enum.StrEnum):
    """Where an account stands against its cadence."""

    ON_RHYTHM = "on_rhythm"
    OVERDUE = "overdue"
    OVER_CONTACTED = "over_contacted"

    @property
    def label(self) -> str:
        return {
            "on_rhythm": "On rhythm",
            "overdue": "Overdue",
            "over_contacted": "Over-contacted",
        }[self.value]


@dataclass(frozen=True)
class CadenceStatus:
    """An account against its cadence policy on a day, with the numbers behind it.

    ``state`` is over-contacted when a limit is exceeded (that comes first: stop), else
    overdue when a contact, a strategic contact or the strategic share is behind, else on
    rhythm. ``reasons`` lists every finding, worst first.
    """

    account_id: int
    today: dt.date
    state: CadenceState
    policy: PolicyTerms
    last_contact_on: dt.date | None
    last_strategic_on: dt.date | None
    contacts_in_period: int
    strategic_share: float | None
    contacts_in_share_window: int
    busiest_person: str | None
    busiest_person_count: int
    next_contact_due: dt.date | None
    next_strategic_due: dt.date | None
    reasons: tuple[str, ...]

    @property
    def days_since_contact(self) -> int | None:
        return None if self.last_contact_on is None else (self.today - self.last_contact_on).days

    @property
    def days_since_strategic(self) -> int | None:
        if self.last_strategic_on is None:
            return None
        return (self.today - self.last_strategic_on).days


class _PersonLoad(NamedTuple):
    """How many contacts one person had in their policy's period, against its limit."""

    name: str
    contacts: int
    limit: int | None
    period_days: int

    @property
    def over(self) -> bool:
        return self.limit is not None and self.contacts > self.limit

    def rank(self) -> tuple[bool, int, str]:
        """The most over their limit first; among those within it, the most contacted."""
        excess = self.contacts - self.limit if self.over and self.limit is not None else 0
        return (self.over, excess if self.over else self.contacts, self.name)


def _due(last: dt.date | None, every: int | None, today: dt.date) -> dt.date | None:
    if every is None:
        return None
    return today if last is None else last + dt.timedelta(days=every)


def cadence_statuses(
    accounts: Iterable[Account], *, today: dt.date | None = None
) -> dict[int, CadenceStatus]:
    """Each account's cadence status, in a fixed number of queries for any number of accounts.

    Returns a status per account id.
    """
    today = today or timezone.localdate()
    accounts = list(accounts)
    if not accounts:
        return {}
    ids = [a.pk for a in accounts]
    policies = _Policies.load(ids)
    terms = {a.pk: policies.for_account(a) for a in accounts}
    longest = max(max(t.period_days, t.share_window_days) for t in terms.values())
    _, end_of_today = day_range(today, today)

    lasts = {
        row["account_id"]: row
        for row in Interaction.objects.filter(account_id__in=ids, occurred_at__lt=end_of_today)
        .values("account_id")
        .order_by()
        .annotate(
            last=Max("occurred_at"), last_strategic=Max("occurred_at", filter=Q(is_strategic=True))
        )
    }
    low, _ = day_range(today - dt.timedelta(days=longest - 1), today)
    recent: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for account_id, occurred_at, strategic in Interaction.objects.filter(
        account_id__in=ids, occurred_at__gte=low, occurred_at__lt=end_of_today
    ).values_list("account_id", "occurred_at", "is_strategic"):
        recent[account_id].append((timezone.localdate(occurred_at), strategic))

    people = Position.objects.filter(account_id__in=ids, left_on__isnull=True).select_related(
        "contact"
    )
    staff: dict[int, list[Contact]] = defaultdict(list)
    for position in people:
        staff[position.account_id].append(position.contact)
    person_ids = {c.pk for group in staff.values() for c in group}
    person_terms = _person_policies(person_ids) if person_ids else {}
    person_events = contact_events(
        person_ids, today - dt.timedelta(days=longest - 1), today, today=today
    )

    statuses = {}
    for account in accounts:
        policy = terms[account.pk]
        row = lasts.get(account.pk)
        last = timezone.localdate(row["last"]) if row and row["last"] else None
        last_strategic = (
            timezone.localdate(row["last_strategic"]) if row and row["last_strategic"] else None
        )
        period_start = today - dt.timedelta(days=policy.period_days - 1)
        share_start = today - dt.timedelta(days=policy.share_window_days - 1)
        mine = recent.get(account.pk, [])
        in_period = sum(1 for on, _ in mine if on >= period_start)
        in_share = [strategic for on, strategic in mine if on >= share_start]
        share = sum(in_share) / len(in_share) if in_share else None

        loads = []
        for contact in staff.get(account.pk, []):
            person_policy = person_terms.get(contact.pk, NO_POLICY)
            start = today - dt.timedelta(days=person_policy.period_days - 1)
            count = sum(1 for e in person_events.get(contact.pk, []) if start <= e.on <= today)
            loads.append(
                _PersonLoad(
                    contact.full_name,
                    count,
                    person_policy.max_contacts_per_person,
                    person_policy.period_days,
                )
            )
        statuses[account.pk] = _status(
            account_id=account.pk,
            today=today,
            policy=policy,
            last=last,
            last_strategic=last_strategic,
            in_period=in_period,
            share=share,
            in_share=len(in_share),
            busiest=max(loads, key=_PersonLoad.rank, default=None),
        )
    return statuses


def _status(
    *,
    account_id: int,
    today: dt.date,
    policy: PolicyTerms,
    last: dt.date | None,
    last_strategic: dt.date | None,
    in_period: int,
    share: float | None,
    in_share: int,
    busiest: _PersonLoad | None,
) -> CadenceStatus:
    """Judge one account's numbers against its policy."""
    over: list[str] = []
    behind: list[str] = []
    if policy.max_contacts is not None and in_period > policy.max_contacts:
        over.append(
            f"{in_period} contacts in the last {policy.period_days} days "
            f"(at most {policy.max_contacts})"
        )
    if busiest is not None and busiest.over:
        over.append(
            f"{busiest.name}: {busiest.contacts} contacts in {busiest.period_days} days across "
            f"all channels (at most {busiest.limit})"
        )
    every = policy.contact_every_days
    if every is not None:
        if last is None:
            behind.append(f"no contact on record (one every {every} days)")
        elif (today - last).days > every:
            behind.append(f"last contact {(today - last).days} days ago (one every {every} days)")
    strategic_every = policy.strategic_every_days
    if strategic_every is not None:
        if last_strategic is None:
            behind.append(f"no strategic contact on record (one every {strategic_every} days)")
        elif (today - last_strategic).days > strategic_every:
            days = (today - last_strategic).days
            behind.append(
                f"last strategic contact {days} days ago (one every {strategic_every} days)"
            )
    minimum = policy.min_strategic_percent
    if minimum and share is not None and share * 100 < minimum:
        contacts = f"{in_share} contact" + ("" if in_share == 1 else "s")
        behind.append(
            f"{share * 100:.0f} % strategic among the {contacts} of the last "
            f"{policy.share_window_days} days (at least {minimum} %): make the next one strategic"
        )
    if over:
        state = CadenceState.OVER_CONTACTED
    elif behind:
        state = CadenceState.OVERDUE
    else:
        state = CadenceState.ON_RHYTHM
    return CadenceStatus(
        account_id=account_id,
        today=today,
        state=state,
        policy=policy,
        last_contact_on=last,
        last_strategic_on=last_strategic,
        contacts_in_period=in_period,
        strategic_share=share,
        contacts_in_share_window=in_share,
        busiest_person=busiest.name if busiest else None,
        busiest_person_count=busiest.contacts if busiest else 0,
        next_contact_due=_due(last, every, today),
        next_strategic_due=_due(last_strategic, strategic_every, today),
        reasons=tuple(over + behind),
    )


def cadence_status(account: Account, *, today: dt.date | None = None) -> CadenceStatus:
    """One account's cadence status (see :func:`cadence_statuses`)."""
    return cadence_statuses([account], today=today)[account.pk]


# --- the warning when logging or planning -------------------------------------------------


def cadence_check(
    *,
    account: Account,
    contacts: Iterable[Contact] = (),
    on: dt.date,
    channel: str = CHANNEL_MANAGER,
    today: dt.date | None = None,
) -> list[str]:
    """Warnings, never a refusal, for one more contact with ``account`` (and ``contacts``)
    on ``on``: over the account's limit, or over a person's budget, in any period window
    containing ``on``. An empty list when nothing is over.
    """
    today = today or timezone.localdate()
    policy = policy_for(account)
    warnings = []
    if policy.max_contacts is not None:
        period = policy.period_days
        first = on - dt.timedelta(days=period - 1)
        last = on + dt.timedelta(days=period - 1)
        low, high = day_range(first, last)
        dates = [
            timezone.localdate(at)
            for at in Interaction.objects.filter(
                account=account, occurred_at__gte=low, occurred_at__lt=high
            ).values_list("occurred_at", flat=True)
        ]
        dates += Touchpoint.objects.filter(
            account=account,
            status=TouchpointStatus.PLANNED,
            scheduled_on__gte=max(first, today),
            scheduled_on__lte=last,
        ).values_list("scheduled_on", flat=True)
        window = _busiest_window(dates, on, period)
        if window.size > policy.max_contacts:
            warnings.append(
                f"This would be the {_ordinal(window.size)} contact with {account.name} "
                f"within {period} days ({_span(window)}); the cadence ({policy.source}) "
                f"allows {policy.max_contacts}."
            )
    people = list(contacts)
    decisions = contact_budgets(people, on, channel, today=today)
    for person in people:
        decision = decisions[person.pk]
        if not decision:
            warnings.append(f"{person.full_name}: {decision.reason}.")
    return warnings
