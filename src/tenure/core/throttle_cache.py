"""What every request limit counts with: the client's address and the shared counter cache.

Both the log-in/token limits (``tenure.access.throttle``) and the survey-page limits
(``tenure.feedback.throttle``) count against these, so they live at the bottom where either
app can reach them without reaching into the other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest


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


def store() -> BaseCache:
    """The cache every server process counts in (``settings.THROTTLE_CACHE``)."""
    return caches[settings.THROTTLE_CACHE]
