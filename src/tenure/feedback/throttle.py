"""Rate limits for the public survey pages, counted in Django's cache.

Fixed windows: each (kind, key, window) has a counter that expires with its window.
Counters live in the shared throttle cache (``tenure.core.throttle_cache.store``), so every
server process counts against the same limit.

Limits can be changed with ``TENURE_SURVEY_RATE_LIMITS`` in settings:
``{"ip": (requests, seconds), "token": (requests, seconds)}``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from tenure.core.throttle_cache import client_address, store

#: Requests allowed per window: generous per address (an office shares one), tight per link.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {"ip": (120, 600), "token": (30, 600)}


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on and, if not, when to try again (seconds)."""

    allowed: bool
    retry_after: int = 0


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "TENURE_SURVEY_RATE_LIMITS", {})}


def _hit(kind: str, key: str, *, now: float) -> Verdict:
    limit, window = _limits()[kind]
    # Keys are hashed: raw tokens and addresses never sit in the cache.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    slot = int(now // window)
    cache_key = f"tenure:survey-rate:{kind}:{digest}:{slot}"
    counters = store()
    if counters.add(cache_key, 1, timeout=window):
        count = 1
    else:
        try:
            count = counters.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            counters.set(cache_key, 1, timeout=window)
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
