"""Calibration/holdout check of a transaction model against a naive baseline.

The model is fitted on the calibration period and predicts each customer's repeat purchases
in the holdout; so does the naive baseline "the calibration rate continues" (``x / T`` per
unit of time). Both are scored on the same customers with the same metrics: per-customer
MAE, RMSE, MSLE (mean squared error of ``log(1 + count)``) and the aggregate bias
``(predicted - actual) / actual``. The weekly tracking frame gives the classic plots of
Fader, Hardie & Lee (2005), figures 2 and 3: repeat purchases per period across calibration
and holdout, actual against the model's cohort expectation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from ._inputs import FloatArray, as_float_array, check_purchase_history
from .lifetime_value import TransactionModel

__all__ = ["HoldoutMetrics", "holdout_metrics", "naive_holdout_prediction", "tracking_frame"]


@dataclass(frozen=True)
class HoldoutMetrics:
    """Accuracy of one set of holdout predictions.

    Attributes
    ----------
    predicted, actual
        Total repeat purchases in the holdout.
    mae, rmse, msle
        Per-customer errors.
    bias
        ``(predicted - actual) / actual`` on the totals (negative: under-prediction).
    """

    predicted: float
    actual: float
    mae: float
    rmse: float
    msle: float
    bias: float

    def beats(self, other: HoldoutMetrics) -> dict[str, bool]:
        """Per metric, whether this is better than ``other`` (smaller; ``|bias|`` for bias)."""
        return {
            "mae": self.mae < other.mae,
            "rmse": self.rmse < other.rmse,
            "msle": self.msle < other.msle,
            "bias": abs(self.bias) < abs(other.bias),
        }

    def as_dict(self) -> dict[str, float]:
        """JSON-ready figures."""
        return {
            "predicted": self.predicted,
            "actual": self.actual,
            "mae": self.mae,
            "rmse": self.rmse,
            "msle": self.msle,
            "bias": self.bias,
        }


def holdout_metrics(predicted: ArrayLike, actual: ArrayLike) -> HoldoutMetrics:
    """Score per-customer predictions of holdout purchases against the counts observed.

    Raises
    ------
    ValueError
        Different lengths, negative values, or no purchase at all in the holdout (the bias
        would be undefined).
    """
    p = np.atleast_1d(as_float_array(predicted, "predicted"))
    a = np.atleast_1d(as_float_array(actual, "actual"))
    if p.size != a.size:
        raise ValueError(f"predicted has {p.size} values and actual {a.size}; one per customer")
    if (p < 0).any() or (a < 0).any():
        raise ValueError("holdout purchases and predictions must be >= 0")
    if a.sum() <= 0:
        raise ValueError("no purchase in the holdout: nothing to check the model against")
    error = p - a
    return HoldoutMetrics(
        predicted=float(p.sum()),
        actual=float(a.sum()),
        mae=float(np.mean(np.abs(error))),
        rmse=float(np.sqrt(np.mean(error**2))),
        msle=float(np.mean((np.log1p(p) - np.log1p(a)) ** 2)),
        bias=float((p.sum() - a.sum()) / a.sum()),
    )


def naive_holdout_prediction(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, holdout_length: float
) -> FloatArray:
    """Each customer's calibration repeat-purchase rate ``x / T`` continued over the holdout.

    A customer observed for ``T = 0`` (first purchase on the last calibration day) has no
    rate yet and is predicted 0.
    """
    x, _, age = check_purchase_history(frequency, recency, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(age > 0, x / age, 0.0)
    return np.asarray(np.atleast_1d(rate * holdout_length), dtype=np.float64)


def tracking_frame(
    transactions: pl.DataFrame,
    model: TransactionModel,
    *,
    customer_col: str,
    date_col: str,
    calibration_end: dt.date,
    observation_end: dt.date,
    period_days: int = 7,
) -> pl.DataFrame:
    """Repeat purchases per period, actual and expected, over calibration and holdout.

    A customer's purchases are merged per day; the first day is the trial, later days are
    repeat purchases. The expectation of period ``k`` sums, over the customers first seen
    by ``calibration_end``, the model's unconditional expected repeat purchases of a new
    customer between their first day and the period's ends.

    Parameters
    ----------
    transactions
        Transactions with ``customer_col`` and ``date_col`` (``Date``).
    model
        Transaction model fitted on the calibration period, in weeks, with
        ``expected_number_of_purchases_up_to_time``.
    calibration_end, observation_end
        Last day of the calibration period and of the holdout.
    period_days
        Length of a period (7: weekly).

    Returns
    -------
    polars.DataFrame
        ``period`` (1-based), ``period_end`` (date), ``holdout`` (bool), ``actual``,
        ``expected``, ``cumulative_actual``, ``cumulative_expected``.
    """
    days = (
        transactions.select(pl.col(customer_col).alias("customer"), pl.col(date_col).alias("day"))
        .filter(pl.col("day") <= observation_end)
        .unique()
    )
    first = days.group_by("customer").agg(pl.col("day").min().alias("first"))
    cohort = first.filter(pl.col("first") <= calibration_end)
    start = cohort.get_column("first").min()
    if not isinstance(start, dt.date):
        raise ValueError("no customer with a first purchase on or before calibration_end")
    repeats = days.join(cohort, on="customer").filter(pl.col("day") > pl.col("first"))
    total_days = (observation_end - start).days + 1
    n_periods = -(-total_days // period_days)
    index = ((repeats.get_column("day") - start).dt.total_days() // period_days).to_numpy()
    actual = np.bincount(index, minlength=n_periods)[:n_periods].astype(np.float64)

    ends = np.minimum((np.arange(1, n_periods + 1) * period_days), total_days)  # days from start
    offsets = (cohort.get_column("first") - start).dt.total_days().to_numpy()
    first_days, counts = np.unique(offsets, return_counts=True)
    # Time each first-day group has been a customer at each period end, in weeks; the
    # unconditional expectation is evaluated once per distinct (group, period) pair.
    ages = np.clip(ends[None, :] - first_days[:, None], 0, None) / 7.0
    expected_by_group = np.asarray(
        model.expected_number_of_purchases_up_to_time(ages.ravel()),  # type: ignore[attr-defined]
        dtype=np.float64,
    ).reshape(ages.shape)
    cumulative_expected = counts @ expected_by_group
    expected = np.diff(cumulative_expected, prepend=0.0)
    period_end = [start + dt.timedelta(days=int(e) - 1) for e in ends]
    return pl.DataFrame(
        {
            "period": np.arange(1, n_periods + 1),
            "period_end": period_end,
            "holdout": [d > calibration_end for d in period_end],
            "actual": actual,
            "expected": expected,
            "cumulative_actual": np.cumsum(actual),
            "cumulative_expected": cumulative_expected,
        }
    )
