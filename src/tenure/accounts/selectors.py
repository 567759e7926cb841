"""Reads of accounts, stakeholders and teams that pages, the API and the CLI share.

Reads that join other apps' rows (the accounts list with its last interaction and open
issues, one account's page) are composed in ``tenure.web``.

Each returns a queryset with what its callers need already joined or annotated, so a
page renders in a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, Contact, Position, TeamMembership
from tenure.accounts.permissions import (
    AnyUser,
    can_see_personal_data,
    visible_account_q,
    visible_contacts,
)


def key_account_managers() -> QuerySet[AbstractUser]:
    """Users who manage at least one account, for filters and pickers."""
    # Exists per user, not a distinct join: the join read every membership of the team.
    manages = TeamMembership.objects.filter(user=OuterRef("pk"), role=TeamRole.KEY_ACCOUNT_MANAGER)
    return get_user_model().objects.filter(Exists(manages)).order_by("username")


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
