"""Which currencies the ledger holds, and its lines in one reporting currency.

Every figure Tenure shows is a sum over order lines. A ledger with lines in several
currencies is converted to one reporting currency with rates the user supplies
(``tenure import rates``) before anything is summed; without them the scoring run refuses,
rather than adding euros to pounds. See docs/ledger.md ("Currencies").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: A rate is "units of the reporting currency for one unit of the line's currency".
RATE = "decimal(18, 8)"


def ledger_currencies(lines: ir.Table, *, as_of: dt.date) -> list[str]:
    """The distinct currencies of the lines dated on or before ``as_of``, sorted."""
    import ibis  # here: this module loads with Django, and Ibis costs 0.2 s to import

    until = lines.filter(lines.order_date <= ibis.literal(as_of, type="date"))
    column = until.select("currency").distinct().to_pyarrow()["currency"]
    return sorted(str(value) for value in column.to_pylist() if value is not None)


def lines_in_reporting_currency(
    lines: ir.Table, *, reporting: str, rates: Mapping[str, Decimal]
) -> ir.Table:
    """The order lines with ``amount`` and ``unit_price`` in the reporting currency.

    Parameters
    ----------
    lines
        Order lines in the ledger's schema.
    reporting
        The reporting currency; its own lines keep their amounts.
    rates
        Units of the reporting currency per unit of each other currency. Lines in a
        currency with no rate are left out, so the caller checks coverage first
        (`tenure.ledger.rates.reporting_currency_resolve`).

    Returns
    -------
    ir.Table
        The same columns; ``currency`` is the reporting currency on every line. Without
        rates the lines come back unchanged (a one-currency ledger).
    """
    if not rates:
        return lines
    import ibis

    table = {reporting: Decimal(1), **{code: Decimal(rate) for code, rate in rates.items()}}
    rate_table = ibis.memtable(
        {"rate_currency": list(table), "rate": list(table.values())},
        schema={"rate_currency": "string", "rate": RATE},
    )
    joined = lines.join(rate_table, lines.currency == rate_table.rate_currency)
    return joined.mutate(
        amount=(joined.amount * joined.rate).round(2).cast(lines.amount.type()),
        unit_price=(joined.unit_price * joined.rate).round(2).cast(lines.unit_price.type()),
        currency=ibis.literal(reporting, type="string"),
    ).select(*lines.columns)
