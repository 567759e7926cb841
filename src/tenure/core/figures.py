"""How figures read, everywhere: one formatter per kind, shared by pages, emails, PDFs and the CLI.

Templates use the same functions through ``{% load figures %}`` (``core/templatetags``), so a
risk of 0.67 % reads "under 1 %" on the home page, the account page, the brief and the
digest alike.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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
