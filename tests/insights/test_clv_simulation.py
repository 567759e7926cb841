"""The fitters recover known parameters, and predictions match simulated futures.

Data are drawn from the models' own generative stories (Fader, Hardie & Lee 2005, section
3; Fader & Hardie 2013, section 2) with seeded generators. Tolerances are four standard
deviations of the estimates, measured over 30 seeds (20,000 customers, T uniform on 26-78
weeks, CDNOW-like parameters): r 1.7 %, alpha 3.0 %, a 4.9 %, b 7.0 %; Gamma-Gamma on the
~9,000 repeat buyers: p 4.7 %, q 1.9 %, v 5.7 %. The means over those seeds were within
one standard deviation of the truth.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tenure.insights.clv import (
    BetaGeoFitter,
    GammaGammaFitter,
    simulate_bgnbd,
    simulate_gamma_gamma,
)

TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}


def simulated(n: int, seed: int, holdout: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return simulate_bgnbd(rng.uniform(26, 78, n), rng=rng, holdout=holdout, **TRUTH)


def test_bgnbd_recovers_simulated_parameters() -> None:
    data = simulated(20_000, seed=20240501)

    model = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])

    assert model.r_ == pytest.approx(TRUTH["r"], rel=4 * 0.017)
    assert model.alpha_ == pytest.approx(TRUTH["alpha"], rel=4 * 0.030)
    assert model.a_ == pytest.approx(TRUTH["a"], rel=4 * 0.049)
    assert model.b_ == pytest.approx(TRUTH["b"], rel=4 * 0.070)


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    data = simulated(20_000, seed=7)
    frequency = data["frequency"].to_numpy()
    value = simulate_gamma_gamma(frequency, rng=np.random.default_rng(8), **SPEND)

    model = GammaGammaFitter().fit(frequency, value)

    assert model.n_customers_ == int((frequency > 0).sum())
    assert model.p_ == pytest.approx(SPEND["p"], rel=4 * 0.047)
    assert model.q_ == pytest.approx(SPEND["q"], rel=4 * 0.019)
    assert model.v_ == pytest.approx(SPEND["v"], rel=4 * 0.057)


def test_conditional_predictions_match_the_simulated_future() -> None:
    """With the true parameters, eq. (10) and P(alive) must match what the customers do."""
    data = simulated(200_000, seed=99, holdout=39.0)
    model = BetaGeoFitter()
    model.r_, model.alpha_, model.a_, model.b_ = TRUTH.values()
    history = (data["frequency"], data["recency"], data["T"])

    scored = data.with_columns(
        predicted=model.conditional_expected_number_of_purchases_up_to_time(39, *history),
        p_alive=model.conditional_probability_alive(*history),
        group=pl.col("frequency").clip(upper_bound=6),
    )
    by_group = scored.group_by("group").agg(
        pl.len().alias("n"),
        pl.col("holdout_purchases").mean().alias("actual"),
        pl.col("holdout_purchases").std().alias("sd"),
        pl.col("predicted").mean(),
        pl.col("alive").mean().alias("share_alive"),
        pl.col("p_alive").mean(),
    )

    for row in by_group.iter_rows(named=True):
        purchases_se = row["sd"] / np.sqrt(row["n"])
        assert abs(row["predicted"] - row["actual"]) < 4 * purchases_se, row
        share_se = np.sqrt(row["share_alive"] * (1 - row["share_alive"]) / row["n"]) + 1e-12
        assert abs(row["p_alive"] - row["share_alive"]) < 4 * share_se + 1e-12, row


def test_unconditional_expectation_matches_simulated_new_customers() -> None:
    horizon = 52.0
    fresh = simulate_bgnbd(np.full(200_000, horizon), rng=np.random.default_rng(6), **TRUTH)
    model = BetaGeoFitter()
    model.r_, model.alpha_, model.a_, model.b_ = TRUTH.values()

    expected = float(model.expected_number_of_purchases_up_to_time(horizon))

    counts = fresh["frequency"].to_numpy()
    assert abs(expected - counts.mean()) < 4 * counts.std() / np.sqrt(counts.size)


def test_simulation_is_reproducible_with_the_same_seed() -> None:
    assert simulated(1_000, seed=3).equals(simulated(1_000, seed=3))
    assert not simulated(1_000, seed=3).equals(simulated(1_000, seed=4))  # the seed is used
