"""Seasonal profile, peak months and strength of seasonality, for every account at once.

The decomposition is the classical *multiplicative* one (ratio to a centred moving
average; Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
§3.4), computed for all accounts in one pass of array arithmetic:

1. **Trend** ``T``: the centred 2×12 moving average. It is undefined for the first and
   last six months of a history; there the nearest defined value is carried out, so a
   24-month history still gives two detrended values per calendar month.
2. **Detrended series** ``D = y / T − 1``: the month's deviation from the trend, as a share.
3. **Seasonal indices**: ``1 + mean(D)`` per calendar month, rescaled to average 1
   (``index = 1.4`` means 40 % above the trend in that month). An index can reach 0 (a
   month with no revenue) but never goes below.
4. **Remainder** ``R = D − (index − 1)``.

**Strength of seasonality** follows Wang, Smith & Hyndman (2006), "Characteristic-based
clustering for time series data", *Data Mining and Knowledge Discovery* 13(3), 335–364,
as given in FPP3 §4.3::

    F_S = max(0, 1 − Var(R) / Var(D))

that is, the share of the detrended variance the seasonal pattern explains. With two or
three years of monthly data, twelve monthly means fitted to 24–36 points explain part of
pure noise by chance (about 11/23 ≈ 0.48 of it at 24 months). By default the variances
are therefore taken with their degrees of freedom (``Var(R)`` over ``k − 12``, ``Var(D)``
over ``k − 1`` for ``k`` detrended months), the adjusted R² of the month effects: noise
then scores about 0 whatever the length of the history, and accounts with two and five
years of history are compared fairly. ``adjusted=False`` gives the textbook figure.

**Peaks**: a month belongs to a peak when its index is at least halfway from 1 to the
highest index (``1 + ½ (max − 1)``); consecutive such months (December runs into January)
form one peak window. For a toy maker with indices
``[.5 .5 .6 .6 .7 .8 1 1.6 2 2 1.2 .5]`` the peak is August–October.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from ._panel import FloatArray, MonthlyPanel, monthly_panel

__all__ = [
    "MIN_MONTHS",
    "MONTH_NAMES",
    "Decomposition",
    "PeakWindow",
    "decompose",
    "peak_windows",
    "seasonal_profile",
]

#: Months of history needed for a seasonal profile: two full years.
MIN_MONTHS = 24
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: The centred 2×12 moving average's weights.
_MA_WEIGHTS = np.r_[0.5, np.ones(11), 0.5] / 12.0


@dataclass(frozen=True)
class Decomposition:
    """The classical decomposition of every account of a panel.

    Attributes
    ----------
    indices : numpy.ndarray
        Shape ``(n, 12)``: seasonal index per calendar month, January first, averaging 1;
        ``NaN`` for accounts with fewer than ``MIN_MONTHS`` usable months.
    strength : numpy.ndarray
        Shape ``(n,)``: strength of seasonality in ``[0, 1]``; ``NaN`` as above.
    trend : numpy.ndarray
        Shape ``(n, m)``: the trend on the panel's calendar (``NaN`` outside a history).
    usable_months : numpy.ndarray
        Shape ``(n,)``: months with a detrended value (a positive trend).
    """

    indices: FloatArray
    strength: FloatArray
    trend: FloatArray
    usable_months: np.ndarray


def _carry_out(values: FloatArray) -> FloatArray:
    """Fill NaN with the nearest finite value along each row: forward, then backward."""
    n, m = values.shape
    positions = np.where(np.isfinite(values), np.arange(m), 0)
    forward = np.maximum.accumulate(positions, axis=1)
    filled = values[np.arange(n)[:, None], forward]
    positions = np.where(np.isfinite(filled), np.arange(m), m - 1)
    backward = np.minimum.accumulate(positions[:, ::-1], axis=1)[:, ::-1]
    return filled[np.arange(n)[:, None], backward]


def _trend(values: FloatArray) -> FloatArray:
    """Centred 2×12 moving average, carried out to the ends of each history."""
    n, m = values.shape
    trend = np.full((n, m), np.nan)
    if m >= 13:
        # NaN anywhere in the window (before the history starts) leaves the trend undefined.
        trend[:, 6 : m - 6] = sliding_window_view(values, 13, axis=1) @ _MA_WEIGHTS
    trend = _carry_out(trend)
    return np.where(np.isnan(values), np.nan, trend)


def _centred_squares(values: FloatArray, valid: np.ndarray, count: np.ndarray) -> FloatArray:
    """Sum of squared deviations from the row mean, over the valid cells of each row."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(valid, values, 0.0).sum(axis=1, keepdims=True) / count[:, None]
    return np.asarray((np.where(valid, values - mean, 0.0) ** 2).sum(axis=1))


