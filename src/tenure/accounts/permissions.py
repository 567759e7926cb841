"""Who may see and change what: the single source of truth for roles and account access.

Roles (``docs/roles.md`` has the table):

* **admin** — everything.
* **director** — every account, read and write.
* **key account manager** — read and write on the accounts whose team they are on; every
  other account read-only, or hidden when ``TENURE_KAM_SEES_ALL`` is false.
* **analyst** — read-only everywhere; no personal data (contact emails, phones, birthdays,
  interaction notes, respondents' names) unless ``TENURE_ANALYST_PERSONAL_DATA`` is true.

A user without a role (no ``Profile``) is an admin if superuser, a director if staff, and a
key account manager otherwise. A superuser is always an admin, whatever their profile says:
they can do everything in the Django admin anyway.

Hidden objects are reported as missing (404), never as forbidden (403), so their
existence does not leak; visible objects the user may not change are forbidden.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from tenure.access.choices import Role
from tenure.access.models import Profile
from tenure.accounts.models import Account, Contact, TeamMembership
from tenure.core.errors import DomainError, NotFound

AnyUser = AbstractBaseUser | AnonymousUser

#: Roles that change accounts they are not on the team of.
_EDIT_ALL = frozenset({Role.ADMIN, Role.DIRECTOR})
_ROLE_CACHE = "_tenure_role"


class AccessDenied(DomainError):
    """The user may see the object but not do this to it (the API answers 403)."""


def kam_sees_all() -> bool:
    """``TENURE_KAM_SEES_ALL`` (default true): managers read accounts outside their teams."""
    return bool(getattr(settings, "TENURE_KAM_SEES_ALL", True))


def analyst_personal_data() -> bool:
    """``TENURE_ANALYST_PERSONAL_DATA`` (default false): analysts see personal data."""
    return bool(getattr(settings, "TENURE_ANALYST_PERSONAL_DATA", False))


def role_of(user: AnyUser | None) -> Role | None:
    """The user's role, or ``None`` for an anonymous or inactive user.

    Read once per user object (one query at most) and remembered on it for the request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, _ROLE_CACHE, None)
    if cached is not None:
        return Role(cached)
    if getattr(user, "is_superuser", False):
        role = Role.ADMIN
    else:
        profile = _profile_of(_signed_in(user))
        if profile is not None:
            role = Role(profile.role)
        elif getattr(user, "is_staff", False):
            role = Role.DIRECTOR
        else:
            role = Role.KEY_ACCOUNT_MANAGER
    setattr(user, _ROLE_CACHE, role)
    return role


def _profile_of(user: User) -> Profile | None:
    try:
        return user.access_profile
    except Profile.DoesNotExist:
        return None


def _signed_in(user: AnyUser | None) -> User:
    # Only for a user role_of() gave a role: signed in, hence an instance of the user model.
    assert isinstance(user, User), user
    return user


def sees_all_accounts(user: AnyUser | None) -> bool:
    """True when no account is hidden from the user."""
    role = role_of(user)
    if role is None:
        return False
    return role != Role.KEY_ACCOUNT_MANAGER or kam_sees_all()


def visible_accounts(user: AnyUser | None) -> QuerySet[Account]:
    """The accounts the user may see (read)."""
    return Account.objects.filter(visible_account_q(user))


def visible_account_q(user: AnyUser | None, prefix: str = "") -> Q:
    """A filter keeping rows whose account (at ``prefix``, e.g. ``"account__"``) is visible.

    Lets other querysets (interactions, snapshots, campaigns…) be narrowed without a join
    per row: an ``IN`` over the user's team memberships, or nothing at all.
    """
    if role_of(user) is None:
        return Q(**{f"{prefix}pk__in": []})
    if sees_all_accounts(user):
        return Q()
    mine = TeamMembership.objects.filter(user=_signed_in(user)).values("account_id")
    return Q(**{f"{prefix}pk__in": mine})


def can_view_account(user: AnyUser | None, account: Account) -> bool:
    """May the user see this account and what hangs off it?"""
    if role_of(user) is None:
        return False
    if sees_all_accounts(user):
        return True
    return _on_team(user, account)


def can_edit_account(user: AnyUser | None, account: Account) -> bool:
    """May the user change this account and what hangs off it (contacts, plans, logs…)?"""
    role = role_of(user)
    if role in _EDIT_ALL:
        return True
    if role == Role.KEY_ACCOUNT_MANAGER:
        return _on_team(user, account)
    return False


def _on_team(user: AnyUser | None, account: Account) -> bool:
    cache = getattr(user, "_tenure_teams", None)
    if cache is None:
        cache = {}
        setattr(user, "_tenure_teams", cache)  # noqa: B010
    if account.pk not in cache:
        cache[account.pk] = TeamMembership.objects.filter(
            user=_signed_in(user), account=account
        ).exists()
    return bool(cache[account.pk])


