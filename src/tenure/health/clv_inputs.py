"""The purchase-day summary the CLV models read, computed in the ledger (an Ibis expression).

Per account, as of a date, from order lines dated on or before it (point in time), with the
conventions of ``tenure.insights.clv.rfm_summary``: lines of one day are one purchase, and
a day counts as a purchase when its lines add up to a positive amount (a day of credit
notes only is not). ``frequency`` is the number of purchase days after the first,
``recency`` the time from the first to the last purchase day and ``T`` from the first to
``as_of``, in weeks of 7 days; ``monetary_value`` is the mean value of the repeat purchase
days (0 without one).

The same scan also gives the risk model two windows of recent spend: net revenue in the
last 90 days and in the same 90 days a year earlier.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

#: Days in the CLV models' time unit.
WEEK = 7.0
RECENT_DAYS = 90


def clv_inputs(lines: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Per-account purchase-day summary and recent spend as of ``as_of``.

    Parameters
    ----------
    lines
        Order lines (``account_key``, ``order_date``, ``amount``), e.g.
        ``tenure.ledger.store.order_lines(con)``.
    as_of
        Last day seen.

    Returns
    -------
    ir.Table
        ``account_key``, ``frequency`` (int), ``recency``, ``T``, ``monetary_value``
        (float; null for an account without a purchase day), ``revenue_90d`` and
        ``revenue_90d_prior_year`` (net, float; 0 when nothing in the window).
    """
    cutoff = ibis.literal(as_of, type="date")
    lines = lines.filter(lines.order_date <= cutoff)
    # Sums stay exact decimals until the end: float sums depend on the engine's order of
    # addition, and Spark's and DuckDB's rounded one account's order value a cent apart.
    daily = lines.group_by("account_key", "order_date").aggregate(value=lines.amount.sum())
    recent_start = ibis.literal(as_of - dt.timedelta(days=RECENT_DAYS), type="date")
    year_ago = as_of - dt.timedelta(days=365)
    prior_end = ibis.literal(year_ago, type="date")
    prior_start = ibis.literal(year_ago - dt.timedelta(days=RECENT_DAYS), type="date")
    zero = ibis.literal(0.0, type="float64")
    windows = daily.group_by("account_key").aggregate(
        revenue_90d=daily.value.sum(where=daily.order_date > recent_start)
        .cast("float64")
        .coalesce(zero),
        revenue_90d_prior_year=daily.value.sum(
            where=(daily.order_date > prior_start) & (daily.order_date <= prior_end)
        )
        .cast("float64")
        .coalesce(zero),
    )

    days = daily.filter(daily.value > 0)
    summary = days.group_by("account_key").aggregate(
        first_day=days.order_date.min(),
        last_day=days.order_date.max(),
        purchase_days=days.count(),
        total=days.value.sum(),
    )
    # The first day's value, by a join rather than an arg-min, so every backend runs it.
    first = days.join(
        summary,
        [days.account_key == summary.account_key, days.order_date == summary.first_day],
    ).select(account_key=days.account_key, first_value=days.value)
    summary = summary.join(first, "account_key")
    repeat = summary.purchase_days - 1
    summary = summary.select(
        "account_key",
        frequency=repeat.cast("int64"),
        recency=summary.last_day.delta(summary.first_day, unit="day").cast("float64") / WEEK,
        T=cutoff.delta(summary.first_day, unit="day").cast("float64") / WEEK,
        monetary_value=ibis.ifelse(
            repeat > 0,
            (summary.total - summary.first_value).cast("float64") / repeat.cast("float64"),
            0.0,
        ),
    )
    joined = windows.left_join(summary, "account_key")
    return joined.select(
        "account_key",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "revenue_90d",
        "revenue_90d_prior_year",
    )
