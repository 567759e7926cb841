"""How figures read, everywhere: one formatter per kind, shared by pages, emails, PDFs and the CLI.

Templates use the same functions through ``{% load figures %}`` (``core/templatetags``), so a
risk of 0.67 % reads "under 1 %" on the home page, the account page, the brief and the
digest alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from tenure.core.dates import day_label

#: Shown for a figure that is not known.
MISSING = "—"


def percent(fraction: float | Decimal | None) -> str:
    """A fraction as a whole percentage: ``0.4321`` → ``"43 %"``.

    A positive figure that would round to 0 reads "under 1 %", one that would round to 100
    without being 100 reads "over 99 %": a 0.3 % churn risk is not "0 %", a 99.6 % share not
    "100 %". Halves round up (0.125 → "13 %"), negative figures keep their sign, and a
    missing one reads "—".
    """
    if fraction is None:
        return MISSING
    value = Decimal(str(fraction)) * 100
    if value.is_nan() or value.is_infinite():
        return MISSING
    if 0 < value < 1:
        return "under 1 %"
    if 99 < value < 100:
        return "over 99 %"
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole + 0:.0f} %"  # + 0 turns -0 into 0


def money(amount: float | Decimal | None, currency: str | None = None) -> str:
    """An amount in whole units with thousands separators and its currency:
    ``money(412345.67, "EUR")`` → ``"412,346 EUR"``.

    Pages and summaries show money without cents (halves round up); exports and the API
    keep the exact amount. Every money figure a user sees carries its currency (the
    reporting currency of the scoring run it comes from); without one (no run yet) the
    amount reads bare. A missing amount reads "—".
    """
    if amount is None:
        return MISSING
    value = Decimal(str(amount))
    if value.is_nan() or value.is_infinite():
        return MISSING
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    shown = f"{whole + 0:,.0f}"
    return f"{shown} {currency}" if currency else shown


def score(value: float | Decimal | None, *, signed: bool = False) -> str:
    """A 0–100 score (health, qualification) or an NPS as a whole number: ``71.6`` → ``"72"``.

    ``signed`` writes a change with its sign (``"+4"``, ``"−3"``, ``"±0"``). Halves round up;
    a missing score reads "—".
    """
    if value is None:
        return MISSING
    number = Decimal(str(value))
    if number.is_nan() or number.is_infinite():
        return MISSING
    whole = number.quantize(Decimal(1), rounding=ROUND_HALF_UP) + 0
    if not signed:
        return f"{whole:.0f}"
    if whole == 0:
        return "±0"
    return f"+{whole:.0f}" if whole > 0 else f"−{abs(whole):.0f}"


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as people read it, ``7 Dec 2026``; a moment in time reads as its local date."""
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return day_label(value)
