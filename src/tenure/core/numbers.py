"""Numbers crossing from analytics (floats, NaN) into the CRM store (query parameters:
`tenure.core.query_params`)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TypedDict

import polars as pl


class MoneyArgs(TypedDict):
    """A money ``DecimalField``'s arguments, typed so the field's stub accepts ``**MONEY``."""

    max_digits: int
    decimal_places: int


#: Money the scoring run derives from order lines (revenue sums, averages, lifetime values,
#: potentials): up to 10^26 − 0.01. An order line is at most ±10^9
#: (`tenure.ledger.validation.MAX_LINE_AMOUNT`), so no sum of fewer than 10^17 lines can
#: overflow the field — it once held 10^16, and one mistyped line made every page showing
#: the account fail to read its figures.
DERIVED_MONEY: MoneyArgs = {"max_digits": 28, "decimal_places": 2}


def finite_or_none(value: float | None) -> float | None:
    """``value`` as a float, or None when it is missing, NaN or infinite."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def money_or_none(value: float | None) -> Decimal | None:
    """``value`` rounded to cents as a Decimal (money is never stored as float)."""
    number = finite_or_none(value)
    return None if number is None else Decimal(f"{number:.2f}")


def finite_column(name: str) -> pl.Expr:
    """Column ``name`` as floats with NaN and ±inf turned into nulls (``finite_or_none`` for
    a whole frame column, when rows are written column-wise)."""
    value = pl.col(name).cast(pl.Float64)
    return pl.when(value.is_finite()).then(value).otherwise(None)
