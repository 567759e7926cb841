"""Reads for the manager's week: my accounts ordered by what needs attention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.template.defaultfilters import pluralize
from django.utils import timezone

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, Position, TeamMembership
from tenure.accounts.permissions import AnyUser, can_see_personal_data
from tenure.engagement.choices import TouchpointKind, TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint, WeeklyFocus
from tenure.planning.choices import ActionStatus
from tenure.planning.models import Action, Milestone

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class AttentionFilters:
    """What "my accounts" is narrowed by; empty values mean "any"."""

    tier: str = ""
    key_only: bool = False
    manager_id: int | None = None
    search: str = ""


class AttentionAnnotations(TypedDict):
    """What :func:`attention_list` adds to each account."""

    last_strategic_at: dt.datetime | None
    next_touchpoint_on: dt.date | None
    next_touchpoint_kind: str | None
    overdue_actions: int
    follow_up_due: dt.date | None
    open_issues: int
    manager_name: str | None
    follow_up_overdue: bool


def _count(queryset: QuerySet[Model]) -> Coalesce:
    """COUNT(*) of a correlated queryset as a scalar subquery (no GROUP BY needed)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def attention_list(
    *, user: User, today: dt.date, filters: AttentionFilters | None = None
) -> QuerySet[Account]:
    """The user's accounts (or, for someone without accounts, every key account), most
    urgent first, each with :class:`AttentionAnnotations`.

    Until risk scores exist, urgency is: overdue actions and follow-ups, open issues, then
    the longest time since the last strategic contact (never comes first).
    """
    filters = filters or AttentionFilters()
    accounts = Account.objects.exclude(status="churned")
    mine = TeamMembership.objects.filter(user=user)
    if filters.manager_id:
        accounts = accounts.filter(
            team__role=TeamRole.KEY_ACCOUNT_MANAGER, team__user_id=filters.manager_id
        )
    elif mine.exists():
        accounts = accounts.filter(pk__in=mine.values("account_id"))
    else:
        accounts = accounts.filter(is_key_account=True)
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.key_only:
        accounts = accounts.filter(is_key_account=True)
    if filters.search:
        accounts = accounts.filter(name__icontains=filters.search)

    strategic = Interaction.objects.filter(account=OuterRef("pk"), is_strategic=True)
    planned = Touchpoint.objects.filter(
        account=OuterRef("pk"), status=TouchpointStatus.PLANNED, scheduled_on__gte=today
    ).order_by("scheduled_on")
    overdue_actions = Action.objects.filter(
        plan__account=OuterRef("pk"), status=ActionStatus.OPEN, due_on__lt=today
    )
    # A follow-up is overdue when the latest interaction's next step is past due.
    latest = Interaction.objects.filter(account=OuterRef("pk")).order_by("-occurred_at", "-id")
    open_issues = Milestone.objects.open_issues().filter(account=OuterRef("pk"))
    manager = TeamMembership.objects.filter(
        account=OuterRef("pk"), role=TeamRole.KEY_ACCOUNT_MANAGER
    )
    return (
        accounts.annotate(
            last_strategic_at=Subquery(
                strategic.order_by("-occurred_at").values("occurred_at")[:1]
            ),
            next_touchpoint_on=Subquery(planned.values("scheduled_on")[:1]),
            next_touchpoint_kind=Subquery(planned.values("kind")[:1]),
            overdue_actions=_count(overdue_actions),
            follow_up_due=Subquery(latest.values("next_step_due")[:1]),
            open_issues=_count(open_issues),
            manager_name=Subquery(manager.values("user__username")[:1]),
        )
        .annotate(
            # Case, not a bare Q: no follow-up must be False, not NULL (PostgreSQL sorts
            # NULL first in descending order).
            follow_up_overdue=Case(
                When(follow_up_due__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by(
            F("overdue_actions").desc(),
            F("follow_up_overdue").desc(),
            F("open_issues").desc(),
            F("last_strategic_at").asc(nulls_first=True),
            "name",
        )
    )


def my_accounts(*, user: User) -> QuerySet[Account]:
    """The accounts a user works on (any team role), or every key account for someone
    without accounts (a director); churned accounts left out. Ordered by name."""
    accounts = Account.objects.exclude(status="churned")
    mine = TeamMembership.objects.filter(user=user)
    if mine.exists():
        return accounts.filter(pk__in=mine.values("account_id")).order_by("name", "pk")
    return accounts.filter(is_key_account=True).order_by("name", "pk")


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_focus(*, user: User, today: dt.date) -> WeeklyFocus | None:
    """This week's focus account for a manager; reads only.

    The stored pick if the alerts run has made one this week, otherwise the pick it would
    make: the most urgent of the manager's key accounts that has not been the focus in the
    last (n − 1) weeks, so every key account gets its turn over n weeks. The unstored pick is
    an unsaved ``WeeklyFocus``: the same data gives the same pick on every read, and a page
    view never creates a row (nor an audit event).
    """
    week = _week_start(today)
    stored = (
        WeeklyFocus.objects.filter(user=user, week_start=week).select_related("account").first()
    )
    if stored is not None:
        return stored
    key_ids = list(
        Account.objects.filter(
            is_key_account=True, team__user=user, team__role=TeamRole.KEY_ACCOUNT_MANAGER
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not key_ids:
        return None
    recent = set(
        WeeklyFocus.objects.filter(
            user=user,
            week_start__gte=week - dt.timedelta(weeks=len(key_ids) - 1),
            week_start__lt=week,
        ).values_list("account_id", flat=True)
    )
    eligible = [pk for pk in key_ids if pk not in recent] or key_ids
    # The plugin cannot see the annotations the selector adds.
    account = cast(
        "WithAnnotations[Account, AttentionAnnotations] | None",
        attention_list(user=user, today=today).filter(pk__in=eligible).first(),
    )
    if account is None:
        return None
    return WeeklyFocus(
        user=user, week_start=week, account=account, reason=_focus_reason(account, today)
    )


def _focus_reason(account: WithAnnotations[Account, AttentionAnnotations], today: dt.date) -> str:
    reasons = []
    if account.overdue_actions:
        reasons.append(
            f"{account.overdue_actions} overdue action{pluralize(account.overdue_actions)}"
        )
    if account.open_issues:
        reasons.append(f"{account.open_issues} open issue{pluralize(account.open_issues)}")
    if account.last_strategic_at is None:
        reasons.append("no strategic contact on record")
    else:
        days = (today - timezone.localdate(account.last_strategic_at)).days
        reasons.append(f"last strategic contact {days} day{pluralize(days)} ago")
    return "; ".join(reasons)


def account_touchpoints(*, user: AnyUser | None, account: Account) -> QuerySet[Touchpoint]:
    """An account's touchpoints, soonest first. Birthdays are personal data."""
    touchpoints = Touchpoint.objects.filter(account=account).order_by("scheduled_on", "id")
    if not can_see_personal_data(user):
        touchpoints = touchpoints.exclude(kind=TouchpointKind.BIRTHDAY)
    return touchpoints


def positions_with_last_contact() -> QuerySet[Position]:
    """Positions with the person and their last interaction with this account."""
    last_contact = Interaction.objects.filter(
        account=OuterRef("account_id"), contacts=OuterRef("contact_id")
    ).order_by("-occurred_at")
    return (
        Position.objects.select_related("contact")
        .annotate(last_contact_at=Subquery(last_contact.values("occurred_at")[:1]))
        .order_by("left_on", "-strength", "contact__last_name", "id")
    )


def account_interactions(*, account: Account) -> QuerySet[Interaction]:
    """An account's interactions, newest first, with people present loaded."""
    return (
        Interaction.objects.filter(account=account)
        .select_related("logged_by")
        .prefetch_related("contacts", "team_members")
        .order_by("-occurred_at", "-id")
    )


def last_strategic_contact(*, account: Account) -> Interaction | None:
    """The account's most recent strategic interaction."""
    return (
        Interaction.objects.filter(account=account, is_strategic=True)
        .order_by("-occurred_at", "-id")
        .first()
    )
