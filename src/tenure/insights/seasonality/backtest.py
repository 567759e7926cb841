"""How good are the forecasts? Fit on all but the last year, forecast it, compare.

Accuracy is the **mean absolute scaled error** (Hyndman & Koehler 2006, "Another look at
measures of forecast accuracy", *International Journal of Forecasting* 22(4), 679–688),
seasonal version (FPP3 §5.8): an account's mean absolute error over the held-out months,
divided by the mean absolute error the seasonal naive forecast (the same month a year
earlier) made *in sample*, on the months the model was fitted to. Below 1 beats the
in-sample seasonal naive forecast; the seasonal naive forecast of the held-out year gets
its own MASE on the same scale, so the two are compared account by account.

Accounts need ``min_months + holdout`` months of history and revenue in the last fitted
year (an account that had already stopped buying is trivially forecast at 0 by every
method). Accounts whose in-sample scale is 0 (the same revenue every month) are left out,
since MASE is undefined there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import polars as pl

from ._panel import MonthlyPanel, monthly_panel
from .forecast import DEFAULT_STRENGTH_THRESHOLD, _forecast_matrix
from .profile import MIN_MONTHS

__all__ = ["Backtest", "backtest"]


@dataclass(frozen=True)
class Backtest:
    """The result of :func:`backtest`.

    Attributes
    ----------
    accounts : polars.DataFrame
        One row per evaluated account: ``account_id``, ``method``, ``mase``,
        ``mase_seasonal_naive``, ``coverage`` (share of held-out months inside the
        interval; null without one).
    summary : polars.DataFrame
        One row per method and one for all (``method == "all"``): ``accounts``,
        ``mase_mean``, ``mase_median``, ``naive_mean``, ``naive_median``, ``beats_naive``
        (share of accounts where the model's MASE is lower) and ``coverage``.
    skipped : int
        Accounts with too short a history, no revenue in the last fitted year, or an
        undefined scale.
    level : float
        The prediction intervals' nominal coverage.
    seconds : float
        Time taken to fit and forecast.
    """

    accounts: pl.DataFrame
    summary: pl.DataFrame
    skipped: int
    level: float
    seconds: float


def backtest(
    data: pl.DataFrame | MonthlyPanel,
    *,
    holdout: int = 12,
    level: float = 0.8,
    strength_threshold: float = DEFAULT_STRENGTH_THRESHOLD,
    min_months: int = MIN_MONTHS,
    seed: int = 0,
    n_jobs: int = 1,
    account_col: str = "account_id",
    month_col: str = "month",
    revenue_col: str = "revenue",
) -> Backtest:
    """Fit on all but the last ``holdout`` months, forecast them, and score with MASE.

    Parameters
    ----------
    data : polars.DataFrame or MonthlyPanel
        Monthly revenue of complete months.
    holdout : int
        Months held out and forecast (12: a full seasonal cycle).
    level, strength_threshold, min_months, seed, n_jobs
        As for :func:`~tenure.insights.seasonality.forecast_revenue`.

    Returns
    -------
    Backtest
    """
    panel = (
        data
        if isinstance(data, MonthlyPanel)
        else monthly_panel(
            data, account_col=account_col, month_col=month_col, revenue_col=revenue_col
        )
    )
    if holdout < 1 or panel.months <= holdout:
        raise ValueError(f"holdout must lie in 1..{panel.months - 1}, got {holdout}")
    fit_months = panel.months - holdout
    train = panel.head(fit_months)
    actual = panel.values[:, fit_months:]
    history = train.history_months
    lag = np.abs(train.values[:, 12:] - train.values[:, :-12])
    pairs = np.isfinite(lag).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(pairs > 0, np.nansum(lag, axis=1) / pairs, np.nan)
    buying = np.nansum(np.abs(train.values[:, -12:]), axis=1) > 0
    eligible = (history >= min_months) & buying & np.isfinite(scale) & (scale > 0)
    rows = np.flatnonzero(eligible)
    subset = MonthlyPanel(
        [panel.account_ids[i] for i in rows], train.first_month, train.values[rows]
    )
    started = time.perf_counter()
    point, lower, upper, methods = _forecast_matrix(
        subset,
        horizon=holdout,
        level=level,
        strength_threshold=strength_threshold,
        min_months=min_months,
        simulations=500,
        seed=seed,
        n_jobs=n_jobs,
    )
    seconds = time.perf_counter() - started
    truth = actual[rows]
    naive = train.values[rows][:, fit_months - 12 : fit_months]
    naive = np.tile(naive, (1, -(-holdout // 12)))[:, :holdout]
    mase = np.mean(np.abs(truth - point), axis=1) / scale[rows]
    mase_naive = np.mean(np.abs(truth - naive), axis=1) / scale[rows]
    with np.errstate(invalid="ignore"):
        inside = (truth >= lower) & (truth <= upper)
    coverage = np.where(np.isfinite(lower).all(axis=1), inside.mean(axis=1), np.nan)
    accounts = pl.DataFrame(
        {
            "account_id": subset.account_ids,
            "method": methods,
            "mase": mase,
            "mase_seasonal_naive": mase_naive,
            "coverage": pl.Series(coverage, nan_to_null=True),
        }
    )
    return Backtest(
        accounts=accounts,
        summary=_summary(accounts),
        skipped=len(panel.account_ids) - rows.size,
        level=level,
        seconds=seconds,
    )


def _summary(accounts: pl.DataFrame) -> pl.DataFrame:
    figures = [
        pl.len().alias("accounts"),
        pl.col("mase").mean().alias("mase_mean"),
        pl.col("mase").median().alias("mase_median"),
        pl.col("mase_seasonal_naive").mean().alias("naive_mean"),
        pl.col("mase_seasonal_naive").median().alias("naive_median"),
        (pl.col("mase") < pl.col("mase_seasonal_naive")).mean().alias("beats_naive"),
        pl.col("coverage").mean().alias("coverage"),
    ]
    by_method = accounts.group_by("method").agg(figures).sort("method")
    overall = accounts.select(pl.lit("all").alias("method"), *figures)
    return pl.concat([by_method, overall], how="vertical_relaxed")
