"""Survey link tokens: made with ``secrets``, stored only as their SHA-256.

A token is 32 random bytes (256 bits) in URL-safe base64: far beyond guessing, so the
hash needs no salt or slow function; an unsalted SHA-256 lets the database look a link up
by an indexed, unique column.
"""

from __future__ import annotations

import hashlib
import re
import secrets

#: Random bytes per token (256 bits; the brief asks for at least 128).
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def new_token() -> tuple[str, str]:
    """A fresh token and its hash: ``(raw, sha256_hex)``. Only the hash is ever stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest stored for (and looked up by) a raw token."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(raw: str) -> bool:
    """Cheap shape check before any database work: URL-safe base64, sensible length."""
    return _TOKEN_SHAPE.fullmatch(raw) is not None
