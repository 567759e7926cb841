"""Reads the API needs that the apps' selectors do not offer yet, with their joins loaded.

Each is narrowed to what the caller may see through ``access.permissions``. When the
planning and engagement apps grow their own ``selectors.py`` these belong there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from tenure.access.permissions import (
    can_see_personal_data,
    visible_account_q,
    visible_contacts,
)
from tenure.accounts.models import Account, Contact, Position, TeamMembership
from tenure.accounts.selectors import contacts_matching
from tenure.engagement.choices import TouchpointKind
from tenure.engagement.models import Touchpoint
from tenure.planning.models import AccountPlan, Action, Goal, Milestone, Objective
from tenure.scoring.models import AccountSnapshot
from tenure.scoring.selectors import with_open_proposal


def contacts_visible(user: Any, *, search: str = "", account_id: int | None = None) -> QuerySet:
    """People the user may see matching ``search`` (the people page's rule), optionally only
    those at one account."""
    contacts = contacts_matching(user=user, term=search)
    if account_id is not None:
        contacts = contacts.filter(positions__account_id=account_id).distinct()
    return contacts.order_by("last_name", "first_name", "id")


def contact_with_positions(user: Any) -> QuerySet[Contact]:
    """Contacts with their positions (only at accounts the user may see) loaded."""
    positions = Position.objects.filter(visible_account_q(user, "account__")).select_related(
        "contact"
    )
    return visible_contacts(user).prefetch_related(
        Prefetch("positions", queryset=positions.order_by("left_on", "account_id", "id"))
    )


def account_positions(account: Account) -> QuerySet[Position]:
    """An account's positions, current first, with the person loaded."""
    return (
        Position.objects.filter(account=account)
        .select_related("contact")
        .order_by("left_on", "-strength", "contact__last_name", "id")
    )


def account_team(account: Account) -> QuerySet[TeamMembership]:
    """An account's team with each member's user loaded."""
    return TeamMembership.objects.filter(account=account).select_related("user")


def account_touchpoints(user: Any, account: Account) -> QuerySet[Touchpoint]:
    """An account's touchpoints, soonest first. Birthdays are personal data."""
    touchpoints = Touchpoint.objects.filter(account=account).order_by("scheduled_on", "id")
    if not can_see_personal_data(user):
        touchpoints = touchpoints.exclude(kind=TouchpointKind.BIRTHDAY)
    return touchpoints


def account_plans(account: Account) -> QuerySet[AccountPlan]:
    """An account's plans, newest first."""
    return AccountPlan.objects.filter(account=account).order_by("-starts_on", "-id")


def plan_detail() -> QuerySet[AccountPlan]:
    """Plans with objectives, their goals and the actions loaded (four queries)."""
    return AccountPlan.objects.select_related("account").prefetch_related(
        Prefetch(
            "objectives",
            queryset=Objective.objects.prefetch_related(
                Prefetch("goals", queryset=Goal.objects.order_by("due_on", "id"))
            ).order_by("id"),
        ),
        Prefetch("actions", queryset=Action.objects.order_by("due_on", "id")),
    )


def account_milestones(account: Account, *, open_only: bool = False) -> QuerySet[Milestone]:
    """An account's wins and issues, newest first."""
    milestones = Milestone.objects.filter(account=account).order_by("-occurred_on", "-id")
    if open_only:
        milestones = milestones.filter(resolved_on__isnull=True).exclude(kind="success")
    return milestones


def latest_snapshots(user: Any) -> QuerySet[AccountSnapshot]:
    """Each visible account's newest snapshot, with the account and its run loaded."""
    newest = (
        AccountSnapshot.objects.filter(account=OuterRef("account"))
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    return (
        with_open_proposal(AccountSnapshot.objects.filter(visible_account_q(user, "account__")))
        .filter(as_of=Subquery(newest))
        .select_related("account", "run")
        .order_by(F("revenue_rank").asc(nulls_last=True), "account_id")
    )
