"""Twelve-month forecasts and the MASE backtest (tenure.insights.seasonality)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from tenure.demo.world import SEASON_PROFILES
from tenure.insights.seasonality import MonthlyPanel, backtest, forecast_revenue, ses_forecast

JAN_2022 = dt.date(2022, 1, 1)


def _seasonal(months: int, *, profile: str = "christmas", noise: float = 0.1, seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    return 1000 * SEASON_PROFILES[profile][t % 12] * (1 + rng.normal(0, noise, months))


def _panel(*rows) -> MonthlyPanel:
    return MonthlyPanel(list(range(len(rows))), JAN_2022, np.vstack(rows).astype(float))


def test_ses_matches_statsmodels_simple_exponential_smoothing():
    # Reference: statsmodels 0.15.0 SimpleExpSmoothing with the same weight and the first
    # observation as the initial level gives the same forecast.
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    y = 100 + np.random.default_rng(1).normal(0, 10, 30).cumsum()
    forecast, _, alpha, _ = ses_forecast(y[None, :], 3, 0.8)
    model = SimpleExpSmoothing(y, initialization_method="known", initial_level=y[0])
    reference = model.fit(smoothing_level=float(alpha[0]), optimized=False).forecast(1)[0]
    assert forecast[0] == pytest.approx(reference, rel=1e-9)


def test_ses_picks_a_high_weight_for_a_random_walk_and_a_low_one_for_noise():
    rng = np.random.default_rng(7)
    walk = rng.normal(0, 1, 200).cumsum()
    noise = rng.normal(0, 1, 200)
    _, half, alpha, _ = ses_forecast(np.vstack([walk, noise]), 12, 0.8)
    assert alpha[0] > 0.8
    assert alpha[1] < 0.2
    # ±z·σ·√(1 + (h − 1)α²): intervals widen with the horizon, faster for a random walk.
    assert (np.diff(half, axis=1) >= 0).all()
    assert half[0, -1] / half[0, 0] > half[1, -1] / half[1, 0]


def test_each_history_gets_its_method():
    seasonal = _seasonal(36, noise=0.03)
    intermittent = _seasonal(36, noise=0.03)
    intermittent[[5, 17, 29]] = 0.0
    flat = 500 + np.random.default_rng(3).normal(0, 20, 36)
    short = np.r_[np.full(26, np.nan), flat[:10]]
    single = np.r_[np.full(35, np.nan), 80.0]
    stopped = np.r_[flat[:20], np.zeros(16)]
    panel = _panel(seasonal, intermittent, flat, short, single, stopped)
    forecast = forecast_revenue(panel)
    methods = forecast.group_by("account_id", maintain_order=True).agg(pl.col("method").first())
    assert methods["method"].to_list() == [
        "ets",
        "seasonal_ses",
        "ses",
        "ses",
        "naive",
        "zero",
    ]
    assert forecast.height == 6 * 12
    assert forecast["month"][0] == dt.date(2025, 1, 1)


def test_seasonal_forecast_follows_the_profile_inside_its_interval():
    forecast = forecast_revenue(_panel(_seasonal(36, noise=0.05)), level=0.8)
    values = forecast["forecast"].to_numpy()
    # Christmas goods: September–October high, December–January low.
    assert values[8] > 3 * values[0]
    assert values[9] > 3 * values[11]
    assert (forecast["lower"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["upper"]).all()
    assert (forecast["lower"] >= 0).all()


def test_forecast_is_reproducible_with_a_seed():
    panel = _panel(_seasonal(36), _seasonal(36, profile="summer", seed=4))
    assert forecast_revenue(panel, seed=3).equals(forecast_revenue(panel, seed=3))
    # The seed drives the simulated paths: another seed, other intervals.
    assert not forecast_revenue(panel, seed=3).equals(forecast_revenue(panel, seed=4))


def test_single_month_gets_no_interval_and_a_dead_account_gets_zero():
    forecast = forecast_revenue(_panel(np.r_[np.full(11, np.nan), 80.0], np.zeros(12)))
    single, dead = (
        forecast.filter(pl.col("account_id") == 0),
        forecast.filter(pl.col("account_id") == 1),
    )
    assert single["forecast"].to_list() == [80.0] * 12
    assert single["lower"].null_count() == 12
    assert dead["forecast"].sum() == 0
    assert dead["method"][0] == "zero"


def test_forecast_refuses_a_horizon_below_one_and_a_silly_level():
    with pytest.raises(ValueError, match="horizon"):
        forecast_revenue(_panel(_seasonal(36)), horizon=0)
    with pytest.raises(ValueError, match="level"):
        forecast_revenue(_panel(_seasonal(36)), level=1.0)


def test_seasonal_naive_mase_is_one_for_a_repeating_pattern_on_a_linear_trend():
    # y = pattern + c·t: the seasonal naive forecast misses by 12c in sample and out of it.
    t = np.arange(48)
    y = 1000 + 300 * SEASON_PROFILES["summer"][t % 12] + 5.0 * t
    result = backtest(_panel(y))
    assert result.accounts["mase_seasonal_naive"][0] == pytest.approx(1.0)


def test_backtest_beats_seasonal_naive_on_noisy_seasonal_accounts():
    rows = [
        _seasonal(36, profile=p, noise=0.15, seed=s)
        for s in range(6)
        for p in ("christmas", "summer")
    ]
    result = backtest(_panel(*rows))
    overall = result.summary.filter(pl.col("method") == "all").row(0, named=True)
    assert overall["accounts"] == 12
    assert overall["mase_mean"] < overall["naive_mean"]
    assert 0.5 < overall["coverage"] <= 1.0
    assert result.seconds >= 0


def test_backtest_skips_short_histories_and_accounts_that_stopped_buying():
    stopped = np.r_[_seasonal(24), np.zeros(12)]
    stopped[12:24] = 0.0
    short = np.r_[np.full(14, np.nan), _seasonal(22)]
    result = backtest(_panel(_seasonal(36), stopped, short))
    assert result.accounts["account_id"].to_list() == [0]
    assert result.skipped == 2
    with pytest.raises(ValueError, match="holdout"):
        backtest(_panel(_seasonal(12)), holdout=12)


def test_forecast_does_not_depend_on_the_number_of_processes(monkeypatch):
    from tenure.insights.seasonality import forecast as module

    monkeypatch.setattr(module, "_MIN_TASKS_PER_JOB", 1)
    panel = _panel(
        *(_seasonal(36, profile=p, seed=s) for s in range(2) for p in ("summer", "christmas"))
    )
    one = forecast_revenue(panel, n_jobs=1)
    assert one.filter(pl.col("method") == "ets").height == 4 * 12
    assert one.equals(forecast_revenue(panel, n_jobs=2))
