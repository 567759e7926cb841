"""Pareto/NBD checked against the published CDNOW estimates.

Source: Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers" the
Easy Way: An Alternative to the Pareto/NBD Model. Marketing Science 24(2), 275-284, table 1
(Pareto/NBD on the 39-week CDNOW calibration period): r = 0.553, alpha = 10.578, s = 0.606,
beta = 11.669, LL = -9595.0.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tenure.insights.clv import ParetoNBDFitter

from .test_clv_cdnow import cdnow


def test_pareto_nbd_reproduces_fader_hardie_lee_2005_table_1() -> None:
    data = pl.read_csv(cdnow("cdnow_customers_summary.csv"))

    model = ParetoNBDFitter().fit(data["frequency"], data["recency"], data["T"])

    # Three significant figures.
    assert model.r_ == pytest.approx(0.553, rel=1e-3)
    assert model.alpha_ == pytest.approx(10.578, rel=1e-3)
    assert model.s_ == pytest.approx(0.606, rel=1e-3)
    assert model.beta_ == pytest.approx(11.669, rel=1e-3)
    assert model.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert model.converged_


def test_pareto_nbd_probability_alive_is_one_for_a_customer_seen_today() -> None:
    model = ParetoNBDFitter()
    model.r_, model.alpha_, model.s_, model.beta_ = 0.553, 10.578, 0.606, 11.669

    alive = model.conditional_probability_alive([3, 3, 0], [20.0, 38.86, 0.0], [38.86] * 3)

    # A customer whose last purchase is at T cannot have dropped out in (t_x, T].
    assert alive[1] == pytest.approx(1.0)
    assert 0 < alive[0] < alive[1]
    assert 0 < alive[2] < 1


def test_pareto_nbd_expectation_of_a_new_customer_matches_simulation() -> None:
    # E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)] against a Monte
    # Carlo of the model's own story (gamma rates, exponential lifetimes).
    model = ParetoNBDFitter()
    model.r_, model.alpha_, model.s_, model.beta_ = 0.553, 10.578, 0.606, 11.669
    rng = np.random.default_rng(7)
    n, t = 400_000, 39.0
    rate = rng.gamma(0.553, 1 / 10.578, n)
    lifetime = rng.exponential(1 / rng.gamma(0.606, 1 / 11.669, n))
    simulated = rng.poisson(rate * np.minimum(lifetime, t)).mean()

    assert float(model.expected_number_of_purchases_up_to_time(t)) == pytest.approx(
        simulated, rel=0.02
    )


def test_pareto_nbd_refuses_histories_without_repeat_buyers() -> None:
    with pytest.raises(ValueError, match="repeat purchase"):
        ParetoNBDFitter().fit([0, 0], [0.0, 0.0], [10.0, 12.0])


def simulate_pareto_nbd(n: int, rng: np.random.Generator, holdout: float) -> pl.DataFrame:
    """The model's own story: gamma purchase rates, exponential lifetimes with gamma rates."""
    T = rng.uniform(20, 40, n)
    rate = rng.gamma(0.553, 1 / 10.578, n)
    lifetime = rng.exponential(1 / rng.gamma(0.606, 1 / 11.669, n))
    active = np.minimum(lifetime, T)
    x = rng.poisson(rate * active)
    # The last of x uniform arrivals in (0, active].
    recency = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)
    future = rng.poisson(rate * np.clip(lifetime - T, 0.0, holdout))
    return pl.DataFrame({"frequency": x, "recency": recency, "T": T, "holdout": future})


def test_pareto_nbd_conditional_expectation_matches_simulated_holdout() -> None:
    rng = np.random.default_rng(11)
    data = simulate_pareto_nbd(200_000, rng, holdout=39.0)
    model = ParetoNBDFitter()
    model.r_, model.alpha_, model.s_, model.beta_ = 0.553, 10.578, 0.606, 11.669
    repeat = data.filter(pl.col("frequency") >= 2)

    for part in (data, repeat):
        predicted = model.conditional_expected_number_of_purchases_up_to_time(
            39.0, part["frequency"], part["recency"], part["T"]
        )
        assert predicted.sum() == pytest.approx(part["holdout"].sum(), rel=0.02)


@pytest.mark.slow
def test_pareto_nbd_recovers_simulated_parameters() -> None:
    data = simulate_pareto_nbd(20_000, np.random.default_rng(5), holdout=0.0)

    model = ParetoNBDFitter().fit(data["frequency"], data["recency"], data["T"])

    assert model.r_ == pytest.approx(0.553, rel=0.1)
    assert model.alpha_ == pytest.approx(10.578, rel=0.15)
    assert model.s_ == pytest.approx(0.606, rel=0.35)
