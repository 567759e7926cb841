"""The one country parser: ISO 3166 codes and English names → the alpha-2 code accounts keep.

Pages (the admin's account form), the API, the accounts import and the order-line import
all read countries here, so ``United States``, ``us`` and ``USA`` are the same country
everywhere and ``XX`` is refused everywhere, with the same message.
"""

from __future__ import annotations

import functools

import pycountry
from django.core.exceptions import ValidationError

# Names found in real exports that ISO does not list (UCI Online Retail writes EIRE and RSA),
# and short names people write for countries ISO renamed.
_ALIASES = {
    "EIRE": "IE",
    "RSA": "ZA",
    "UK": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "RUSSIA": "RU",
    "TURKEY": "TR",
    "HOLLAND": "NL",
    "IVORY COAST": "CI",
    "SWAZILAND": "SZ",
    "MACEDONIA": "MK",
    "BRUNEI": "BN",
    "CAPE VERDE": "CV",
    "BURMA": "MM",
    # Exports say so when they do not know: that is no country, not an unknown one.
    "UNSPECIFIED": "",
    "UNKNOWN": "",
    "N/A": "",
}
EXPECTED = "write an ISO 3166 code (DE, DEU) or the English name (Germany)"


class UnknownCountry(ValueError):
    """Text that names no country."""


@functools.cache
def country_table() -> dict[str, str]:
    """Every spelling accepted, upper-cased → its alpha-2 code (``""``: no country).

    ISO alpha-2 and alpha-3 codes, names, official and common names, and `_ALIASES`.
    Numeric codes are not accepted: in a spreadsheet they are too easily something else.
    """
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            spelling = getattr(country, attribute, None)
            if spelling:
                table[spelling.upper()] = country.alpha_2
    return table | _ALIASES


def unknown_country_message(text: str) -> str:
    return f"{text!r} is not a country: {EXPECTED}"


def country_code(text: str | None) -> str:
    """The alpha-2 code for a code or an English name, in any case; ``""`` when blank.

    Raises
    ------
    UnknownCountry
        The text names no country (``XX``, ``Narnia``).
    """
    if text is None or not text.strip():
        return ""
    cleaned = text.strip()
    try:
        return country_table()[cleaned.upper()]
    except KeyError:
        raise UnknownCountry(unknown_country_message(cleaned)) from None


def validate_country(value: str) -> None:
    """Model field validator: a stored country is blank or a known alpha-2 code."""
    if value and country_table().get(value.upper()) != value:
        raise ValidationError(unknown_country_message(value), code="unknown_country")
