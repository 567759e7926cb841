"""Writes for roles and API tokens: give a user a role, create and revoke tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tenure.access.choices import Role
from tenure.access.models import ApiToken, Profile
from tenure.access.tokens import DISPLAY_PREFIX_LENGTH, new_secret
from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save

#: A token lives 90 days unless its owner chooses otherwise, and at most a year.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
#: Live (unrevoked, unexpired) tokens one user may hold.
MAX_LIVE_TOKENS = 20
#: ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret. The secret is shown once and never stored."""

    token: ApiToken
    secret: str


@transaction.atomic
def role_assign(*, user: User, role: str) -> Profile:
    """Give a user a role (replacing the one they had)."""
    if role not in Role.values:
        raise DomainError(f"unknown role {role!r}", field="role")
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"role": role})
    return profile


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    expires_in_days: int = DEFAULT_TOKEN_DAYS,
    now: dt.datetime | None = None,
) -> IssuedToken:
    """Make a personal API token for ``user``; the secret is returned here and only here."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise DomainError("give the token a name", field="name")
    if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise DomainError(
            f"a token expires after 1 to {MAX_TOKEN_DAYS} days", field="expires_in_days"
        )
    live = ApiToken.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True, expires_at__gt=now
    )
    if live.count() >= MAX_LIVE_TOKENS:
        raise DomainError(
            f"you already have {MAX_LIVE_TOKENS} live tokens: revoke one first", field="name"
        )
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise DomainError(f"you already have a token named “{name}”", field="name")
    raw, digest = new_secret()
    token = ApiToken(
        user=user,
        name=name,
        token_hash=digest,
        prefix=raw[:DISPLAY_PREFIX_LENGTH],
        expires_at=now + dt.timedelta(days=expires_in_days),
    )
    validate_and_save(token)
    return IssuedToken(token=token, secret=raw)


@transaction.atomic
def token_revoke(*, token: ApiToken, now: dt.datetime | None = None) -> ApiToken:
    """Revoke a token: from now on it gets 401. Revoking twice is refused."""
    if token.revoked_at is not None:
        raise DomainError(f"the token “{token.name}” is already revoked", field="token")
    token.revoked_at = now or timezone.now()
    validate_and_save(token)
    return token


def token_record_use(*, token: ApiToken, now: dt.datetime) -> None:
    """Note when a token was last used, at most once a minute (one UPDATE, no read)."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
