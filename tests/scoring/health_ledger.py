"""Order-line ledgers for the health and risk tests: in-memory DuckDB through Ibis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir
import polars as pl
from ibis.backends import BaseBackend


def ledger_connection(lines: pl.DataFrame) -> BaseBackend:
    """An in-memory DuckDB ledger holding ``lines`` as ``order_lines``."""
    con = ibis.duckdb.connect()
    # Created through DuckDB itself: the lines only need to be queryable like the ledger's.
    con.con.register("staged_lines", lines.to_arrow())
    con.con.execute("CREATE TABLE order_lines AS SELECT * FROM staged_lines")
    con.con.unregister("staged_lines")
    return con


def ledger(lines: pl.DataFrame) -> ir.Table:
    return ledger_connection(lines).table("order_lines")


def order_lines(rows: Iterable[tuple[str, dt.date, float]]) -> pl.DataFrame:
    """One line per ``(account_key, order_date, amount)``, each its own order."""
    rows = list(rows)
    return pl.DataFrame(
        {
            "account_key": [r[0] for r in rows],
            "order_id": [f"SO-{i:06d}" for i in range(len(rows))],
            "line_number": [1] * len(rows),
            "order_date": [r[1] for r in rows],
            "product_id": ["P-001"] * len(rows),
            "product_category": ["Paper"] * len(rows),
            "quantity": [1] * len(rows),
            "unit_price": [r[2] for r in rows],
            "amount": [r[2] for r in rows],
            "currency": ["EUR"] * len(rows),
            "source": ["erp"] * len(rows),
        },
        schema_overrides={
            "order_date": pl.Date,
            "line_number": pl.Int32,
            "unit_price": pl.Decimal(18, 2),
            "amount": pl.Decimal(18, 2),
        },
    )


def every(days: int, start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start
    while day <= end:
        out.append(day)
        day += dt.timedelta(days=days)
    return out
