"""Rate limits for the public survey pages, counted in Django's cache.

Fixed windows: each (kind, key, window) has a counter that expires with its window. The
cache is per process with the default LocMemCache, so a server running several processes
should configure a shared cache (Redis, Memcached, the database cache) for exact limits.

Limits can be changed with ``TENURE_SURVEY_RATE_LIMITS`` in settings:
``{"ip": (requests, seconds), "token": (requests, seconds)}``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

#: Requests allowed per window: generous per address (an office shares one), tight per link.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {"ip": (120, 600), "token": (30, 600)}


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on and, if not, when to try again (seconds)."""

    allowed: bool
    retry_after: int = 0


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "TENURE_SURVEY_RATE_LIMITS", {})}


def client_address(request: HttpRequest) -> str:
    """The address to count a request against.

    ``REMOTE_ADDR`` by default. Behind N trusted reverse proxies, set
    ``TENURE_TRUSTED_PROXIES = N`` and the Nth address from the right of
    ``X-Forwarded-For`` is used instead (the one the first trusted proxy saw).
    """
    proxies = int(getattr(settings, "TENURE_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _hit(kind: str, key: str, *, now: float) -> Verdict:
    limit, window = _limits()[kind]
    # Keys are hashed: raw tokens and addresses never sit in the cache.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    slot = int(now // window)
    cache_key = f"tenure:survey-rate:{kind}:{digest}:{slot}"
    if cache.add(cache_key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window)
            count = 1
    if count > limit:
        return Verdict(False, retry_after=max(1, int((slot + 1) * window - now)))
    return Verdict(True)


def check(request: HttpRequest, token: str) -> Verdict:
    """Count this request against its address and its link; refuse past either limit."""
    now = time.time()
    by_address = _hit("ip", client_address(request), now=now)
    if not by_address.allowed:
        return by_address
    return _hit("token", token, now=now)
