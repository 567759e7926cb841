"""Write order lines straight into a ledger, for tests of what reads the ledger."""

from __future__ import annotations

import datetime as dt

import ibis
import polars as pl
from ibis.backends import BaseBackend

from tenure.ledger import store

IMPORTED_AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def ledger_frame(rows: list[tuple]) -> pl.DataFrame:
    """``(account, source, order, line, date, category, amount)`` tuples → ledger lines.

    Amounts are given as text (``"12.50"``) so they reach the decimal column exactly.
    """
    frame = pl.DataFrame(
        rows,
        schema=[
            "account_key",
            "source",
            "order_id",
            "line_number",
            "order_date",
            "product_category",
            "amount",
        ],
        orient="row",
    )
    return frame.with_columns(
        pl.col("line_number").cast(pl.Int32),
        pl.col("product_category").alias("product_id"),
        pl.lit(None, dtype=pl.Decimal(18, 3)).alias("quantity"),
        pl.lit(None, dtype=pl.Decimal(18, 2)).alias("unit_price"),
        pl.col("amount").cast(pl.Decimal(18, 2)),
        pl.lit("EUR").alias("currency"),
        pl.lit(IMPORTED_AT).alias("imported_at"),
    ).select(store.COLUMNS)


def load(con: BaseBackend, frame: pl.DataFrame) -> None:
    store.ensure_schema(con)
    con.insert(store.ORDER_LINES, ibis.memtable(frame.to_arrow(), schema=store.SCHEMA))