def can_create_accounts(user: AnyUser | None) -> bool:
    """Creating accounts is for admins and directors (a manager is not on a new team yet)."""
    return role_of(user) in _EDIT_ALL


def can_assign_managers(user: AnyUser | None) -> bool:
    """Appointing or replacing an account's key account manager: admins and directors."""
    return role_of(user) in _EDIT_ALL


def can_manage_campaigns(user: AnyUser | None) -> bool:
    """Survey campaigns (prepare, send, remind, close): admins and directors.

    A campaign emails customers, possibly a whole tier across every team, so it is the
    role that decides, never Django's ``is_staff`` flag (which only opens the admin).
    """
    return role_of(user) in _EDIT_ALL


def can_adopt_scorecards(user: AnyUser | None) -> bool:
    """Putting a health scorecard version in force (a learnt draft, say): admins and directors.

    It changes every account's score, so the role decides, not the admin's ``is_staff``.
    """
    return role_of(user) in _EDIT_ALL


def can_write(user: AnyUser | None) -> bool:
    """May the user change anything at all? (Everyone but analysts.)"""
    role = role_of(user)
    return role is not None and role != Role.ANALYST


def can_see_personal_data(user: AnyUser | None) -> bool:
    """May the user see people's emails, phones, birthdays, interaction notes and names
    given in surveys?"""
    role = role_of(user)
    if role is None:
        return False
    return role != Role.ANALYST or analyst_personal_data()


def visible_contacts(user: AnyUser | None) -> QuerySet[Contact]:
    """People the user may see: everyone, or those with a position at a visible account."""
    if role_of(user) is None:
        return Contact.objects.none()
    if sees_all_accounts(user):
        return Contact.objects.all()
    mine = TeamMembership.objects.filter(user=_signed_in(user)).values("account_id")
    return Contact.objects.filter(positions__account_id__in=mine).distinct()


def can_edit_contact(user: AnyUser | None, contact: Contact) -> bool:
    """Admins and directors; a manager for people who *currently* sit at one of their accounts.

    A position that has ended gives no rights: otherwise a manager could place someone from
    another manager's account at their own, end it, and then change the person's email.
    """
    role = role_of(user)
    if role in _EDIT_ALL:
        return True
    if role == Role.KEY_ACCOUNT_MANAGER:
        # One filter() call: team and open position must be the same account's.
        return TeamMembership.objects.filter(
            user=_signed_in(user),
            account__positions__contact=contact,
            account__positions__left_on__isnull=True,
        ).exists()
    return False


def can_place_contact(user: AnyUser | None, contact: Contact) -> bool:
    """May the user give ``contact`` a position (at an account they may change)?

    Admins and directors always; a manager only if every account the person currently sits
    at is one they may change. Placing someone from another manager's account would hand
    over the right to change that person (``can_edit_contact``): that is a director's call.
    """
    role = role_of(user)
    if role in _EDIT_ALL:
        return True
    if role != Role.KEY_ACCOUNT_MANAGER or not isinstance(user, AbstractBaseUser):
        return False
    mine = TeamMembership.objects.filter(user_id=user.pk).values("account_id")
    return not (
        contact.positions.filter(left_on__isnull=True).exclude(account_id__in=mine).exists()
    )


def require_view(user: AnyUser | None, account: Account) -> None:
    """Raise ``NotFound`` unless the user may see the account."""
    if not can_view_account(user, account):
        raise NotFound(f"account {account.pk} does not exist", field="account")


def require_edit(user: AnyUser | None, account: Account) -> None:
    """Raise ``NotFound`` for a hidden account, ``AccessDenied`` for a read-only one."""
    require_view(user, account)
    if not can_edit_account(user, account):
        raise AccessDenied(f"you may not change {account.name}", field="account")


def require_edit_contact(user: AnyUser | None, contact: Contact) -> None:
    """Raise ``AccessDenied`` unless the user may change the person (``can_edit_contact``)."""
    if not can_edit_contact(user, contact):
        raise AccessDenied(f"you may not change {contact.full_name}")


def require_place_contact(user: AnyUser | None, contact: Contact) -> None:
    """Raise ``AccessDenied`` unless the user may place the person (``can_place_contact``)."""
    if not can_place_contact(user, contact):
        raise AccessDenied(
            # Not named: the caller may have found them by email alone.
            "this person works at an account you may not change: a director can add them here",
            field="contact_id",
        )


def account_guard(request: HttpRequest, account: Account, write: bool) -> None:
    """For web views: 404 if the account is hidden, 403 if ``write`` and it is read-only.

    Call it right after loading the account, before reading or changing anything::

        account = get_object_or_404(Account, pk=pk)
        account_guard(request, account, write=request.method == "POST")
    """
    user = request.user
    if not can_view_account(user, account):
        raise Http404("No such account")
    if write and not can_edit_account(user, account):
        raise PermissionDenied(f"You may not change {account.name}.")
