"""Fetch what a request names, refusing what its user may not see (404) or change (403).

Every handler that takes an id goes through one of these, so the rules of
``tenure.accounts.permissions`` apply to every endpoint the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tenure.accounts.models import Account
from tenure.accounts.permissions import (
    AccessDenied,
    can_view_account,
    can_write,
    require_edit,
    require_view,
)
from tenure.core.errors import NotFound

M = TypeVar("M", bound=Model)


def caller(request: HttpRequest) -> Any:
    """The authenticated user of an API request (token or session)."""
    return getattr(request, "auth", None) or request.user


def require_writer(request: HttpRequest) -> None:
    """Refuse a read-only role (analyst) before any write."""
    if not can_write(caller(request)):
        raise AccessDenied("your role may read but not change data")


def account_for(request: HttpRequest, pk: int, *, write: bool = False) -> Account:
    """The account ``pk`` if the caller may see it (and change it, with ``write``).

    A hidden account answers exactly as a missing one, message and field alike.
    """
    return guard(request, visible_account_for(request, pk, field="account_id"), write=write)


def visible_account_for(request: HttpRequest, pk: int, *, field: str) -> Account:
    """The account ``pk`` if the caller may see it; else ``NotFound`` naming ``field``,
    the same for a hidden account as for an id that does not exist."""
    account = Account.objects.filter(pk=pk).first()
    if account is None or not can_view_account(caller(request), account):
        raise NotFound(f"account {pk} does not exist", field=field)
    return account


def guard(request: HttpRequest, account: Account, *, write: bool = False) -> Account:
    """Check the caller may see (or change) ``account``; hidden accounts are 404."""
    user = caller(request)
    if write:
        require_writer(request)
        require_edit(user, account)
    else:
        require_view(user, account)
    return account


def object_for(
    request: HttpRequest,
    queryset: QuerySet[M],
    pk: int,
    *,
    account_of: Callable[[M], Account],
    label: str,
    write: bool = False,
) -> M:
    """Object ``pk`` of ``queryset``, checked through the account it belongs to.

    An object of a hidden account is reported missing, like an unknown id.
    """
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"{label} {pk} does not exist", field="id")
    try:
        guard(request, account_of(found), write=write)
    except NotFound as hidden:
        raise NotFound(f"{label} {pk} does not exist", field="id") from hidden
    return found


@overload
def user_for(pk: int, *, field: str) -> User: ...
@overload
def user_for(pk: None, *, field: str) -> None: ...
@overload
def user_for(pk: int | None, *, field: str) -> User | None: ...


def user_for(pk: int | None, *, field: str) -> User | None:
    """The active user ``pk`` (``None`` for ``None``), or ``NotFound`` naming ``field``."""
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise NotFound(f"user {pk} does not exist", field=field)
    return user
