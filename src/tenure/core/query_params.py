"""Query parameters of the web pages, read by one set of rules.

A page's filters come from the address bar, where anyone can type anything: a 25-digit
number, ``²`` (which ``str.isdigit`` accepts and ``int`` refuses) or a NUL byte. Every view
reads its numeric parameters here; a value that is given but is not a valid id is a
`BadQueryParameter`, which Django answers with 400 and the message, never a 500 from the
database. Search text goes through `text_param`. The API validates its parameters itself
(422).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import QueryDict

#: The database's id range (BigAutoField; SQLite's INTEGER and PostgreSQL's bigint).
MAX_ID = 2**63 - 1


class BadQueryParameter(BadRequest):
    """A query parameter that is present but unusable; Django answers 400 with the message."""


def int_param(
    params: QueryDict, name: str, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """Parameter ``name`` as an id: None when absent or empty, else a whole number in range.

    Raises
    ------
    BadQueryParameter
        The value is not a plain decimal whole number (``²``, ``1e3``, ``abc``) or lies
        outside ``minimum``–``maximum``.
    """
    raw = params.get(name, "").strip()
    if not raw:
        return None
    return _checked(name, raw, minimum, maximum)


def text_param(params: QueryDict, name: str) -> str:
    """Parameter ``name`` as trimmed text ("" when absent), for searches.

    Raises
    ------
    BadQueryParameter
        The text holds a NUL character, which PostgreSQL refuses in any string.
    """
    text = params.get(name, "").strip()
    if "\x00" in text:
        raise BadQueryParameter(f"{name}: the text holds a NUL character")
    return text


def int_list_param(params: QueryDict, name: str, *, maximum: int = MAX_ID) -> list[int]:
    """Each value of a repeated parameter (``?contacts=1&contacts=2``) as an id; empty ones
    are skipped."""
    return [_checked(name, raw.strip(), 1, maximum) for raw in params.getlist(name) if raw.strip()]


def _checked(name: str, raw: str, minimum: int, maximum: int) -> int:
    # ASCII digits only: int() also takes "١٢" and "1_000", isdigit() also takes "²".
    digits = raw.removeprefix("-")
    plain = digits.isascii() and digits.isdigit() and len(digits) <= len(str(maximum))
    value = int(raw) if plain else None
    if value is None or not minimum <= value <= maximum:
        raise BadQueryParameter(f"{name}: “{raw[:40]}” is {_expected(minimum, maximum)}")
    return value


def _expected(minimum: int, maximum: int) -> str:
    if (minimum, maximum) == (1, MAX_ID):
        return "not a valid id"
    return f"not a whole number from {minimum:,} to {maximum:,}"
