"""Reads for the manager's week: my accounts ordered by what needs attention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

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

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, TeamMembership
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint
from tenure.planning.choices import ActionStatus
from tenure.planning.models import Action, Milestone


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
    open_issues = Milestone.objects.filter(
        account=OuterRef("pk"), resolved_on__isnull=True
    ).exclude(kind="success")
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
