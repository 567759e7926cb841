"""Fixtures for API tests: a user per role, their tokens, and a JSON client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tenure.access.choices import Role
from tenure.access.services import role_assign, token_create
from tests.accounts.factories import UserFactory


class ApiClient:
    """A test client speaking JSON to ``/api/v1`` with a bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        call = getattr(self.client, method.lower())
        if method.upper() in {"GET", "DELETE"}:
            return call(url, params, headers=self.headers)
        return call(
            url,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Failure counters of one test never leak into the next."""
    cache.clear()
    yield
    cache.clear()


def make_user(role: str | None = None, **fields: Any) -> Any:
    """A user with ``role`` (none: Django flags decide)."""
    user = UserFactory(**fields)
    if role is not None:
        role_assign(user=user, role=role)
    return user


def client_for(user: Any) -> ApiClient:
    return ApiClient(token_create(user=user, name="tests").secret)


@pytest.fixture
def director(db):  # noqa: ARG001
    return make_user(Role.DIRECTOR)


@pytest.fixture
def api(director):
    """A director's API client (sees and changes everything)."""
    return client_for(director)
