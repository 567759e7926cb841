"""Benchmark seasonality on a large synthetic portfolio: profiles, forecasts, the backtest.

Draws ``--accounts`` accounts (default 5,000) with 36 months of revenue the way the demo
does (Pareto-sized, one of the demo's seasonal profiles or none, Poisson order counts,
lognormal order values, yearly growth), as a long Polars frame, then times:

- pivoting it into a panel (``monthly_panel``);
- the vectorised profile, peaks and strength (``seasonal_profile``);
- the 12-month forecast with intervals (``forecast_revenue``: ETS per seasonal account with
  revenue every month, vectorised smoothing for the rest);
- the backtest (fit on 24 months, forecast the last 12, MASE).

Usage::

    python benchmarks/bench_seasonality.py
    python benchmarks/bench_seasonality.py --accounts 20000 --seed 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import polars as pl

from tenure.demo.world import SEASON_PROFILES, SEASON_WEIGHTS
from tenure.insights.seasonality import (
    backtest,
    forecast_revenue,
    monthly_panel,
    seasonal_profile,
)


def portfolio(accounts: int, months: int, seed: int) -> pl.DataFrame:
    """Long monthly revenue: ``account_id``, ``month``, ``revenue`` (months with sales only)."""
    rng = np.random.default_rng(seed)
    names = list(SEASON_WEIGHTS)
    season = rng.choice(len(names), accounts, p=[SEASON_WEIGHTS[s] for s in names])
    profiles = np.stack([SEASON_PROFILES[s] for s in names])[season]  # (n, 12)
    annual = np.minimum((rng.pareto(1.2, accounts) + 1) * 12_000, 4e7)
    growth = rng.normal(0.03, 0.12, accounts)
    rate = np.clip(np.sqrt(annual) / 60, 0.35, 25)
    t = np.arange(months)
    calendar = (t + 10) % 12  # the history starts in November
    expected = annual[:, None] / 12 * profiles[:, calendar] * (1 + growth[:, None]) ** (t / 12)
    orders = rng.poisson(np.repeat(rate[:, None], months, axis=1))
    noise = np.exp(rng.normal(-0.06, 0.35 / np.sqrt(np.maximum(orders, 1))))
    revenue = np.where(orders > 0, expected * noise, 0.0)
    first = dt.date(2023, 11, 1)
    month_dates = [
        dt.date(first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1, 1)
        for m in t
    ]
    rows, cols = np.nonzero(revenue)
    return pl.DataFrame(
        {
            "account_id": rows.astype(np.int64),
            "month": pl.Series([month_dates[c] for c in cols], dtype=pl.Date),
            "revenue": revenue[rows, cols],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    frame = portfolio(args.accounts, args.months, args.seed)
    print(f"{args.accounts:,} accounts × {args.months} months, {frame.height:,} non-zero months")

    started = time.perf_counter()
    panel = monthly_panel(frame)
    print(f"panel            {time.perf_counter() - started:7.2f} s")

    started = time.perf_counter()
    profiles = seasonal_profile(panel)
    seasonal = int(profiles["is_seasonal"].sum())
    print(f"profiles         {time.perf_counter() - started:7.2f} s  ({seasonal:,} seasonal)")

    import statsmodels.tsa.exponential_smoothing.ets  # noqa: F401  (import time apart)

    started = time.perf_counter()
    forecast = forecast_revenue(panel)
    methods = forecast.filter(pl.col("step") == 1).group_by("method").len().sort("method")
    split = ", ".join(f"{m} {n:,}" for m, n in methods.iter_rows())
    print(f"forecast         {time.perf_counter() - started:7.2f} s  ({split})")

    started = time.perf_counter()
    result = backtest(panel)
    overall = result.summary.filter(pl.col("method") == "all").row(0, named=True)
    print(
        f"backtest         {time.perf_counter() - started:7.2f} s  "
        f"(MASE {overall['mase_mean']:.3f} mean, {overall['mase_median']:.3f} median; "
        f"seasonal naive {overall['naive_mean']:.3f} / {overall['naive_median']:.3f}; "
        f"{overall['accounts']:,} accounts)"
    )


if __name__ == "__main__":
    main()
