"""Identification diagnostics, standard errors, the named fallback and bootstrap intervals.

Simulated data with known truth (seeded); CDNOW standard errors against the curvature of
the published likelihood (Fader, Hardie & Lee 2005).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tenure.insights.clv import (
    BetaGeoFitter,
    diagnose_fit,
    fit_transaction_model,
    prediction_intervals,
    simulate_bgnbd,
)
from tenure.insights.clv.model_choice import BGNBD, BGNBD_MAP

from .test_clv_cdnow import cdnow

TRUTH = {"r": 0.5, "alpha": 5.0, "b": 2.426}


def simulated(seed: int, a: float, n: int = 3000) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return simulate_bgnbd(rng.uniform(20, 52, n), a=a, rng=rng, **TRUTH)


def history(data: pl.DataFrame) -> tuple[pl.Series, pl.Series, pl.Series]:
    return data["frequency"], data["recency"], data["T"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_dropout_data_is_flagged_and_falls_back_to_the_named_map_fit(seed: int) -> None:
    # a -> 0: a customer's dropout probability after a purchase is ~0; nobody leaves.
    data = simulated(seed, a=1e-6)

    chosen = fit_transaction_model(*history(data))

    assert not chosen.candidates[BGNBD].identified
    assert chosen.candidates[BGNBD].reasons
    assert chosen.name != BGNBD
    if chosen.fallback:
        assert chosen.name == BGNBD_MAP
        # The prior keeps the fallback off the boundary, with finite standard errors.
        assert np.all(np.isfinite(chosen.diagnostics.uncertainty.standard_errors))
        assert chosen.diagnostics.extra["mean_dropout_probability"] > 1e-3
    assert chosen.summary()["model"] == chosen.name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identified_simulated_data_is_not_flagged(seed: int) -> None:
    data = simulated(seed, a=0.793)

    chosen = fit_transaction_model(*history(data))

    assert chosen.name == BGNBD
    assert chosen.diagnostics.identified, chosen.diagnostics.reasons
    assert not chosen.fallback
    assert chosen.diagnostics.condition_number < 1e8


def test_too_few_repeat_buyers_is_a_reason() -> None:
    data = simulated(3, a=0.793, n=60)

    model = BetaGeoFitter().fit(*history(data))
    diagnostics = diagnose_fit(model, *history(data), min_repeat_buyers=1000)

    assert not diagnostics.identified
    assert any("repeat purchase" in reason for reason in diagnostics.reasons)


@pytest.mark.slow
def test_cdnow_standard_errors_cover_the_simulation_spread() -> None:
    # SEs from the Hessian against the spread of estimates over refits of data simulated
    # at the CDNOW estimates with CDNOW's observation lengths.
    data = pl.read_csv(cdnow("cdnow_customers_summary.csv"))
    model = BetaGeoFitter().fit(*history(data))
    errors = diagnose_fit(model, *history(data)).uncertainty.standard_errors
    rng = np.random.default_rng(2005)
    refits = np.array(
        [
            BetaGeoFitter()
            .fit(
                *history(simulate_bgnbd(data["T"], rng=rng, r=0.243, alpha=4.414, a=0.793, b=2.426))
            )
            .params_
            for _ in range(40)
        ]
    )
    spread = refits.std(axis=0, ddof=1)

    # 40 refits estimate a standard deviation to about +-11 %; allow the log-normal
    # approximation its skew on a and b.
    np.testing.assert_allclose(errors[:2], spread[:2], rtol=0.35)
    np.testing.assert_allclose(errors[2:], spread[2:], rtol=0.6)


@pytest.mark.slow
def test_bootstrap_intervals_contain_the_point_prediction_and_are_seeded() -> None:
    # Recency in whole days, as the ledger gives it: customers share histories.
    data = simulated(4, a=0.793, n=1000).with_columns(
        (pl.col("recency") * 7).floor() / 7, (pl.col("T") * 7).floor() / 7
    )
    chosen = fit_transaction_model(*history(data))
    rows = history(data)

    def run(seed: int) -> pl.DataFrame:
        return prediction_intervals(
            chosen.model,
            chosen.diagnostics.uncertainty,
            *rows,
            horizon=12,
            value_per_purchase=50.0,
            rng=np.random.default_rng(seed),
            draws=40,
        )

    intervals = run(1)
    alive = chosen.model.conditional_probability_alive(*rows)
    purchases = chosen.model.conditional_expected_number_of_purchases_up_to_time(
        12 * 365.25 / 12 / 7, *rows
    )

    assert intervals.height == data.height
    assert (intervals["probability_alive_low"] <= alive + 1e-9).all()
    assert (intervals["probability_alive_high"] >= alive - 1e-9).all()
    assert (intervals["expected_purchases_low"] <= purchases + 1e-9).all()
    assert (intervals["expected_purchases_high"] >= purchases - 1e-9).all()
    assert (intervals["clv_high"] > intervals["clv_low"]).all()
    assert run(1).equals(intervals)
    assert not run(2).equals(intervals)
