"""Template filters for figures: ``{{ account.churn_risk|percent }}``,
``{{ x|money:reporting_currency }}`` (the context processor
`tenure.scoring.context_processors.reporting_currency` gives the latest run's currency).

Thin wrappers over :mod:`tenure.core.figures`, so pages read exactly as emails and PDFs do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from tenure.core import figures

register = template.Library()


@register.filter
def percent(fraction: float | Decimal | None) -> str:
    """A fraction as a whole percentage (see :func:`tenure.core.figures.percent`)."""
    return figures.percent(fraction)


@register.filter
def money(amount: float | Decimal | None, currency: str | None = None) -> str:
    """An amount in whole units with its currency (see :func:`tenure.core.figures.money`)."""
    return figures.money(amount, str(currency) if currency else None)


@register.filter
def score(value: float | Decimal | None, signed: bool = False) -> str:
    """A score or NPS as a whole number; ``|score:True`` signs a change (see
    :func:`tenure.core.figures.score`)."""
    return figures.score(value, signed=bool(signed))


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """A date as people read it, a moment as its local date (see
    :func:`tenure.core.figures.day`)."""
    return figures.day(value)
