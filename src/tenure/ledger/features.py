"""Per-account revenue features over the ledger, as Ibis expressions.

The same expressions compile to DuckDB, PostgreSQL and Spark SQL, so the features are
computed where the lines live. Every function takes an ``as_of`` date and only looks at
lines dated on or before it (point in time): a model trained on features "as of" a past
date must not see what happened after it.

Money stays exact (``decimal(38, 2)`` sums); ratios are ``float64``, as the insights
compute in floats and round at the edge.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.types as ir
import polars as pl

#: Length of the trailing window (t12m) and of the window before it (prev12m).
YEAR = dt.timedelta(days=365)
MONEY = "decimal(38, 2)"
NEEDED = ("account_key", "source", "order_id", "order_date", "product_category", "amount")


@ibis.udf.scalar.builtin(name="list_median")
def _list_median(values: dt_types.Array[dt_types.float64]) -> dt_types.float64:
    """DuckDB's median of a list's values (the mean of the middle two for an even count)."""


@ibis.udf.scalar.builtin(name="list_distinct")
def _list_distinct(values: dt_types.Array[dt_types.date]) -> dt_types.Array[dt_types.date]:
    """DuckDB's list of the distinct values of a list (no nulls here: dates are required)."""


@ibis.udf.scalar.builtin(name="list_sort")
def _list_sort(values: dt_types.Array[dt_types.date]) -> dt_types.Array[dt_types.date]:
    """DuckDB's list sorted ascending."""


def _check_columns(lines: ir.Table) -> None:
    missing = [column for column in NEEDED if column not in lines.columns]
    if missing:
        raise ValueError(
            f"order lines need the column(s) {', '.join(missing)}; got {', '.join(lines.columns)}"
        )


def _until(lines: ir.Table, as_of: dt.date) -> ir.Table:
    _check_columns(lines)
    return lines.filter(lines.order_date <= ibis.literal(as_of, type="date"))


def ledger_through(lines: ir.Table, *, as_of: dt.date) -> dt.date | None:
    """The ledger's freshness: the last day with an order line on or before ``as_of``.

    An ERP export is often days old. Counting recency and every trailing window to this day
    rather than to the run's day keeps a stale ledger from reading as silence on every
    account. ``None`` when the ledger holds no line up to ``as_of``.
    """
    lines = _until(lines, as_of)
    value = lines.aggregate(day=lines.order_date.max()).to_pyarrow()["day"][0].as_py()
    return value if isinstance(value, dt.date) else None


def account_features(lines: ir.Table, *, as_of: dt.date) -> ir.Table:
    """One row per account with revenue, rhythm and breadth features as of a date.

    Parameters
    ----------
    lines
        Order lines in the ledger's schema (`tenure.ledger.store.order_lines`).
    as_of
        The last day of history seen; t12m is ``(as_of − 365 days, as_of]`` and prev12m
        the 365 days before that.

    Returns
    -------
    ir.Table
        ``account_key``, ``first_order_date``, ``last_order_date``, ``orders``,
        ``revenue_total``, ``revenue_t12m``, ``revenue_prev12m``, ``growth``,
        ``product_breadth``, ``avg_order_value``, ``median_interval_days``,
        ``returns_share``, ``days_since_last_order``. An *order* is an order id whose lines
        add up to a positive amount (credit notes are not orders); the dates and counts
        are those of orders. See docs/ledger.md for each definition.
    """
    _check_columns(lines)
    try:
        lists = lines.get_backend().name == "duckdb"
    except ibis.common.exceptions.IbisError:  # unbound: compiled later, for any backend
        lists = False
    return _account_features(lines, as_of=as_of, lists=lists)


