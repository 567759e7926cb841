"""Seasonality: each account's seasonal rhythm, its peaks, and a 12-month forecast.

* :func:`monthly_panel` / :func:`panel_from_series`: monthly revenue as a dense panel.
* :func:`seasonal_profile`: 12 seasonal indices, peak months and strength of seasonality
  per account, vectorised over the whole portfolio; :func:`peak_windows` splits a profile
  into its peak windows ("August–October").
* :func:`forecast_revenue`: 12 months ahead with prediction intervals (ETS per seasonal
  account, vectorised exponential smoothing for the rest).
* :func:`backtest`: hold out the last year and report MASE against the seasonal naive
  forecast.

Nothing here imports Django: data come in as Polars frames or NumPy arrays and go out as
Polars frames and frozen dataclasses. See ``docs/seasonality.md``.
"""

from ._panel import MonthlyPanel, add_months, monthly_panel, panel_from_series
from .backtest import Backtest, backtest
from .forecast import DEFAULT_STRENGTH_THRESHOLD, forecast_revenue, ses_forecast
from .profile import (
    MIN_MONTHS,
    MONTH_NAMES,
    Decomposition,
    PeakWindow,
    decompose,
    peak_windows,
    seasonal_profile,
)

__all__ = [
    "DEFAULT_STRENGTH_THRESHOLD",
    "MIN_MONTHS",
    "MONTH_NAMES",
    "Backtest",
    "Decomposition",
    "MonthlyPanel",
    "PeakWindow",
    "add_months",
    "backtest",
    "decompose",
    "forecast_revenue",
    "monthly_panel",
    "panel_from_series",
    "peak_windows",
    "seasonal_profile",
    "ses_forecast",
]
