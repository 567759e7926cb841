"""Writes for interactions and touchpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, Contact, Position
from tenure.audit.services import audit_record_bulk
from tenure.core.dates import day_label
from tenure.core.errors import DomainError, NotFound
from tenure.core.validation import check_rows, validate_and_save
from tenure.engagement.cadence.policies import segment_of
from tenure.engagement.choices import Sentiment, TouchpointStatus
from tenure.engagement.models import CadencePolicy, Interaction, Touchpoint, WeeklyFocus
from tenure.engagement.permissions import require_change_interaction
from tenure.engagement.selectors import weekly_focus


def _resolve_account(account: Account | int) -> Account:
    if isinstance(account, Account):
        return account
    found = Account.objects.filter(pk=account).first()
    if found is None:
        raise NotFound(f"account {account} does not exist", field="account")
    return found


def interaction_date_problem(occurred_at: dt.datetime, today: dt.date | None = None) -> str:
    """Why ``occurred_at`` cannot be logged (it lies after today, by default in the current
    time zone), or "". The one rule for the page, the API, imports and the admin."""
    today = today or timezone.localdate()
    day = timezone.localdate(occurred_at)
    if day <= today:
        return ""
    return (
        f"the date of the interaction, {day_label(day)}, is after today ({day_label(today)}): "
        "log what has happened; plan what is to come as a touchpoint"
    )


def _interaction_checked(
    account: Account,
    occurred_at: dt.datetime,
    summary: str,
    contacts: Iterable[Contact],
    today: dt.date | None,
) -> list[Contact]:
    """The rules an interaction keeps when logged and when corrected; its contacts as a list."""
    if occurred_at.tzinfo is None:
        raise DomainError("the time of an interaction must carry a time zone", field="occurred_at")
    problem = interaction_date_problem(occurred_at, today)
    if problem:
        raise DomainError(problem, field="occurred_at")
    if not summary.strip():
        raise DomainError("say in a few words what happened", field="summary")
    contacts = list(contacts)
    outsiders = [c for c in contacts if not c.positions.filter(account=account).exists()]
    if outsiders:
        names = ", ".join(str(c) for c in outsiders)
        raise DomainError(f"{names} has no position at {account.name}", field="contacts")
    return contacts


@transaction.atomic
def interaction_log(
    *,
    account: Account | int,
    occurred_at: dt.datetime,
    kind: str,
    summary: str,
    is_strategic: bool = False,
    contacts: Iterable[Contact] = (),
    team_members: Iterable[User] = (),
    logged_by: User | None = None,
    outcome: str = "",
    next_step: str = "",
    next_step_due: dt.date | None = None,
    sentiment: int = Sentiment.NEUTRAL,
    touchpoint: Touchpoint | None = None,
    today: dt.date | None = None,
) -> Interaction:
    """Record something that happened with an account.

    Contacts present must hold a position at the account (current or past). When
    ``touchpoint`` is given, it is marked done and linked to this interaction. An interaction
    cannot happen after ``today`` (by default today in the current, i.e. the user's, time
    zone): a future date is refused, as it would read as the latest contact.
    """
    account = _resolve_account(account)
    contacts = _interaction_checked(account, occurred_at, summary, contacts, today)
    interaction = Interaction(
        account=account,
        occurred_at=occurred_at,
        kind=kind,
        is_strategic=is_strategic,
        logged_by=logged_by,
        summary=summary.strip(),
        outcome=outcome.strip(),
        next_step=next_step.strip(),
        next_step_due=next_step_due,
        sentiment=sentiment,
    )
    validate_and_save(interaction)
    if contacts:
        interaction.contacts.set(contacts)
    members = list(team_members)
    if members:
        interaction.team_members.set(members)
    if touchpoint is not None:
        if touchpoint.account_id != account.pk:
            raise DomainError("the touchpoint belongs to another account", field="touchpoint")
        touchpoint_complete(touchpoint=touchpoint, interaction=interaction)
    return interaction


def touchpoint_date_problem(scheduled_on: dt.date, today: dt.date) -> str:
    """Why a touchpoint cannot be planned (or moved) to ``scheduled_on``, or ""."""
    if scheduled_on >= today:
        return ""
    return (
        f"the date, {day_label(scheduled_on)}, is before today ({day_label(today)}): "
        "plan a touchpoint for today or later; log what has already happened as an interaction"
    )


@transaction.atomic
def interaction_edit(
    *,
    interaction: Interaction,
    by: User,
    occurred_at: dt.datetime,
    kind: str,
    summary: str,
    is_strategic: bool = False,
    contacts: Iterable[Contact] = (),
    outcome: str = "",
    next_step: str = "",
    next_step_due: dt.date | None = None,
    sentiment: int = Sentiment.NEUTRAL,
    today: dt.date | None = None,
) -> Interaction:
    """Correct a logged interaction: its author (while on the account's team) or a director.

    The same rules as :func:`interaction_log`; the audit trail keeps what it said before.
    """
    require_change_interaction(by, interaction)
    account = interaction.account
    contacts = _interaction_checked(account, occurred_at, summary, contacts, today)
    if next_step_due is not None and not next_step.strip():
        raise DomainError("say what the next step is, or clear its due date", field="next_step")
    interaction.occurred_at = occurred_at
    interaction.kind = kind
    interaction.summary = summary.strip()
    interaction.is_strategic = is_strategic
    interaction.outcome = outcome.strip()
    interaction.next_step = next_step.strip()
    interaction.next_step_due = next_step_due
    interaction.sentiment = sentiment
    validate_and_save(interaction)
    if {c.pk for c in contacts} != {c.pk for c in interaction.contacts.all()}:
        interaction.contacts.set(contacts)
    return interaction


@transaction.atomic
def interaction_delete(*, interaction: Interaction, by: User) -> None:
    """Delete a logged interaction: its author (while on the account's team) or a director.

    A touchpoint it fulfilled stays done, without its link; the audit trail records the
    deletion.
    """
    require_change_interaction(by, interaction)
    interaction.delete()


@transaction.atomic
def touchpoint_plan(
    *,
    account: Account | int,
    scheduled_on: dt.date,
    kind: str,
    title: str = "",
    owner: User | None = None,
    contact: Contact | None = None,
    today: dt.date | None = None,
) -> Touchpoint:
    """Plan a touchpoint with an account.

    With ``today`` (pages pass the user's today), a date before it is refused; without it
    (the demo, imports, tests of the past) any date is taken. A contact must hold a position
    at the account.
    """
    account = _resolve_account(account)
    if today is not None:
        problem = touchpoint_date_problem(scheduled_on, today)
        if problem:
            raise DomainError(problem, field="scheduled_on")
    if contact is not None and not contact.positions.filter(account=account).exists():
        raise DomainError(f"{contact} has no position at {account.name}", field="contact")
    touchpoint = Touchpoint(
        account=account,
        scheduled_on=scheduled_on,
        kind=kind,
        title=title.strip(),
        owner=owner,
        contact=contact,
    )
    validate_and_save(touchpoint)
    return touchpoint


def _still_planned(touchpoint: Touchpoint) -> None:
    if touchpoint.status != TouchpointStatus.PLANNED:
        raise DomainError(
            f"the touchpoint is already {touchpoint.get_status_display().lower()}", field="status"
        )


@transaction.atomic
def touchpoint_reschedule(
    *, touchpoint: Touchpoint, scheduled_on: dt.date, today: dt.date
) -> Touchpoint:
    """Move a planned touchpoint to another day (today or later).

    The audit trail keeps the history: the event records the day it had before.
    """
    _still_planned(touchpoint)
    problem = touchpoint_date_problem(scheduled_on, today)
    if problem:
        raise DomainError(problem, field="scheduled_on")
    if scheduled_on == touchpoint.scheduled_on:
        raise DomainError(
            f"the touchpoint is already on {day_label(scheduled_on)}: choose another day",
            field="scheduled_on",
        )
    touchpoint.scheduled_on = scheduled_on
    validate_and_save(touchpoint)
    return touchpoint


@transaction.atomic
def touchpoint_complete(*, touchpoint: Touchpoint, interaction: Interaction | None) -> Touchpoint:
    """Mark a touchpoint done, linked to the interaction that fulfilled it."""
    _still_planned(touchpoint)
    if interaction is not None and interaction.account_id != touchpoint.account_id:
        raise DomainError("the interaction belongs to another account", field="interaction")
    touchpoint.status = TouchpointStatus.DONE
    touchpoint.interaction = interaction
    validate_and_save(touchpoint)
    return touchpoint


@transaction.atomic
def touchpoint_skip(*, touchpoint: Touchpoint, reason: str = "") -> Touchpoint:
    """Mark a planned touchpoint as skipped, saying why (pages ask for the reason)."""
    _still_planned(touchpoint)
    touchpoint.status = TouchpointStatus.SKIPPED
    touchpoint.skip_reason = reason.strip()
    validate_and_save(touchpoint)
    return touchpoint


@dataclass(frozen=True)
class InteractionDraft:
    """One interaction to record in bulk (imports, the demo portfolio)."""

    account_id: int
    occurred_at: dt.datetime
    kind: str
    summary: str
    is_strategic: bool = False
    contact_ids: tuple[int, ...] = ()
    logged_by_id: int | None = None
    outcome: str = ""
    next_step: str = ""
    next_step_due: dt.date | None = None
    sentiment: int = Sentiment.NEUTRAL


@transaction.atomic
def interaction_log_many(
    *, drafts: list[InteractionDraft], today: dt.date | None = None
) -> list[Interaction]:
    """Record many interactions in one transaction: all or none, bad rows named by number.

    The same rules as ``interaction_log``: a time zone, no date after ``today``, a summary,
    and people present who hold (or held) a position at the account.
    """
    today = today or timezone.localdate()
    account_ids = {d.account_id for d in drafts}
    known_accounts = set(Account.objects.filter(pk__in=account_ids).values_list("pk", flat=True))
    positions = set(
        Position.objects.filter(account_id__in=account_ids).values_list("account_id", "contact_id")
    )
    interactions = []
    for number, d in enumerate(drafts, start=1):
        if d.account_id not in known_accounts:
            raise NotFound(f"row {number}: account {d.account_id} does not exist", field="account")
        if d.occurred_at.tzinfo is None:
            raise DomainError(f"row {number}: the time carries no time zone", field="occurred_at")
        problem = interaction_date_problem(d.occurred_at, today)
        if problem:
            raise DomainError(f"row {number}: {problem}", field="occurred_at")
        if not d.summary.strip():
            raise DomainError(f"row {number}: the summary is empty", field="summary")
        if d.next_step_due is not None and not d.next_step.strip():
            raise DomainError(f"row {number}: a due date needs a next step", field="next_step")
        strangers = [c for c in d.contact_ids if (d.account_id, c) not in positions]
        if strangers:
            raise DomainError(
                f"row {number}: contact {strangers[0]} has no position at account {d.account_id}",
                field="contacts",
            )
        interactions.append(
            Interaction(
                account_id=d.account_id,
                occurred_at=d.occurred_at,
                kind=d.kind,
                summary=d.summary.strip(),
                is_strategic=d.is_strategic,
                logged_by_id=d.logged_by_id,
                outcome=d.outcome,
                next_step=d.next_step,
                next_step_due=d.next_step_due,
                sentiment=d.sentiment,
            )
        )
    check_rows(interactions)
    created = Interaction.objects.bulk_create(interactions, batch_size=2000)
    through = Interaction.contacts.through
    through.objects.bulk_create(
        [
            through(interaction_id=interaction.pk, contact_id=contact_id)
            for interaction, draft in zip(created, drafts, strict=True)
            for contact_id in draft.contact_ids
        ],
        batch_size=5000,
    )
    audit_record_bulk(model=Interaction, action="create", count=len(created), note="bulk log")
    return created


@transaction.atomic
def weekly_focus_choose(*, user: User, today: dt.date) -> WeeklyFocus | None:
    """Store this week's focus account for a manager, once: a later call keeps the first pick.

    Called by the alerts run (``tenure alerts``), never by a page: pages read
    :func:`~tenure.engagement.selectors.weekly_focus`, which shows the same pick before it
    is stored.
    """
    pick = weekly_focus(user=user, today=today)
    if pick is None or pick.pk is not None:
        return pick
    focus, _ = WeeklyFocus.objects.get_or_create(
        user=user,
        week_start=pick.week_start,
        defaults={"account": pick.account, "reason": pick.reason},
    )
    return focus


def weekly_focus_choose_all(*, today: dt.date) -> int:
    """Store this week's focus for every manager of a key account; how many were stored."""
    managers = User.objects.filter(
        account_roles__role=TeamRole.KEY_ACCOUNT_MANAGER,
        account_roles__account__is_key_account=True,
        is_active=True,
    ).distinct()
    chosen = 0
    for user in managers.order_by("pk"):
        chosen += weekly_focus_choose(user=user, today=today) is not None
    return chosen


_CADENCE_TERMS = (
    "contact_every_days",
    "strategic_every_days",
    "period_days",
    "max_contacts",
    "max_contacts_per_person",
    "min_strategic_percent",
    "share_window_days",
)


@transaction.atomic
def cadence_override_set(*, account: Account, note: str = "", **terms: int | None) -> CadencePolicy:
    """Give one account its own cadence, starting from its segment's and changing ``terms``.

    ``terms`` are ``CadencePolicy`` fields (``max_contacts=2``…); ``None`` means "no limit".
    Calling it again changes the existing override.
    """
    unknown = set(terms) - set(_CADENCE_TERMS)
    if unknown:
        raise DomainError(f"unknown cadence term(s): {', '.join(sorted(unknown))}")
    policy = CadencePolicy.objects.filter(account=account).first()
    if policy is None:
        base = CadencePolicy.objects.filter(segment=segment_of(account)).first()
        policy = CadencePolicy(account=account)
        if base is not None:
            for name in _CADENCE_TERMS:
                setattr(policy, name, getattr(base, name))
    for name, value in terms.items():
        setattr(policy, name, value)
    policy.note = note.strip()
    validate_and_save(policy)
    return policy


@transaction.atomic
def cadence_override_clear(*, account: Account) -> bool:
    """Put an account back on its segment's cadence; ``False`` if it had no override."""
    deleted, _ = CadencePolicy.objects.filter(account=account).delete()
    return bool(deleted)


@transaction.atomic
def cadence_policy_set(*, segment: str, **terms: int | None) -> CadencePolicy:
    """Change (or create) the default cadence of a segment (``key``, ``A``, ``B``, ``C``,
    ``other``)."""
    unknown = set(terms) - set(_CADENCE_TERMS)
    if unknown:
        raise DomainError(f"unknown cadence term(s): {', '.join(sorted(unknown))}")
    policy = CadencePolicy.objects.filter(segment=segment).first() or CadencePolicy(segment=segment)
    for name, value in terms.items():
        setattr(policy, name, value)
    validate_and_save(policy)
    return policy
