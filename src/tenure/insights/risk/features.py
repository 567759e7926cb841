"""The churn model's inputs: one row per account, built from what was known at a date.

:func:`risk_features` takes an account frame that already joins the ledger's revenue
features, the purchase-day summary (CLV inputs and recent spend), the BG/NBD probability of
being alive and the CRM's engagement features, all computed *as of the same date*, and
derives the model's columns. Missing inputs stay null: LightGBM learns where missing values
go, and a column the caller does not have at all (no CRM, no CLV) is added as nulls.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

__all__ = ["CRM_FEATURES", "LEDGER_FEATURES", "RISK_FEATURES", "risk_features"]

#: Features read from the ledger (and the CLV model fitted on it).
LEDGER_FEATURES: tuple[str, ...] = (
    "days_since_last_order",
    "recency_ratio",
    "median_interval_days",
    "orders",
    "customer_days",
    "revenue_t12m_log",
    "growth",
    "product_breadth",
    "returns_share",
    "recent_quarter_vs_last_year",
    "recent_quarter_share",
    "probability_alive",
)
#: Features read from the CRM as it was at the date.
CRM_FEATURES: tuple[str, ...] = (
    "days_since_strategic",
    "strategic_90d",
    "interactions_90d",
    "negative_90d",
    "engaged_contacts",
    "decision_makers_engaged",
    "threads",
    "active_decision_makers",
    "contacts_left",
    "decision_makers_left",
    "open_issues",
    "open_severe_issues",
    "oldest_open_issue_days",
    "issues_90d",
    "overdue_actions",
)
RISK_FEATURES: tuple[str, ...] = LEDGER_FEATURES + CRM_FEATURES

_RAW_LEDGER = (
    "first_order_date",
    "days_since_last_order",
    "median_interval_days",
    "orders",
    "revenue_t12m",
    "growth",
    "product_breadth",
    "returns_share",
    "revenue_90d",
    "revenue_90d_prior_year",
    "probability_alive",
)


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator)


def risk_features(
    accounts: pl.DataFrame, *, as_of: dt.date, account_col: str = "account_key"
) -> pl.DataFrame:
    """Derive the model's feature columns from raw per-account inputs as of ``as_of``.

    Parameters
    ----------
    accounts
        One row per account. Ledger columns (``first_order_date``,
        ``days_since_last_order``, ``median_interval_days``, ``orders``,
        ``revenue_t12m``, ``growth``, ``product_breadth``, ``returns_share``), recent
        spend (``revenue_90d``, ``revenue_90d_prior_year``), ``probability_alive`` and the
        CRM columns named in :data:`CRM_FEATURES`; any that are absent are taken as unknown.
    as_of
        The date the inputs describe (used for the customer's age).
    account_col
        Key carried through.

    Returns
    -------
    polars.DataFrame
        ``account_col`` and every column of :data:`RISK_FEATURES`, as float64.
    """
    if account_col not in accounts.columns:
        raise ValueError(f"risk_features: missing the key column {account_col!r}")
    missing = [c for c in (*_RAW_LEDGER, *CRM_FEATURES) if c not in accounts.columns]
    frame = accounts.with_columns(
        pl.lit(None, dtype=pl.Float64).alias(c) for c in missing if c != "first_order_date"
    )
    if "first_order_date" in missing:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("first_order_date"))
    f = pl.col
    revenue_t12m = f("revenue_t12m").cast(pl.Float64)
    recent = f("revenue_90d").cast(pl.Float64)
    derived = frame.select(
        account_col,
        f("days_since_last_order").cast(pl.Float64),
        _ratio(
            f("days_since_last_order").cast(pl.Float64), f("median_interval_days").cast(pl.Float64)
        ).alias("recency_ratio"),
        f("median_interval_days").cast(pl.Float64),
        f("orders").cast(pl.Float64),
        (pl.lit(as_of) - f("first_order_date"))
        .dt.total_days()
        .cast(pl.Float64)
        .alias("customer_days"),
        pl.when(revenue_t12m > 0).then(revenue_t12m.log10()).alias("revenue_t12m_log"),
        f("growth").cast(pl.Float64),
        f("product_breadth").cast(pl.Float64),
        f("returns_share").cast(pl.Float64),
        (_ratio(recent, f("revenue_90d_prior_year").cast(pl.Float64)) - 1.0).alias(
            "recent_quarter_vs_last_year"
        ),
        # A quarter's spend against a quarter of the year's: below 1 is a slowdown (or a
        # seasonal dip, which the model can tell apart with the year-on-year column).
        _ratio(recent, revenue_t12m / 4.0).alias("recent_quarter_share"),
        f("probability_alive").cast(pl.Float64),
        *(f(c).cast(pl.Float64) for c in CRM_FEATURES),
    )
    return derived.select(account_col, *RISK_FEATURES)
