"""Per-customer bootstrap intervals of probability alive, expected purchases and CLV.

Checked three ways:
- against the brute-force parametric bootstrap (every prediction re-evaluated for every
  parameter draw, same draws), which the fast version approximates to first order;
- on simulated data whose truth is known (seeded): the interval holds the prediction under
  the true parameters about as often as its level says, and it narrows as customers grow;
- on CDNOW: the interval of the customer Fader, Hardie & Lee (2005, section 5) predict
  (x = 2, t_x = 30.43, T = 38.86: 1.226 purchases in the next 39 weeks) holds the published
  figure.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tenure.insights.clv import (
    BetaGeoFitter,
    ParetoNBDFitter,
    diagnose_fit,
    discounted_value,
    prediction_intervals,
    simulate_bgnbd,
)
from tenure.insights.clv.identification import ParameterUncertainty
from tenure.insights.clv.intervals import _with_params

from .test_clv_cdnow import summary

TRUTH = {"r": 0.5, "alpha": 5.0, "a": 0.793, "b": 2.426}
MONTH = 365.25 / 12 / 7


def days(n: int, seed: int) -> pl.DataFrame:
    """Customers observed 20 to 52 weeks, recency and age in whole days (as the ledger has)."""
    rng = np.random.default_rng(seed)
    data = simulate_bgnbd(rng.uniform(20, 52, n), rng=rng, **TRUTH)
    return data.with_columns((pl.col("recency") * 7).floor() / 7, (pl.col("T") * 7).floor() / 7)


def histories(data: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return data["frequency"].to_numpy(), data["recency"].to_numpy(), data["T"].to_numpy()


def brute_force(
    model: BetaGeoFitter | ParetoNBDFitter,
    uncertainty: ParameterUncertainty,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    draws: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """The bootstrap done the slow way, on the draws ``prediction_intervals`` makes."""
    z = np.random.default_rng(seed).standard_normal((draws, uncertainty.estimates.size))
    params = np.exp(np.log(uncertainty.estimates) + z @ uncertainty.principal_axes().T)
    alive, purchases, clv = [], [], []
    for drawn in params:
        moved = _with_params(model, drawn)
        alive.append(moved.conditional_probability_alive(*rows))
        purchases.append(
            moved.conditional_expected_number_of_purchases_up_to_time(12 * MONTH, *rows)
        )
        clv.append(discounted_value(moved, *rows, 1.0, horizon=12, discount_rate=0.01))
    return {
        name: np.quantile(np.array(values), [0.05, 0.95], axis=0)
        for name, values in (
            ("probability_alive", alive),
            ("expected_purchases", purchases),
            ("clv", clv),
        )
    }


@pytest.mark.filterwarnings("ignore::tenure.insights.clv.ConvergenceWarning")
@pytest.mark.parametrize("fitter", [BetaGeoFitter, ParetoNBDFitter])
def test_fast_intervals_match_the_brute_force_bootstrap(fitter: type) -> None:
    data = days(1000, seed=3)
    rows = histories(data)
    model = fitter().fit(*rows)
    uncertainty = diagnose_fit(model, *rows).uncertainty

    fast = prediction_intervals(
        model, uncertainty, *rows, value_per_purchase=1.0, draws=100, rng=np.random.default_rng(7)
    )
    slow = brute_force(model, uncertainty, rows, draws=100, seed=7)

    # Second order along the axes: BG/NBD within 2.5 % of the exact bounds (widths are
    # 5-30 %); Pareto/NBD, whose probability alive is expanded too, within 4 %.
    rtol = 0.025 if fitter is BetaGeoFitter else 0.04
    for name, (low, high) in slow.items():
        np.testing.assert_allclose(fast[f"{name}_low"], low, rtol=rtol, atol=1e-4, err_msg=name)
        np.testing.assert_allclose(fast[f"{name}_high"], high, rtol=rtol, atol=1e-4, err_msg=name)


def test_intervals_hold_the_prediction_under_the_true_parameters_at_their_level() -> None:
    # Fixed histories to predict; 30 data sets drawn from the truth, each fitted and bootstrapped.
    probe = (
        np.array([0.0, 1.0, 2.0, 5.0, 10.0]),
        np.array([0.0, 10.0, 30.0, 35.0, 50.0]),
        np.array([40.0, 40.0, 40.0, 40.0, 52.0]),
    )
    truth = BetaGeoFitter()
    for name, value in TRUTH.items():
        setattr(truth, f"{name}_", value)
    true_alive = truth.conditional_probability_alive(*probe)
    true_clv = discounted_value(truth, *probe, 1.0, horizon=12, discount_rate=0.01)
    hits_alive, hits_clv = [], []
    for seed in range(30):
        rows = histories(days(1500, seed=100 + seed))
        model = BetaGeoFitter().fit(*rows)
        uncertainty = diagnose_fit(model, *rows).uncertainty
        bounds = prediction_intervals(
            model, uncertainty, *probe, value_per_purchase=1.0, rng=np.random.default_rng(seed)
        )
        low, high = bounds["clv_low"].to_numpy(), bounds["clv_high"].to_numpy()
        hits_clv.append((low <= true_clv) & (true_clv <= high))
        repeat = probe[0] > 0  # without a repeat purchase BG/NBD says alive, whatever the fit
        low, high = bounds["probability_alive_low"], bounds["probability_alive_high"]
        inside = (low.to_numpy() <= true_alive) & (true_alive <= high.to_numpy())
        hits_alive.append(inside[repeat])

    # 90 % intervals; 120 and 150 Bernoulli outcomes put the observed share within about
    # 0.78-0.98 if the level is right (correlated within a data set, so a little wider).
    assert 0.75 <= np.mean(hits_alive) <= 0.99
    assert 0.75 <= np.mean(hits_clv) <= 0.99


def test_intervals_narrow_as_the_number_of_customers_grows() -> None:
    probe = (np.array([1.0, 3.0, 8.0]), np.array([20.0, 30.0, 45.0]), np.array([40.0, 40.0, 50.0]))

    def width(n: int) -> np.ndarray:
        rows = histories(days(n, seed=11))
        model = BetaGeoFitter().fit(*rows)
        bounds = prediction_intervals(
            model,
            diagnose_fit(model, *rows).uncertainty,
            *probe,
            value_per_purchase=1.0,
            rng=np.random.default_rng(0),
        )
        return np.log(bounds["clv_high"] / bounds["clv_low"]).to_numpy()

    # Standard errors fall as 1/sqrt(n): ten times the customers, a third of the width.
    ratio = width(20_000) / width(2000)
    assert np.all((ratio > 0.18) & (ratio < 0.55)), ratio


def test_cdnow_interval_holds_the_published_prediction() -> None:
    data = summary()
    rows = (data["frequency"].to_numpy(), data["recency"].to_numpy(), data["T"].to_numpy())
    model = BetaGeoFitter().fit(*rows)
    uncertainty = diagnose_fit(model, *rows).uncertainty
    customer = (np.array([2.0]), np.array([30.43]), np.array([38.86]))

    bounds = prediction_intervals(
        model, uncertainty, *customer, horizon=39, period="W", rng=np.random.default_rng(1)
    )

    low, high = bounds["expected_purchases_low"][0], bounds["expected_purchases_high"][0]
    assert low < 1.226 < high
    # 2,357 customers pin the parameters down: the interval is within +-15 % of 1.226.
    assert low > 1.226 * 0.85
    assert high < 1.226 * 1.15


def test_intervals_are_seeded_and_in_input_order() -> None:
    rows = histories(days(500, seed=5))
    model = BetaGeoFitter().fit(*rows)
    uncertainty = diagnose_fit(model, *rows).uncertainty

    def run(seed: int, order: np.ndarray) -> pl.DataFrame:
        picked = tuple(column[order] for column in rows)
        return prediction_intervals(
            model, uncertainty, *picked, value_per_purchase=2.0, rng=np.random.default_rng(seed)
        )

    forward = np.arange(rows[0].size)
    first = run(1, forward)
    assert run(1, forward).equals(first)
    assert not run(2, forward).equals(first)
    assert run(1, forward[::-1]).equals(first.reverse())


def test_a_fit_without_curvature_has_no_interval() -> None:
    rows = histories(days(200, seed=6))
    model = BetaGeoFitter().fit(*rows)
    flat = ParameterUncertainty(model.param_names, model.params_, np.full((4, 4), np.nan))

    with pytest.raises(ValueError, match="not identified"):
        prediction_intervals(model, flat, *rows, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("setting", "message"),
    [({"level": 1.0}, "level"), ({"draws": 1}, "draws"), ({"horizon": 0}, "horizon")],
)
def test_bad_settings_are_refused_by_name(setting: dict[str, float], message: str) -> None:
    rows = histories(days(200, seed=6))
    model = BetaGeoFitter().fit(*rows)
    uncertainty = diagnose_fit(model, *rows).uncertainty

    with pytest.raises(ValueError, match=message):
        prediction_intervals(model, uncertainty, *rows, rng=np.random.default_rng(0), **setting)  # type: ignore[arg-type]
