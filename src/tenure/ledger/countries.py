"""Country names in order files → the ISO 3166 alpha-2 codes the CRM store keeps."""

from __future__ import annotations

import functools

import pycountry

# Names found in real exports that ISO does not list (UCI Online Retail writes EIRE and RSA).
_ALIASES = {"EIRE": "IE", "RSA": "ZA", "UK": "GB", "GREAT BRITAIN": "GB", "ENGLAND": "GB"}


@functools.cache
def country_code(name: str | None) -> str:
    """The alpha-2 code for a code or an English name; empty when unknown.

    An unknown country is no reason to refuse an order line: the account is created
    without one and a person can fill it in.
    """
    if not name or not name.strip():
        return ""
    text = name.strip()
    if text.upper() in _ALIASES:
        return _ALIASES[text.upper()]
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return ""
