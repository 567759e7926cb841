"""Reads of accounts and stakeholders that pages, the API and the CLI share.

Each returns a queryset with what its callers need already joined or annotated, so a
page renders in a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from tenure.access.permissions import (
    AnyUser,
    can_see_personal_data,
    visible_account_q,
    visible_contacts,
)
from tenure.accounts.choices import TeamRole, Tier
from tenure.accounts.models import Account, Contact, Position, TeamMembership
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint
from tenure.planning.models import AccountPlan, Action, Milestone, Objective

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _DetailAttributes(TypedDict):
        planned_touchpoints: list[Touchpoint]

    #: An account from ``account_detail``, its planned touchpoints loaded as a list.
    AccountDetail = WithAnnotations[Account, _DetailAttributes]

#: Sort keys a user may pick on the accounts list, mapped to ORDER BY expressions.
ACCOUNT_SORTS: dict[str, list[str]] = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "tier": ["tier_order", "name", "id"],
    "-tier": ["-tier_order", "name", "id"],
    "last_strategic": ["last_strategic_at", "name", "id"],
    "-last_strategic": ["-last_strategic_at", "name", "id"],
    "manager": ["manager_name", "name", "id"],
    "-manager": ["-manager_name", "name", "id"],
}


@dataclass(frozen=True)
class AccountFilters:
    """What the accounts list is narrowed by; empty values mean "any"."""

    search: str = ""
    tier: str = ""
    key_only: bool = False
    manager_id: int | None = None
    status: str = ""


def account_list(*, filters: AccountFilters | None = None, sort: str = "name") -> QuerySet[Account]:
    """Accounts with manager, last (strategic) interaction and open issues annotated."""
    filters = filters or AccountFilters()
    manager = TeamMembership.objects.filter(
        account=OuterRef("pk"), role=TeamRole.KEY_ACCOUNT_MANAGER
    )
    strategic = Interaction.objects.filter(account=OuterRef("pk"), is_strategic=True)
    queryset = Account.objects.all().annotate(
        manager_name=Subquery(manager.values("user__username")[:1]),
        manager_id=Subquery(manager.values("user_id")[:1]),
        last_strategic_at=Subquery(strategic.order_by("-occurred_at").values("occurred_at")[:1]),
        last_interaction_at=Max("interactions__occurred_at"),
        has_open_issue=Exists(
            Milestone.objects.filter(account=OuterRef("pk"), resolved_on__isnull=True).exclude(
                kind="success"
            )
        ),
        # Accounts without a tier sort after C.
        tier_order=_tier_order(),
    )
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(external_id__iexact=term))
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.key_only:
        queryset = queryset.filter(is_key_account=True)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.manager_id:
        queryset = queryset.filter(
            team__role=TeamRole.KEY_ACCOUNT_MANAGER, team__user_id=filters.manager_id
        )
    return queryset.order_by(*ACCOUNT_SORTS.get(sort, ACCOUNT_SORTS["name"]))


def _tier_order() -> Case:
    return Case(
        *(When(tier=tier, then=Value(rank)) for rank, tier in enumerate(Tier.values)),
        default=Value(len(Tier.values)),
        output_field=IntegerField(),
    )


def account_detail(*, pk: int) -> AccountDetail:
    """One account with its team, positions, plans, milestones and touchpoints loaded.

    Interactions are paged separately (``account_interactions``): an old key account
    can have thousands.
    """
    plans = AccountPlan.objects.select_related("owner").prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.prefetch_related("goals").order_by("id")),
        Prefetch("actions", queryset=_actions_queryset()),
    )
    # cast: the stubs do not follow Prefetch(to_attr=...).
    return cast(
        "AccountDetail",
        Account.objects.select_related("parent")
        .prefetch_related(
            Prefetch("team", queryset=TeamMembership.objects.select_related("user")),
            Prefetch(
                "positions",
                queryset=account_positions_queryset(),
            ),
            Prefetch("plans", queryset=plans),
            Prefetch("milestones", queryset=Milestone.objects.all()),
            Prefetch(
                "touchpoints",
                queryset=Touchpoint.objects.filter(status=TouchpointStatus.PLANNED)
                .select_related("owner", "contact")
                .order_by("scheduled_on", "id"),
                to_attr="planned_touchpoints",
            ),
            "subsidiaries",
        )
        .get(pk=pk),
    )


def _actions_queryset() -> QuerySet[Action]:
    return Action.objects.select_related("owner", "goal").order_by("due_on", "id")


def account_positions_queryset() -> QuerySet[Position]:
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


def key_account_managers() -> QuerySet[AbstractUser]:
    """Users who manage at least one account, for filters and pickers."""
    return (
        get_user_model()
        .objects.filter(account_roles__role=TeamRole.KEY_ACCOUNT_MANAGER)
        .distinct()
        .order_by("username")
    )


def last_strategic_contact(*, account: Account) -> Interaction | None:
    """The account's most recent strategic interaction."""
    return (
        Interaction.objects.filter(account=account, is_strategic=True)
        .order_by("-occurred_at", "-id")
        .first()
    )


def contacts_matching(*, user: AnyUser | None, term: str) -> QuerySet[Contact]:
    """People the user may see whose name, company or email contains ``term``.

    The one search rule of the people page and ``GET /api/v1/contacts``. An email is
    personal data: it is matched only for users who may see emails, or a role without
    them could read addresses back one letter at a time. A company matches only where
    the user may see the account, so a hidden account's name finds no one.
    """
    contacts = visible_contacts(user)
    term = term.strip()
    if not term:
        return contacts
    match = (
        Q(first_name__icontains=term)
        | Q(last_name__icontains=term)
        | (
            Q(positions__account__name__icontains=term)
            & visible_account_q(user, "positions__account__")
        )
    )
    if can_see_personal_data(user):
        match |= Q(email__icontains=term)
    return contacts.filter(match).distinct()


def contacts_visible(
    *, user: AnyUser | None, search: str = "", account_id: int | None = None
) -> QuerySet[Contact]:
    """People the user may see matching ``search`` (the people page's rule), optionally only
    those at one account."""
    contacts = contacts_matching(user=user, term=search)
    if account_id is not None:
        contacts = contacts.filter(positions__account_id=account_id).distinct()
    return contacts.order_by("last_name", "first_name", "id")


def contact_with_positions(*, user: AnyUser | None) -> QuerySet[Contact]:
    """Contacts with their positions (only at accounts the user may see) loaded."""
    positions = Position.objects.filter(visible_account_q(user, "account__")).select_related(
        "contact"
    )
    return visible_contacts(user).prefetch_related(
        Prefetch("positions", queryset=positions.order_by("left_on", "account_id", "id"))
    )


def account_positions(*, account: Account) -> QuerySet[Position]:
    """An account's positions, current first, with the person loaded."""
    return (
        Position.objects.filter(account=account)
        .select_related("contact")
        .order_by("left_on", "-strength", "contact__last_name", "id")
    )


def account_team(*, account: Account) -> QuerySet[TeamMembership]:
    """An account's team with each member's user loaded."""
    return TeamMembership.objects.filter(account=account).select_related("user")
