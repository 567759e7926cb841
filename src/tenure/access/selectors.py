"""Reads for roles and API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import QuerySet

from tenure.access.models import ApiToken
from tenure.access.tokens import hash_secret, looks_like_secret


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """A user's tokens, newest first (revoked and expired ones too, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_for_secret(*, raw: str, now: dt.datetime) -> ApiToken | None:
    """The live token behind a secret, with its active user loaded; ``None`` otherwise.

    Malformed, unknown, revoked and expired secrets, and secrets of deactivated users, are
    all ``None``: the caller answers 401 for each alike.
    """
    if not looks_like_secret(raw):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__access_profile")
        .filter(token_hash=hash_secret(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token
