"""Template filters for figures: ``{{ account.churn_risk|percent }}``, ``{{ x|money }}``.

Thin wrappers over :mod:`tenure.core.figures`, so pages read exactly as emails and PDFs do.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from tenure.core import figures

register = template.Library()


@register.filter
def percent(fraction: float | Decimal | None) -> str:
    """A fraction as a whole percentage (see :func:`tenure.core.figures.percent`)."""
    return figures.percent(fraction)


@register.filter
def money(amount: float | Decimal | None) -> str:
    """An amount in whole units (see :func:`tenure.core.figures.money`)."""
    return figures.money(amount)
