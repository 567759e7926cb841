"""Fixtures for the audit trail's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def other_account(db):  # noqa: ARG001
    from tests.accounts.factories import AccountFactory

    return AccountFactory()


@pytest.fixture
def audited_client(client, settings):
    """The test client with the audit middleware, whether or not settings list it yet."""
    middleware = "tenure.audit.middleware.AuditActorMiddleware"
    if middleware not in settings.MIDDLEWARE:
        position = settings.MIDDLEWARE.index(
            "django.contrib.auth.middleware.AuthenticationMiddleware"
        )
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: position + 1],
            middleware,
            *settings.MIDDLEWARE[position + 1 :],
        ]
    return client
