"""The brief's figures: orders and revenue, the seasonal outlook, health and risk.

All read from what the scoring run leaves in the CRM store (snapshots, the monthly revenue
series, health rows), never from the ledger; the forecast is fitted on the spot on the
stored series, which for one account takes milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from tenure.accounts.models import Account
from tenure.health.selectors import HealthPanel
from tenure.insights.seasonality import (
    MonthlyPanel,
    PeakWindow,
    add_months,
    forecast_revenue,
    peak_windows,
    seasonal_profile,
)
from tenure.scoring.selectors import account_latest_snapshot

__all__ = [
    "HealthSummary",
    "OutlookMonth",
    "RevenueMonth",
    "RevenueSummary",
    "SeasonalOutlook",
    "health_summary",
    "revenue_summary",
    "seasonal_outlook",
]

#: The months of the seasonal outlook after the current one.
OUTLOOK_MONTHS = 3
#: A forecast further than this from the stored revenue's last month says little.
MAX_FORECAST_MONTHS = 24


@dataclass(frozen=True)
class RevenueMonth:
    month: dt.date
    revenue: float
    year_before: float | None


@dataclass(frozen=True)
class RevenueSummary:
    """Orders and revenue as the latest scoring run condensed them."""

    as_of: dt.date
    #: The ledger's last order day: recency counts to it, not to ``as_of``.
    ledger_through: dt.date
    #: The reporting currency of the run's amounts.
    currency: str
    revenue_t12m: Decimal
    growth: float | None
    orders: int
    last_order_on: dt.date | None
    days_since_last_order: int | None
    median_interval_days: float | None
    revenue_90d: float | None
    revenue_90d_prior_year: float | None
    recent_months: tuple[RevenueMonth, ...]


@dataclass(frozen=True)
class OutlookMonth:
    month: dt.date
    forecast: float | None
    lower: float | None
    upper: float | None
    last_year: float | None
    index: float | None
    in_peak: bool


@dataclass(frozen=True)
class SeasonalOutlook:
    """The account's rhythm, where today falls in it, and the next months' forecast."""

    history_months: int
    strength: float | None
    is_seasonal: bool
    peaks: tuple[PeakWindow, ...]
    current_peak: str
    next_peak: str
    next_peak_starts_on: dt.date | None
    preparation_on: dt.date | None
    months: tuple[OutlookMonth, ...]
    method: str


@dataclass(frozen=True)
class HealthSummary:
    """The latest health and churn risk with what weighs on them."""

    as_of: dt.date
    score: float | None
    change_90d: float | None
    risk: float | None
    risk_horizon_days: int | None
    churned: bool | None
    clv: Decimal | None
    clv_months: int | None
    weakest: tuple[tuple[str, float], ...]
    risk_drivers: tuple[str, ...]
    clv_low: Decimal | None = None
    clv_high: Decimal | None = None
    clv_note: str | None = None


def _value(panel: MonthlyPanel, month: dt.date) -> float | None:
    """The panel's revenue in ``month``, or None outside it or before the first order."""
    column = (month.year - panel.first_month.year) * 12 + month.month - panel.first_month.month
    if not 0 <= column < panel.months:
        return None
    value = float(panel.values[0, column])
    return None if np.isnan(value) else value


def revenue_summary(
    account: Account, panel: MonthlyPanel | None, health: HealthPanel | None
) -> RevenueSummary | None:
    """The latest snapshot's order figures, the last three complete months against the
    year before, and the recent-spend figures of the latest health row."""
    snapshot = account_latest_snapshot(account_id=account.pk)
    if snapshot is None:
        return None
    recent: list[RevenueMonth] = []
    if panel is not None:
        last = panel.month(panel.months - 1)
        for back in range(2, -1, -1):
            month = add_months(last, -back)
            revenue = _value(panel, month)
            if revenue is not None:
                recent.append(RevenueMonth(month, revenue, _value(panel, add_months(month, -12))))
    return RevenueSummary(
        as_of=snapshot.as_of,
        ledger_through=snapshot.run.ledger_through or snapshot.as_of,
        currency=snapshot.run.currency,
        revenue_t12m=snapshot.revenue_t12m,
        growth=snapshot.growth,
        orders=snapshot.orders,
        last_order_on=snapshot.last_order_date,
        days_since_last_order=snapshot.days_since_last_order,
        median_interval_days=snapshot.median_interval_days,
        revenue_90d=health.health.revenue_90d if health else None,
        revenue_90d_prior_year=health.health.revenue_90d_prior_year if health else None,
        recent_months=tuple(recent),
    )


def seasonal_outlook(
    panel: MonthlyPanel, today: dt.date, preparation_on: dt.date | None
) -> SeasonalOutlook:
    """Profile and peaks of a one-account panel, and the next months' forecast with last
    year's revenue in the same months. Peaks only for an account seasonal enough."""
    profile = seasonal_profile(panel).row(0, named=True)
    indices = profile["indices"]
    seasonal = bool(profile["is_seasonal"])
    peaks = tuple(peak_windows(indices)) if seasonal and indices else ()
    current = next((w for w in peaks if today.month in w.months), None)
    upcoming = sorted(
        ((w.next_start(today), w) for w in peaks if w is not current), key=lambda p: p[0]
    )
    this_month = today.replace(day=1)
    wanted = [add_months(this_month, k) for k in range(1, OUTLOOK_MONTHS + 1)]
    last = panel.month(panel.months - 1)
    horizon = (wanted[-1].year - last.year) * 12 + wanted[-1].month - last.month
    forecast: dict[dt.date, dict[str, Any]] = {}
    method = ""
    if 1 <= horizon <= MAX_FORECAST_MONTHS:
        frame = forecast_revenue(panel, horizon=horizon)
        forecast = {row["month"]: row for row in frame.iter_rows(named=True)}
        method = str(frame["method"][0])
    months = tuple(
        OutlookMonth(
            month=month,
            forecast=forecast.get(month, {}).get("forecast"),
            lower=forecast.get(month, {}).get("lower"),
            upper=forecast.get(month, {}).get("upper"),
            last_year=_value(panel, add_months(month, -12)),
            index=indices[month.month - 1] if indices else None,
            in_peak=any(month.month in w.months for w in peaks),
        )
        for month in wanted
    )
    return SeasonalOutlook(
        history_months=int(profile["months"]),
        strength=profile["strength"],
        is_seasonal=seasonal,
        peaks=peaks,
        current_peak=current.label if current else "",
        next_peak=upcoming[0][1].label if upcoming else "",
        next_peak_starts_on=upcoming[0][0] if upcoming else None,
        preparation_on=preparation_on,
        months=months,
        method=method,
    )


def health_summary(panel: HealthPanel | None) -> HealthSummary | None:
    """Health with its 90-day change and three weakest measures; risk with its reasons."""
    if panel is None:
        return None
    row = panel.health
    scored = [
        (str(m["label"]), float(m["score"]))
        for m in panel.measures
        if m["points"] is not None and m["score"] is not None
    ]
    change = next((t.change for t in panel.trend if t.days == 90), None)
    return HealthSummary(
        as_of=row.as_of,
        score=row.health_score,
        change_90d=change,
        risk=row.risk,
        risk_horizon_days=row.risk_horizon_days,
        churned=row.churned,
        clv=row.clv,
        clv_months=row.clv_months,
        weakest=tuple(sorted(scored, key=lambda m: m[1])[:3]),
        risk_drivers=tuple(row.risk_driver_texts),
        clv_low=row.clv_low,
        clv_high=row.clv_high,
        clv_note=panel.clv_note,
    )
