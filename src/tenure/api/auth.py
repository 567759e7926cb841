"""How API requests authenticate: a personal token (scripts) or the web session.

* ``Authorization: Bearer <token>`` — a token made on "My API tokens". An unknown, revoked
  or expired token gets 401 (never falls back to the session), and counts as a failure
  against the client address and the token's prefix: past either limit wrong tokens get 429
  for a while, while right tokens from the same address keep working.
* The session cookie of a logged-in browser; requests that change data must also carry
  Django's CSRF token (``X-CSRFToken`` header), or get 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tenure.access import throttle
from tenure.access.selectors import token_for_secret
from tenure.access.services import token_record_use
from tenure.api.errors import TooManyAttempts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """A personal API token in ``Authorization: Bearer …``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        secret = token.strip()
        now = timezone.now()
        found = token_for_secret(raw=secret, now=now)
        if found is None:
            verdict = throttle.token_allowed(request, secret)
            throttle.token_failed(request, secret)
            if not verdict.allowed:
                raise TooManyAttempts(verdict.retry_after)
            raise AuthenticationError(401, "the API token is unknown, revoked or expired")
        token_record_use(token=found, now=now)
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's session; CSRF is checked for unsafe methods once the user is known.

    Unlike ninja's ``django_auth``, a request without a session gets 401, not a CSRF 403.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # noqa: ARG002
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return user


def api_auth() -> list[Any]:
    """The authentication callables of the API, tried in order."""
    return [TokenAuth(), SessionAuth()]
