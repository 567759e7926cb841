"""What the growth area needs from the ledger, keyed by CRM account (scoring run and backtest).

Only the scoring run and the backtest call this: pages read the written estimates.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from ibis.expr.types import Table

from tenure.accounts.merge import external_id_frame
from tenure.accounts.models import Account
from tenure.ledger import features as ledger_features


def crm_accounts() -> pl.DataFrame:
    """``account_id``, ``external_id``, ``industry``, ``employees`` of every account."""
    return pl.DataFrame(
        list(Account.objects.values_list("id", "external_id", "industry", "employees")),
        schema={
            "account_id": pl.Int64,
            "external_id": pl.String,
            "industry": pl.String,
            "employees": pl.Int64,
        },
        orient="row",
    )


def spend_by_account(lines: Table, *, as_of: dt.date, window_days: int = 365) -> pl.DataFrame:
    """Spend per CRM account and category in the window up to ``as_of`` (merged ids follow
    their alias to the kept account)."""
    spend = ledger_features.to_polars(
        ledger_features.category_spend(lines, as_of=as_of, window_days=window_days)
    )
    if spend.height == 0:
        return pl.DataFrame(
            schema={"account_id": pl.Int64, "product_category": pl.String, "revenue": pl.Float64}
        )
    return (
        spend.join(
            external_id_frame().rename({"external_id": "account_key"}),
            on="account_key",
            how="inner",
        )
        .group_by("account_id", "product_category")
        .agg(pl.col("revenue").cast(pl.Float64).sum())
    )


def revenue_by_account(spend: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Every CRM account with its total spend in the window (zero when it bought nothing)."""
    totals = spend.group_by("account_id").agg(pl.col("revenue").sum())
    return accounts.join(totals, on="account_id", how="left").with_columns(
        pl.col("revenue").fill_null(0.0)
    )
