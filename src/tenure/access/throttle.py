"""Failed-login and failed-token limits, counted in the shared throttle cache.

Only failures are counted. Once a key (a username, a client address) has ``limit``
failures in the current window, every attempt with it is refused until the window ends:
even the right password, so guessing cannot continue at any speed.

Fixed windows, as for the survey pages (``tenure.feedback.throttle``): each (kind, key,
window) has a counter that expires with its window. Counters live in the shared throttle
cache (``settings.THROTTLE_CACHE``: a table of the CRM store, or ``TENURE_CACHE_URL``), so
every server process counts against the same limit. Limits can be changed with
``TENURE_LOGIN_RATE_LIMITS`` in settings, e.g.
``{"login_user": (5, 900), "login_ip": (20, 900), "token_ip": (20, 900),
"token_prefix": (10, 900)}``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from tenure.access.tokens import DISPLAY_PREFIX_LENGTH
from tenure.core.throttle_cache import client_address, store

#: Failures allowed per window (seconds). Per address is looser than per username: an
#: office shares one address.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "login_user": (5, 15 * 60),
    "login_ip": (20, 15 * 60),
    "token_ip": (20, 15 * 60),
    "token_prefix": (10, 15 * 60),
}


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go on and, if not, in how many seconds to try again."""

    allowed: bool
    retry_after: int = 0


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "TENURE_LOGIN_RATE_LIMITS", {})}


def _cache_key(kind: str, key: str, now: float) -> tuple[str, int, int, float]:
    limit, window = _limits()[kind]
    # Keys are hashed: usernames and addresses never sit in the cache in clear.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    slot = int(now // window)
    return f"tenure:auth-fail:{kind}:{digest}:{slot}", limit, window, (slot + 1) * window - now


def _allowed(kind: str, key: str, now: float) -> Verdict:
    cache_key, limit, _, remaining = _cache_key(kind, key, now)
    if int(store().get(cache_key, 0)) >= limit:
        return Verdict(False, retry_after=max(1, int(remaining)))
    return Verdict(True)


def _fail(kind: str, key: str, now: float) -> None:
    cache_key, _, window, _ = _cache_key(kind, key, now)
    counters = store()
    if not counters.add(cache_key, 1, timeout=window):
        try:
            counters.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            counters.set(cache_key, 1, timeout=window)


def _username_key(username: str) -> str:
    return username.strip().casefold()


def login_allowed(request: HttpRequest, username: str) -> Verdict:
    """May this address try to log in as this username now?"""
    now = time.time()
    by_address = _allowed("login_ip", client_address(request), now)
    if not by_address.allowed:
        return by_address
    return _allowed("login_user", _username_key(username), now)


def login_failed(request: HttpRequest, username: str) -> None:
    """Count a failed log-in against the address and the username."""
    now = time.time()
    _fail("login_ip", client_address(request), now)
    _fail("login_user", _username_key(username), now)


def login_succeeded(username: str) -> None:
    """A right password clears the username's failures (not the address's)."""
    cache_key, *_ = _cache_key("login_user", _username_key(username), time.time())
    store().delete(cache_key)


def _token_prefix(secret: str) -> str:
    # The part shown on "My API tokens": the same wrong token, retried, shares it.
    return secret[:DISPLAY_PREFIX_LENGTH]


def token_allowed(request: HttpRequest, secret: str) -> Verdict:
    """May a token that turns out wrong still be answered (401), or must it back off (429)?

    Refused once the address or the token's prefix has failed too often. The caller looks
    the token up first and asks only when it is wrong: a right token is never refused for
    others' failures (an office behind one address keeps its integrations), and a secret of
    256 random bits is not guessed however many tries an address gets.
    """
    now = time.time()
    by_address = _allowed("token_ip", client_address(request), now)
    if not by_address.allowed:
        return by_address
    return _allowed("token_prefix", _token_prefix(secret), now)


def token_failed(request: HttpRequest, secret: str) -> None:
    """Count an unknown, revoked or expired token against the address and its prefix."""
    now = time.time()
    _fail("token_ip", client_address(request), now)
    _fail("token_prefix", _token_prefix(secret), now)