def _account_features(lines: ir.Table, *, as_of: dt.date, lists: bool) -> ir.Table:
    """`account_features`, the median gap from day lists (``lists``, DuckDB) or a window."""
    lines = _until(lines, as_of)
    t12m_start = ibis.literal(as_of - YEAR, type="date")
    prev_start = ibis.literal(as_of - 2 * YEAR, type="date")
    in_t12m = lines.order_date > t12m_start
    in_prev = (lines.order_date > prev_start) & (lines.order_date <= t12m_start)
    amount = lines.amount
    zero = ibis.literal(0, type=MONEY)

    # One pass over the lines, down to orders; everything per account is then read from the
    # (several times smaller) order table. The same order id from two systems is two orders.
    orders = lines.group_by("account_key", "source", "order_id").aggregate(
        order_date=lines.order_date.min(),
        amount=amount.sum(),
        t12m=amount.sum(where=in_t12m),
        prev12m=amount.sum(where=in_prev),
        sold_t12m=amount.sum(where=in_t12m & (amount > 0)),
        returned_t12m=(-amount).sum(where=in_t12m & (amount < 0)),
    )
    purchase = orders.amount > 0
    per_account = {
        "revenue_total": orders.amount.sum().cast(MONEY),
        "revenue_t12m": orders.t12m.sum().cast(MONEY).coalesce(zero),
        "revenue_prev12m": orders.prev12m.sum().cast(MONEY).coalesce(zero),
        "sold_t12m": orders.sold_t12m.sum().cast(MONEY).coalesce(zero),
        "returned_t12m": orders.returned_t12m.sum().cast(MONEY).coalesce(zero),
        "first_order_date": orders.order_date.min(where=purchase),
        "last_order_date": orders.order_date.max(where=purchase),
        "orders": orders.count(where=purchase),
        "orders_t12m": orders.count(where=purchase & (orders.order_date > t12m_start)),
    }

    bought = lines.filter(in_t12m & (amount > 0))
    breadth = bought.group_by("account_key").aggregate(
        product_breadth=bought.product_category.nunique()
    )

    if lists:
        # DuckDB: each account's distinct purchase days as one sorted list, gathered in the
        # same aggregation as the sums, and the median gap read off the list. The order
        # table is read once, not a second time for a sort by account and day, a window and
        # a median aggregate (about 6 % less CPU at 10M lines, docs/ledger.md). The gaps
        # index the sorted list column itself: an expression over it inside the lambda would
        # be evaluated again for every element (minutes at 10M lines).
        days = orders.order_date.collect(where=purchase)
        accounts = orders.group_by("account_key").aggregate(**per_account, days=days)
        accounts = accounts.mutate(days=_list_sort(_list_distinct(accounts.days)))
        gaps = ibis.range(1, accounts.days.length()).map(
            lambda i: accounts.days[i].delta(accounts.days[i - 1], unit="day").cast("float64")
        )
        joined = accounts.mutate(median_interval_days=_list_median(gaps)).left_join(
            breadth, "account_key"
        )
    else:
        accounts = orders.group_by("account_key").aggregate(**per_account)
        bought_days = orders.filter(purchase).select("account_key", "order_date").distinct()
        by_date = ibis.window(group_by="account_key", order_by="order_date")
        bought_days = bought_days.mutate(previous=bought_days.order_date.lag().over(by_date))
        gaps_table = bought_days.filter(bought_days.previous.notnull())
        gaps_table = gaps_table.mutate(
            days=gaps_table.order_date.delta(gaps_table.previous, unit="day")
        )
        intervals = gaps_table.group_by("account_key").aggregate(
            median_interval_days=gaps_table.days.cast("float64").median()
        )
        joined = accounts.left_join(breadth, "account_key").left_join(intervals, "account_key")

    t12m = joined.revenue_t12m.cast("float64")
    prev = joined.revenue_prev12m.cast("float64")
    sold = joined.sold_t12m.cast("float64")
    return joined.select(
        "account_key",
        "first_order_date",
        "last_order_date",
        "orders",
        "revenue_total",
        "revenue_t12m",
        "revenue_prev12m",
        # Growth from nothing (or from a net credit) has no meaningful ratio.
        growth=ibis.ifelse(prev > 0, t12m / prev - 1, ibis.null("float64")),
        product_breadth=joined.product_breadth.coalesce(0),
        avg_order_value=ibis.ifelse(
            joined.orders_t12m > 0,
            t12m / joined.orders_t12m.cast("float64"),
            ibis.null("float64"),
        ),
        median_interval_days="median_interval_days",
        returns_share=ibis.ifelse(
            sold > 0, joined.returned_t12m.cast("float64") / sold, ibis.null("float64")
        ),
        days_since_last_order=ibis.literal(as_of, type="date").delta(
            joined.last_order_date, unit="day"
        ),
    )


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly_revenue(lines: ir.Table, *, as_of: dt.date, months: int = 36) -> ir.Table:
    """Net revenue per account and calendar month, for the ``months`` months up to ``as_of``.

    The month of ``as_of`` counts (up to ``as_of`` itself). Months without lines have no
    row: fill them with zero on the small per-account frame where a dense series is needed.

    Returns
    -------
    ir.Table
        ``account_key``, ``month`` (first day of the month, a date), ``revenue``.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    lines = _until(lines, as_of)
    first = ibis.literal(_month_start(as_of, months - 1), type="date")
    lines = lines.filter(lines.order_date >= first)
    return (
        lines.group_by("account_key", month=lines.order_date.truncate("M").cast("date"))
        .aggregate(revenue=lines.amount.sum().cast(MONEY))
        .order_by("account_key", "month")
    )


def category_spend(lines: ir.Table, *, as_of: dt.date, window_days: int = 365) -> ir.Table:
    """Net revenue per account and product category in the ``window_days`` up to ``as_of``.

    Returns
    -------
    ir.Table
        ``account_key``, ``product_category``, ``revenue``.
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    lines = _until(lines, as_of)
    start = ibis.literal(as_of - dt.timedelta(days=window_days), type="date")
    lines = lines.filter(lines.order_date > start)
    return (
        lines.group_by("account_key", "product_category")
        .aggregate(revenue=lines.amount.sum().cast(MONEY))
        .order_by("account_key", "product_category")
    )


def to_polars(expr: ir.Table) -> pl.DataFrame:
    """Run an expression on its backend and hand the result over as a Polars frame (Arrow)."""
    frame = pl.from_arrow(expr.to_pyarrow())
    assert isinstance(frame, pl.DataFrame)
    return frame
