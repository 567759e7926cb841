"""API tokens: made with a 256-bit secret shown once, stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from tenure.access.models import ApiToken
from tenure.access.selectors import token_for_secret
from tenure.access.services import MAX_LIVE_TOKENS, token_create, token_revoke
from tenure.core.errors import DomainError
from tests.accounts.factories import UserFactory

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def test_a_token_is_stored_as_the_sha256_of_its_secret_never_in_clear(user):
    issued = token_create(user=user, name="ERP sync", now=NOW)
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith("tnr_")
    assert len(issued.secret) == 47  # 32 random bytes
    assert stored.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in {getattr(stored, f.attname) for f in ApiToken._meta.fields}
    assert stored.prefix == issued.secret[:12]
    assert stored.expires_at == NOW + dt.timedelta(days=90)


def test_secrets_differ_every_time(user):
    secrets = {token_create(user=user, name=f"t{n}").secret for n in range(5)}
    assert len(secrets) == 5


def test_the_secret_finds_its_live_token_and_nothing_else_does(user):
    issued = token_create(user=user, name="notebook")
    now = timezone.now()
    assert token_for_secret(raw=issued.secret, now=now) == issued.token
    last = issued.secret[-1]
    altered = issued.secret[:-1] + ("B" if last == "A" else "A")
    assert token_for_secret(raw=altered, now=now) is None
    assert token_for_secret(raw="not a token", now=now) is None


def test_an_expired_token_is_refused(user):
    issued = token_create(user=user, name="short", expires_in_days=1, now=NOW)
    assert token_for_secret(raw=issued.secret, now=NOW + dt.timedelta(hours=23)) is not None
    assert token_for_secret(raw=issued.secret, now=NOW + dt.timedelta(days=1)) is None


def test_a_revoked_token_is_refused_and_cannot_be_revoked_twice(user):
    issued = token_create(user=user, name="old script")
    token_revoke(token=issued.token)
    assert token_for_secret(raw=issued.secret, now=timezone.now()) is None
    with pytest.raises(DomainError, match="already revoked"):
        token_revoke(token=issued.token)


def test_a_deactivated_users_token_is_refused(user):
    issued = token_create(user=user, name="leaver")
    user.is_active = False
    user.save()
    assert token_for_secret(raw=issued.secret, now=timezone.now()) is None


@pytest.mark.parametrize("days", [0, 367, -5])
def test_expiry_is_between_a_day_and_a_year(user, days):
    with pytest.raises(DomainError) as refused:
        token_create(user=user, name="x", expires_in_days=days)
    assert refused.value.field == "expires_in_days"


def test_names_are_required_and_unique_among_live_tokens(user):
    with pytest.raises(DomainError, match="name"):
        token_create(user=user, name="  ")
    first = token_create(user=user, name="sync")
    with pytest.raises(DomainError, match="already have a token"):
        token_create(user=user, name="sync")
    token_revoke(token=first.token)
    token_create(user=user, name="sync")
    token_create(user=UserFactory(), name="sync")


def test_a_user_holds_a_bounded_number_of_live_tokens(user):
    for n in range(MAX_LIVE_TOKENS):
        token_create(user=user, name=f"t{n}")
    with pytest.raises(DomainError, match="revoke one first"):
        token_create(user=user, name="one more")
