"""The demo portfolio's order lines, drawn in bulk from the world's revenue rhythm."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from tenure.demo import names
from tenure.demo.world import SEASON_PROFILES, World

PRODUCTS_PER_CATEGORY = 10
# Causes that show in the ledger before the account stops: spend drifts away.
DRIFTING_CAUSES = {"competitor_offer", "engagement_faded", "issue_unresolved"}


def product_prices(seed: int) -> np.ndarray:
    """Unit price of every product, shape (categories, products per category)."""
    rng = np.random.default_rng(seed + 1)
    base = rng.lognormal(np.log(40.0), 0.9, size=(len(names.CATEGORIES), 1))
    spread = rng.lognormal(0.0, 0.4, size=(len(names.CATEGORIES), PRODUCTS_PER_CATEGORY))
    return np.round(base * spread, 2).clip(0.5, None)


def _elapsed_share(world: World) -> float:
    """How much of the as-of month the history covers (its days up to the as-of date)."""
    start = world.month_start(world.config.months)
    following = world.month_start(world.config.months + 1)
    return ((world.config.as_of - start).days + 1) / (following - start).days


def _expected_monthly_revenue(world: World) -> np.ndarray:
    """Expected revenue per account and month, shape (accounts, months + 1).

    The last column is the as-of month, for its days so far: the ledger runs to the as-of
    date, so a run on it reads a month in progress as a real ledger would, not weeks of
    silence.
    """
    months = world.config.months + 1
    calendar = np.array([(world.month_start(m).month - 1) for m in range(months)])
    revenue = np.zeros((len(world.accounts), months))
    for row, account in enumerate(world.accounts):
        profile = SEASON_PROFILES[account.season][calendar]
        trend = (1.0 + account.growth) ** (np.arange(months) / 12.0)
        active = np.arange(months) >= account.start_month
        monthly = account.annual_revenue / 12.0 * profile * trend * active
        if account.churn_month is not None:
            monthly[account.churn_month :] = 0.0
            fatal = [m for m, cause in account.events if cause == account.churn_cause]
            if account.churn_cause in DRIFTING_CAUSES and fatal:
                start = fatal[-1]
                span = max(account.churn_month - start, 1)
                ramp = np.clip(1.0 - 0.6 * (np.arange(months) - start) / span, 0.4, 1.0)
                monthly[start : account.churn_month] *= ramp[start : account.churn_month]
        for month, share in account.revenue_dips.items():
            if month < months:
                monthly[month] *= share
        revenue[row] = monthly
    revenue[:, -1] *= _elapsed_share(world)
    return revenue


def build_order_lines(world: World) -> pl.DataFrame:
    """Every order line of the portfolio's history, credit notes included.

    Columns follow the ledger's schema: account_key, order_id, line_number, order_date,
    product_id, product_category, quantity, unit_price, amount, currency, source.
    """
    rng = np.random.default_rng(world.config.seed + 2)
    prices = product_prices(world.config.seed)
    revenue = _expected_monthly_revenue(world)
    n_accounts, months = revenue.shape
    rate = np.array([a.orders_per_month for a in world.accounts])[:, None] * (revenue > 0)
    counts = rng.poisson(rate)
    acc_idx, month_idx = np.nonzero(counts)
    per_cell = counts[acc_idx, month_idx]
    order_account = np.repeat(acc_idx, per_cell)
    order_month = np.repeat(month_idx, per_cell)
    n_orders = order_account.size
    order_value = (
        revenue[order_account, order_month]
        / np.repeat(per_cell, per_cell)
        * rng.lognormal(-0.06, 0.35, n_orders)
    )

    month_starts = np.array(
        [world.month_start(m) for m in range(months + 1)], dtype="datetime64[D]"
    )
    days_in_month = (month_starts[1:] - month_starts[:-1]).astype(int)
    last_day = np.datetime64(world.config.as_of, "D")
    # The as-of month's orders fall on its days so far.
    days_in_month[-1] = int((last_day - month_starts[-2]).astype(int)) + 1
    order_date = month_starts[order_month] + (
        rng.random(n_orders) * days_in_month[order_month]
    ).astype(int)
    order_date = np.minimum(order_date, last_day)

    lines_per_order = np.clip(1 + rng.poisson(1.0, n_orders), 1, 5)
    line_order = np.repeat(np.arange(n_orders), lines_per_order)
    line_number = np.arange(line_order.size) - np.repeat(
        np.cumsum(lines_per_order) - lines_per_order, lines_per_order
    )
    share = rng.gamma(1.0, 1.0, line_order.size)
    share /= np.bincount(line_order, weights=share)[line_order]
    line_value = order_value[line_order] * share

    category_index = {c: i for i, c in enumerate(names.CATEGORIES)}
    width = max(len(a.categories) for a in world.accounts)
    cat_matrix = np.zeros((n_accounts, width), dtype=int)
    # How many of an account's categories it buys by each month (adopted in order).
    adopted = np.zeros((n_accounts, months), dtype=int)
    for row, account in enumerate(world.accounts):
        cat_matrix[row, : len(account.categories)] = [category_index[c] for c in account.categories]
        first = np.array(account.category_months or [0] * len(account.categories))
        adopted[row] = np.maximum((first[:, None] <= np.arange(months)[None, :]).sum(axis=0), 1)
    line_account = order_account[line_order]
    line_month = order_month[line_order]
    pick = (rng.random(line_order.size) * adopted[line_account, line_month]).astype(int)
    category = cat_matrix[line_account, pick]
    product = rng.integers(0, PRODUCTS_PER_CATEGORY, line_order.size)
    unit_price = prices[category, product]
    quantity = np.maximum(1, np.round(line_value / unit_price)).astype(np.int64)

    # About 1.5 % of lines come back as a credit note a few days later.
    returned = rng.random(line_order.size) < 0.015
    ret_qty = -np.maximum(
        1, (quantity[returned] * rng.uniform(0.2, 1.0, returned.sum())).astype(np.int64)
    )
    ret_date = np.minimum(
        order_date[line_order][returned] + rng.integers(3, 30, returned.sum()), last_day
    )

    external = np.array([a.external_id for a in world.accounts])
    category_names = np.array(names.CATEGORIES)
    product_ids = np.char.add(
        np.char.add(np.char.upper(np.array([c[:3] for c in names.CATEGORIES]))[category], "-"),
        np.char.zfill(product.astype(str), 3),
    )
    sales = pl.DataFrame(
        {
            "account_key": external[line_account],
            "order_id": np.char.add("SO-", np.char.zfill(line_order.astype(str), 8)),
            "line_number": (line_number + 1).astype(np.int32),
            "order_date": order_date[line_order],
            "product_id": product_ids,
            "product_category": category_names[category],
            "quantity": quantity,
            "unit_price": unit_price,
        }
    )
    returns = pl.DataFrame(
        {
            "account_key": external[line_account][returned],
            "order_id": np.char.add("CN-", np.char.zfill(np.arange(returned.sum()).astype(str), 8)),
            "line_number": np.ones(returned.sum(), dtype=np.int32),
            "order_date": ret_date,
            "product_id": product_ids[returned],
            "product_category": category_names[category][returned],
            "quantity": ret_qty,
            "unit_price": unit_price[returned],
        }
    )
    return (
        pl.concat([sales, returns])
        .with_columns(
            pl.col("order_date").cast(pl.Date),
            pl.col("unit_price").cast(pl.Decimal(18, 2)),
            (pl.col("quantity") * pl.col("unit_price"))
            .round(2)
            .cast(pl.Decimal(18, 2))
            .alias("amount"),
            pl.lit("EUR").alias("currency"),
            pl.lit("demo-erp").alias("source"),
        )
        .sort("order_date", "order_id", "line_number")
    )


def first_day(world: World) -> dt.date:
    """The first day of the demo's history."""
    return world.first_month
