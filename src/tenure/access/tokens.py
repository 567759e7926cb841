"""API token secrets: made with ``secrets``, recognisable by their prefix, stored hashed.

A secret is ``tnr_`` followed by 32 random bytes (256 bits) in URL-safe base64. The prefix
lets secret scanners and people recognise a Tenure token; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets

#: Random bytes per secret (256 bits).
SECRET_BYTES = 32
#: Every secret starts with this, so a leaked one is recognisable.
SECRET_PREFIX = "tnr_"
#: Characters of the secret kept in clear for display ("tnr_" and eight more).
DISPLAY_PREFIX_LENGTH = 12
_SECRET_SHAPE = re.compile(r"tnr_[A-Za-z0-9_-]{43}")


def new_secret() -> tuple[str, str]:
    """A fresh secret and its hash: ``(raw, sha256_hex)``. Only the hash is stored."""
    raw = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    return raw, hash_secret(raw)


def hash_secret(raw: str) -> str:
    """The SHA-256 hex digest a secret is stored and looked up by."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_secret(raw: str) -> bool:
    """Cheap shape check before any database work."""
    return _SECRET_SHAPE.fullmatch(raw) is not None
