"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP; production's HTTPS settings are tested on their own."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Deliberately slow hashing protects real passwords, not test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    """A director: sees and changes every account (role tests narrow this down)."""
    # Imported here so tests of the Django-free insights can run without Django.
    from tenure.access.services import role_assign
    from tests.accounts.factories import UserFactory

    user = UserFactory()
    role_assign(user=user, role="director")
    return user


@pytest.fixture
def account(db):
    from tests.accounts.factories import AccountFactory

    return AccountFactory()


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
