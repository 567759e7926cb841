"""Who may correct a logged interaction: its author, or a director (or admin).

Everything else about engagement follows the account's rules (``accounts/permissions.py``):
whoever may change an account may plan, move, complete and skip its touchpoints. A logged
interaction is someone's account of what happened, so only they change it — while they may
still change the account — and directors, who answer for the whole portfolio.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User

from tenure.access.choices import Role
from tenure.accounts.models import TeamMembership
from tenure.accounts.permissions import (
    AccessDenied,
    AnyUser,
    can_edit_account,
    role_of,
)
from tenure.engagement.models import Interaction

_CORRECT_ANY = frozenset({Role.ADMIN, Role.DIRECTOR})


def can_change_interaction(user: AnyUser | None, interaction: Interaction) -> bool:
    """May the user edit or delete this interaction?"""
    role = role_of(user)
    if role in _CORRECT_ANY:
        return True
    if role != Role.KEY_ACCOUNT_MANAGER or interaction.logged_by_id is None:
        return False
    return interaction.logged_by_id == getattr(user, "pk", None) and can_edit_account(
        user, interaction.account
    )


def require_change_interaction(user: AnyUser | None, interaction: Interaction) -> None:
    """Raise :class:`AccessDenied` unless the user may edit or delete the interaction."""
    if not can_change_interaction(user, interaction):
        raise AccessDenied(
            "only the person who logged this interaction, or a director, may change it",
            field="interaction",
        )


def editable_account_ids(user: AnyUser | None, account_ids: Iterable[int]) -> set[int]:
    """Which of these accounts the user may change (one query at most, not one per account),
    by the same rule as :func:`~tenure.accounts.permissions.can_edit_account`."""
    wanted = set(account_ids)
    role = role_of(user)
    if role in _CORRECT_ANY:
        return wanted
    if role != Role.KEY_ACCOUNT_MANAGER or not wanted or not isinstance(user, User):
        return set()
    return set(
        TeamMembership.objects.filter(user=user, account_id__in=wanted)
        .values_list("account_id", flat=True)
        .distinct()
    )