def decompose(
    panel: MonthlyPanel, *, min_months: int = MIN_MONTHS, adjusted: bool = True
) -> Decomposition:
    """Seasonal indices and strength for every account of ``panel``, vectorised.

    Parameters
    ----------
    panel : MonthlyPanel
        Monthly revenue; see :func:`~tenure.insights.seasonality.monthly_panel`.
    min_months : int
        Fewest detrended months for a profile (at least 24: two values per month).
    adjusted : bool
        Degrees-of-freedom-adjusted variances in the strength (see the module docstring).

    Returns
    -------
    Decomposition
    """
    if min_months < 24:
        raise ValueError("min_months must be at least 24: two values per calendar month")
    values = panel.values
    trend = _trend(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        detrended = np.where(trend > 0, values / trend - 1.0, np.nan)
    valid = np.isfinite(detrended)
    usable = valid.sum(axis=1)
    calendar = panel.calendar_months - 1
    onehot = np.eye(12)[calendar]  # (m, 12)
    counts = valid.astype(np.float64) @ onehot  # (n, 12)
    sums = np.nan_to_num(detrended) @ onehot
    enough = (usable >= min_months) & (counts >= 2).all(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.clip(1.0 + sums / counts, 0.0, None)
        indices = raw * 12.0 / raw.sum(axis=1, keepdims=True)
    indices[~enough] = np.nan
    seasonal = indices[:, calendar] - 1.0  # (n, m)
    remainder = np.where(valid, detrended - seasonal, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ss_total = _centred_squares(detrended, valid, usable)
        ss_remainder = _centred_squares(remainder, valid, usable)
        if adjusted:
            ratio = (ss_remainder / (usable - 12)) / (ss_total / (usable - 1))
        else:
            ratio = ss_remainder / ss_total
        strength = np.clip(1.0 - ratio, 0.0, 1.0)
    # A detrended series without any variation has no seasonality to speak of.
    strength[ss_total <= 1e-24] = 0.0
    strength[~enough] = np.nan
    return Decomposition(indices=indices, strength=strength, trend=trend, usable_months=usable)


@dataclass(frozen=True)
class PeakWindow:
    """Consecutive calendar months of high season.

    Attributes
    ----------
    months : tuple of int
        Calendar months (1–12) in order; a window may run over the new year, ``(11, 12, 1)``.
    peak_month : int
        The month with the highest index.
    peak_index : float
        That month's seasonal index.
    """

    months: tuple[int, ...]
    peak_month: int
    peak_index: float

    @property
    def start_month(self) -> int:
        """First month of the window (1 = January)."""
        return self.months[0]

    @property
    def end_month(self) -> int:
        """Last month of the window (1 = January)."""
        return self.months[-1]

    @property
    def label(self) -> str:
        """``"August–October"``, or ``"August"`` for a one-month peak."""
        first, last = MONTH_NAMES[self.start_month - 1], MONTH_NAMES[self.end_month - 1]
        return first if len(self.months) == 1 else f"{first}–{last}"

    def next_start(self, on_or_after: dt.date) -> dt.date:
        """Return the first day of the window's next occurrence on or after a date."""
        year = on_or_after.year
        start = dt.date(year, self.start_month, 1)
        return start if start >= on_or_after else dt.date(year + 1, self.start_month, 1)


def peak_windows(indices: object, *, height: float = 0.5) -> list[PeakWindow]:
    """Find the peak windows of one seasonal profile, highest peak first.

    Parameters
    ----------
    indices : sequence of 12 floats
        Seasonal indices, January first (one row of :func:`seasonal_profile`'s
        ``indices``).
    height : float
        A month is in a peak when its index reaches ``1 + height × (max − 1)``;
        ``0.5`` is "at least half as far above average as the highest month".

    Returns
    -------
    list of PeakWindow
        Empty for a flat profile (no month above 1) or a profile with missing values.
    """
    profile = np.asarray(indices, dtype=np.float64)
    if profile.shape != (12,):
        raise ValueError(f"a seasonal profile has 12 indices, got shape {profile.shape}")
    if not 0 < height <= 1:
        raise ValueError(f"height must satisfy 0 < height <= 1, got {height}")
    if not np.isfinite(profile).all() or profile.max() <= 1.0 + 1e-9:
        return []
    high = profile >= 1.0 + height * (profile.max() - 1.0)
    # Start scanning just after a low month so a window over the new year stays whole.
    first_low = int(np.flatnonzero(~high)[0])
    order = [(first_low + k) % 12 for k in range(1, 13)]
    windows: list[list[int]] = []
    current: list[int] = []
    for month in order:
        if high[month]:
            current.append(month)
        elif current:
            windows.append(current)
            current = []
    if current:
        windows.append(current)
    result = []
    for window in windows:
        top = max(window, key=lambda m: profile[m])
        result.append(PeakWindow(tuple(m + 1 for m in window), top + 1, float(profile[top])))
    return sorted(result, key=lambda w: (-w.peak_index, w.start_month))


def _main_peaks(rows: FloatArray, valid: np.ndarray, height: float) -> pl.DataFrame:
    """Find the main peak window of each row (as :func:`peak_windows`' first), for many rows.

    A row's main window depends only on which months are high and which reach the maximum,
    so each such pattern is worked out once: portfolios repeat a few hundred patterns
    across hundreds of thousands of accounts. The rows then take their pattern's columns
    by index (``peak_month``, ``peak_months``, ``peak_label``; nulls for an invalid row):
    a Python list per row made into a Series cost more than finding the windows.
    """
    weights = 1 << np.arange(12)
    safe = np.where(valid[:, None], rows, 0.0)
    top = safe.max(axis=1, keepdims=True)
    high_bits = (safe >= 1.0 + height * (top - 1.0)) @ weights
    max_bits = (safe == top) @ weights
    flat = top[:, 0] <= 1.0 + 1e-9
    keys = (
        high_bits.astype(np.int64)
        | (max_bits.astype(np.int64) << 12)
        | (flat.astype(np.int64) << 24)
    )
    # Invalid rows share a key no pattern has (bit 25), which maps to the null pattern.
    keys = np.where(valid, keys, np.int64(1) << 25)
    distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    peak_month: list[int | None] = []
    peak_months: list[list[int] | None] = []
    labels: list[str | None] = []
    for key, i in zip(distinct.tolist(), first.tolist(), strict=True):
        if key == 1 << 25:
            peak_month.append(None)
            peak_months.append(None)
            labels.append(None)
            continue
        windows = peak_windows(rows[i], height=height)
        window = windows[0] if windows else None
        peak_month.append(window.peak_month if window else None)
        peak_months.append(list(window.months) if window else [])
        labels.append(window.label if window else None)
    patterns = pl.DataFrame(
        {
            "peak_month": pl.Series(peak_month, dtype=pl.Int8),
            "peak_months": pl.Series(peak_months, dtype=pl.List(pl.Int8)),
            "peak_label": pl.Series(labels, dtype=pl.String),
        }
    )
    return patterns[np.asarray(inverse).ravel()]


def seasonal_profile(
    data: pl.DataFrame | MonthlyPanel,
    *,
    account_col: str = "account_id",
    month_col: str = "month",
    revenue_col: str = "revenue",
    min_months: int = MIN_MONTHS,
    strength_threshold: float = 0.4,
    height: float = 0.5,
    adjusted: bool = True,
) -> pl.DataFrame:
    """Each account's seasonal profile, peak and strength of seasonality.

    Parameters
    ----------
    data : polars.DataFrame or MonthlyPanel
        Long monthly revenue (see :func:`~tenure.insights.seasonality.monthly_panel`,
        which the column names are passed to) or a ready panel.
    min_months : int
        Accounts with a shorter history are flagged ``short_history`` and get no profile.
    strength_threshold : float
        ``is_seasonal`` when the strength reaches it.
    height : float
        Peak height, see :func:`peak_windows`.
    adjusted : bool
        Degrees-of-freedom-adjusted strength (the default; see the module docstring).

    Returns
    -------
    polars.DataFrame
        One row per account: ``account_col``, ``months`` (history length),
        ``short_history``, ``strength``, ``is_seasonal``, ``indices`` (12 floats, January
        first), ``peak_month`` (1–12), ``peak_months`` (the main peak window) and
        ``peak_label`` ("August–October"). Profile columns are null without a profile.
    """
    if not 0 <= strength_threshold <= 1:
        raise ValueError(f"strength_threshold must lie in [0, 1], got {strength_threshold}")
    panel = (
        data
        if isinstance(data, MonthlyPanel)
        else monthly_panel(
            data, account_col=account_col, month_col=month_col, revenue_col=revenue_col
        )
    )
    parts = decompose(panel, min_months=min_months, adjusted=adjusted)
    history = panel.history_months
    rows = np.asarray(parts.indices, dtype=np.float64).reshape(-1, 12)
    valid = np.asarray(np.isfinite(rows).all(axis=1), dtype=bool)
    peaks = _main_peaks(rows, valid, height)
    indices = pl.Series(np.round(np.where(valid[:, None], rows, 0.0), 6)).cast(pl.List(pl.Float64))
    indices = pl.select(
        pl.when(pl.Series(valid)).then(indices).otherwise(None).alias("indices")
    ).to_series()
    strength = np.round(parts.strength, 6)
    return pl.DataFrame(
        {
            account_col: panel.account_ids,
            "months": history,
            "short_history": history < min_months,
            "strength": pl.Series(strength, dtype=pl.Float64, nan_to_null=True),
            "is_seasonal": np.nan_to_num(strength, nan=-1.0) >= strength_threshold,
            "indices": indices,
            "peak_month": peaks["peak_month"],
            "peak_months": peaks["peak_months"],
            "peak_label": peaks["peak_label"],
        }
    )
