"""Twelve-month revenue forecasts with prediction intervals, for every account.

Each account gets the cheapest method its history supports (column ``method``):

``ets``
    Seasonal accounts (strength at or above the threshold) whose history has revenue in
    every month: ETS(M,N,M), exponential smoothing with multiplicative error and
    multiplicative seasonality (Hyndman, Koehler, Ord & Snyder, *Forecasting with
    Exponential Smoothing*, Springer 2008), fitted per account by statsmodels'
    ``ETSModel``. Multiplicative, because a customer's seasonal swing grows and shrinks
    with its level. The initial level and seasonal states are the classical
    decomposition's (two or more years averaged), so only the two smoothing parameters are
    estimated: with 24–36 months, estimating 13 initial states as well over-fits (it lost
    to the seasonal naive forecast in the demo backtest) and is several times slower.
    Intervals are quantiles of simulated paths (seeded), with the error variance taken
    over the degrees of freedom left after the 12 initial states and 2 weights.
``seasonal_ses``
    Seasonal accounts with months without revenue, where multiplicative errors are
    undefined: simple exponential smoothing of the seasonally adjusted series (months
    with an index below 0.1 are skipped), times the seasonal index — "forecasting with
    decomposition" (FPP3 §5.7). Also the fallback when an ETS fit fails.
``ses``
    Everything else with two months or more: simple exponential smoothing, ETS(A,N,N),
    vectorised over all accounts. The smoothing weight is picked per account from a grid
    by the one-step-ahead squared error; the interval is ``±z·σ·√(1 + (h − 1)α²)``
    (Hyndman et al. 2008, Table 6.1, class 1).
``zero``
    No revenue in the last twelve months (or none ever): forecast and bounds are 0.
``naive``
    A single month of history: that month, flat, without an interval.

Forecasts and lower bounds are clipped at 0: a revenue forecast below zero means nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from ._panel import FloatArray, MonthlyPanel, monthly_panel
from .profile import MIN_MONTHS, decompose

__all__ = ["DEFAULT_STRENGTH_THRESHOLD", "forecast_revenue", "ses_forecast"]

#: Strength of seasonality from which an account is treated as seasonal (see docs).
DEFAULT_STRENGTH_THRESHOLD = 0.4
_ALPHAS = np.round(np.arange(0.02, 1.0, 0.02), 2)
#: Months whose seasonal index is below this carry no information about the level.
_MIN_INDEX = 0.1
#: Fewest ETS fits worth sending to another process.
_MIN_TASKS_PER_JOB = 50
#: Estimated quantities of the ETS fit: 12 initial states and 2 smoothing weights.
_ETS_PARAMETERS = 14
#: The most recent months an ETS fit sees: enough for the pattern, bounded cost.
_MAX_FIT_MONTHS = 120


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence statsmodels' convergence warnings on short series: the fallback handles failure."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def ses_forecast(
    values: FloatArray, horizon: int, level: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Forecast many series at once by simple exponential smoothing, with prediction intervals.

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(n, m)``; ``NaN`` cells are skipped (the level carries over), so leading
        ``NaN`` before a history starts are fine.
    horizon : int
        Months ahead.
    level : float
        Coverage of the interval, e.g. ``0.8``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(forecast, half_width, alpha, sigma)``: the flat forecast ``(n,)``, the interval
        half-width per step ``(n, horizon)``, the chosen smoothing weight and the
        one-step residual standard deviation ``(n,)``. Rows with fewer than two values get
        ``NaN`` for the half-width, ``alpha`` and ``sigma``.
    """
    n, m = values.shape
    present = np.isfinite(values)
    first = np.argmax(present, axis=1)
    start = values[np.arange(n), first]
    alphas = _ALPHAS[:, None]
    smoothed = np.broadcast_to(start, (alphas.size, n)).copy()
    sse = np.zeros((alphas.size, n))
    steps = np.zeros(n)
    for t in range(m):
        observed = present[:, t] & (t > first)
        x = np.where(observed, values[:, t], 0.0)
        error = np.where(observed, x - smoothed, 0.0)
        sse += error**2
        steps += observed
        smoothed = smoothed + alphas * error
    best = np.argmin(sse, axis=0)
    columns = np.arange(n)
    forecast = smoothed[best, columns]
    has_errors = steps >= 1
    alpha = np.where(has_errors, _ALPHAS[best], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(has_errors, np.sqrt(sse[best, columns] / steps), np.nan)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    h = np.arange(1, horizon + 1)
    half = z * sigma[:, None] * np.sqrt(1.0 + (h[None, :] - 1) * alpha[:, None] ** 2)
    forecast = np.where(present.any(axis=1), forecast, np.nan)
    return forecast, half, alpha, sigma


def _ets_forecast(
    history: FloatArray,
    indices: FloatArray,
    horizon: int,
    level: float,
    simulations: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """ETS(M,N,M) with the decomposition's initial states; ``None`` when it fails."""
    import pandas as pd  # statsmodels' dependency; its prediction API needs an index
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    initial = indices[:12]
    model = ETSModel(
        pd.Series(history),
        error="mul",
        seasonal="mul",
        seasonal_periods=12,
        initialization_method="known",
        initial_level=float(np.mean(history[:12] / initial)),
        initial_seasonal=initial,
    )
    n = history.size
    try:
        with _quiet():
            fitted = model.fit(disp=False)
            mean = np.asarray(fitted.forecast(horizon), dtype=np.float64)
            fit = np.asarray(fitted.fittedvalues, dtype=np.float64)
            # Relative one-step errors; their variance is taken over the degrees of freedom
            # left after the 12 initial states and 2 smoothing weights, since the initial
            # states were fitted to the same months (statsmodels would divide by n).
            relative = (history - fit) / fit
            sigma = float(np.sqrt(np.sum(relative**2) / max(n - _ETS_PARAMETERS, 1)))
            errors = rng.standard_normal((horizon, simulations)) * sigma
            paths = np.asarray(
                fitted.simulate(
                    horizon, anchor="end", repetitions=simulations, random_errors=errors
                ),
                dtype=np.float64,
            )
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return None
    tail = (1.0 - level) / 2.0
    lower, upper = np.quantile(paths, [tail, 1.0 - tail], axis=1)
    if not (np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
        return None
    return mean, lower, upper


def forecast_revenue(
    data: pl.DataFrame | MonthlyPanel,
    *,
    horizon: int = 12,
    level: float = 0.8,
    strength_threshold: float = DEFAULT_STRENGTH_THRESHOLD,
    min_months: int = MIN_MONTHS,
    simulations: int = 500,
    seed: int = 0,
    n_jobs: int = 1,
    account_col: str = "account_id",
    month_col: str = "month",
    revenue_col: str = "revenue",
) -> pl.DataFrame:
    """Forecast each account's monthly revenue ``horizon`` months past the panel's end.

    Parameters
    ----------
    data : polars.DataFrame or MonthlyPanel
        Monthly revenue (complete months only: leave out a month still in progress).
    horizon : int
        Months to forecast.
    level : float
        Coverage of the prediction interval, ``0 < level < 1``.
    strength_threshold : float
        Strength of seasonality from which a seasonal method is used.
    min_months : int
        Months of history needed for a seasonal profile.
    simulations : int
        Simulated paths per ETS account for its interval.
    seed : int
        Seeds the simulations, so the same input gives the same intervals.
    n_jobs : int
        Processes for the ETS fits (about 50 ms per seasonal account); the result does not
        depend on it.

    Returns
    -------
    polars.DataFrame
        ``horizon`` rows per account: ``account_col``, ``step`` (1 = the month after the
        panel), ``month`` (its first day), ``forecast``, ``lower``, ``upper`` and
        ``method`` (see the module docstring).
    """
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    if not 0 < level < 1:
        raise ValueError(f"level must satisfy 0 < level < 1, got {level}")
    panel = (
        data
        if isinstance(data, MonthlyPanel)
        else monthly_panel(
            data, account_col=account_col, month_col=month_col, revenue_col=revenue_col
        )
    )
    point, lower, upper, methods = _forecast_matrix(
        panel,
        horizon=horizon,
        level=level,
        strength_threshold=strength_threshold,
        min_months=min_months,
        simulations=simulations,
        seed=seed,
        n_jobs=n_jobs,
    )
    n = len(panel.account_ids)
    rows = np.repeat(np.arange(n), horizon)
    months = [panel.month(panel.months + k) for k in range(horizon)]
    return pl.DataFrame(
        [
            pl.Series(account_col, panel.account_ids).gather(rows),
            pl.Series("step", np.tile(np.arange(1, horizon + 1, dtype=np.int16), n)),
            pl.Series("month", months * n, dtype=pl.Date),
            pl.Series("forecast", point.ravel()),
            pl.Series("lower", lower.ravel(), nan_to_null=True),
            pl.Series("upper", upper.ravel(), nan_to_null=True),
            pl.Series("method", methods, dtype=pl.String).gather(rows),
        ]
    )


@dataclass(frozen=True)
class _EtsSettings:
    horizon: int
    level: float
    simulations: int
    seed: int


_EtsTask = tuple[int, FloatArray, FloatArray]
_EtsResult = tuple[FloatArray, FloatArray, FloatArray] | None


def _ets_batch(tasks: list[_EtsTask], settings: _EtsSettings) -> list[tuple[int, _EtsResult]]:
    """Fit ETS for a batch of accounts.

    Each account's simulations are seeded by its row, so results do not depend on how the
    accounts were split between processes.

    BLAS runs single-threaded meanwhile: on matrices this small, its threads only wait on
    each other (four times slower on two cores).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _ets_each(tasks, settings)


def _ets_each(tasks: list[_EtsTask], settings: _EtsSettings) -> list[tuple[int, _EtsResult]]:
    return [
        (
            row,
            _ets_forecast(
                span,
                indices,
                settings.horizon,
                settings.level,
                settings.simulations,
                np.random.default_rng([settings.seed, row]),
            ),
        )
        for row, span, indices in tasks
    ]


def _run_ets(
    tasks: list[_EtsTask], settings: _EtsSettings, n_jobs: int
) -> list[tuple[int, _EtsResult]]:
    """Fit every task, in ``n_jobs`` processes when there is enough work to share."""
    jobs = min(n_jobs, len(tasks) // _MIN_TASKS_PER_JOB)
    if jobs <= 1:
        return _ets_batch(tasks, settings)
    batches = [tasks[k::jobs] for k in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = pool.map(_ets_batch, batches, [settings] * jobs)
        return [item for batch in done for item in batch]


def _forecast_matrix(
    panel: MonthlyPanel,
    *,
    horizon: int,
    level: float,
    strength_threshold: float,
    min_months: int,
    simulations: int,
    seed: int,
    n_jobs: int = 1,
) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """Point forecasts, bounds and method per account, shape ``(n, horizon)``."""
    values = panel.values
    m = values.shape[1]
    parts = decompose(panel, min_months=min_months)
    seasonal = np.nan_to_num(parts.strength, nan=-1.0) >= strength_threshold
    history = panel.history_months
    recent = np.nansum(np.abs(values[:, max(0, m - 12) :]), axis=1)
    calendar = panel.calendar_months - 1
    future = (np.arange(m, m + horizon) + panel.first_month.month - 1) % 12

    # Non-seasonal: SES on the series itself.
    flat, half, _, _ = ses_forecast(values, horizon, level)
    point = np.repeat(flat[:, None], horizon, axis=1)
    lower, upper = point - half, point + half
    methods = np.where(history >= 2, "ses", "naive").astype(object)

    # Seasonal: SES on the seasonally adjusted series, times the index.
    if seasonal.any():
        rows = np.flatnonzero(seasonal)
        index = parts.indices[rows]
        past = index[:, calendar]
        adjusted = np.where(past >= _MIN_INDEX, values[rows] / np.maximum(past, _MIN_INDEX), np.nan)
        s_flat, s_half, _, _ = ses_forecast(adjusted, horizon, level)
        ahead = index[:, future]
        point[rows] = s_flat[:, None] * ahead
        lower[rows] = (s_flat[:, None] - s_half) * ahead
        upper[rows] = (s_flat[:, None] + s_half) * ahead
        methods[rows] = "seasonal_ses"
        tasks: list[_EtsTask] = []
        for candidate in rows:
            span = values[candidate, m - min(history[candidate], _MAX_FIT_MONTHS) :]
            if (span > 0).all():
                indices = parts.indices[candidate, calendar[m - span.size :]]
                tasks.append((int(candidate), span, indices))
        settings = _EtsSettings(horizon, level, simulations, seed)
        for fitted_row, result in _run_ets(tasks, settings, n_jobs):
            if result is not None:
                point[fitted_row], lower[fitted_row], upper[fitted_row] = result
                methods[fitted_row] = "ets"

    dead = (recent == 0) | (history == 0)
    point[dead] = lower[dead] = upper[dead] = 0.0
    methods[dead] = "zero"
    single = (history == 1) & ~dead
    lower[single] = upper[single] = np.nan
    point = np.clip(point, 0.0, None)
    lower = np.clip(lower, 0.0, None)
    upper = np.clip(upper, 0.0, None)
    return point, lower, upper, [str(x) for x in methods]
