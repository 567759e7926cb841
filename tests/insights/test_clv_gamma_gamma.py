"""Gamma-Gamma fitter and discounted CLV: gradient, formulas, conventions and input checks.

Model: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value",
http://www.brucehardie.com/notes/025/ ; likelihood eq. (3), conditional mean eq. (5).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.typing import ArrayLike

from tenure.insights.clv import (
    BetaGeoFitter,
    GammaGammaFitter,
    account_clv,
    discounted_value,
    period_in_time_units,
    simulate_gamma_gamma,
)
from tenure.insights.clv.gamma_gamma import _Likelihood


def spend(n: int = 2_000, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frequency = rng.integers(0, 12, n).astype(float)
    value = simulate_gamma_gamma(frequency, p=4.0, q=3.0, v=20.0, rng=rng)
    return frequency, np.round(value, 2)  # cents: many customers share a value


def fitted(p: float = 6.25, q: float = 3.74, v: float = 15.44) -> GammaGammaFitter:
    model = GammaGammaFitter()
    model.p_, model.q_, model.v_ = p, q, v
    return model


class LinearPurchases:
    """A transaction model whose customers buy ``rate`` purchases per time unit, for sure."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def conditional_probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,  # noqa: ARG002 (the protocol's signature)
        T: ArrayLike,  # noqa: ARG002
    ) -> np.ndarray:
        return np.ones_like(np.asarray(frequency, dtype=float))

    def conditional_expected_number_of_purchases_up_to_time(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,  # noqa: ARG002 (the protocol's signature)
        T: ArrayLike,  # noqa: ARG002
    ) -> np.ndarray:
        return self.rate * np.asarray(t, dtype=float) * np.ones_like(np.asarray(frequency, float))


# --- likelihood and fit -------------------------------------------------------------------


@pytest.mark.parametrize("penalizer", [0.0, 0.01])
@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (0.5, 1.2, 200.0), (30.0, 9.0, 2.0)])
def test_analytic_gradient_matches_finite_differences(
    params: tuple[float, float, float], penalizer: float
) -> None:
    frequency, value = spend()
    likelihood = _Likelihood.from_customers(frequency[frequency > 0], value[frequency > 0])
    theta = np.log(np.array(params))
    step = 1e-6

    central = np.array(
        [
            (
                likelihood.objective(theta + step * e, penalizer)[0]
                - likelihood.objective(theta - step * e, penalizer)[0]
            )
            / (2 * step)
            for e in np.eye(3)
        ]
    )

    np.testing.assert_allclose(
        likelihood.objective(theta, penalizer)[1], central, rtol=1e-6, atol=1e-8
    )


def test_fit_skips_customers_without_repeat_purchases() -> None:
    frequency, value = spend()
    with_zeros = GammaGammaFitter().fit(frequency, value)
    repeat = frequency > 0
    without = GammaGammaFitter().fit(frequency[repeat], value[repeat])

    assert with_zeros.n_customers_ == int(repeat.sum())
    assert with_zeros.p_ == without.p_
    assert with_zeros.log_likelihood_ == without.log_likelihood_


def test_init_only_stores_settings_and_fit_returns_self() -> None:
    model = GammaGammaFitter(penalizer=0.0, tol=1e-9, maxiter=100)

    assert vars(model) == {"penalizer": 0.0, "tol": 1e-9, "maxiter": 100}
    assert model.fit(*spend()) is model


def test_fit_rejects_no_repeat_buyers() -> None:
    with pytest.raises(ValueError, match="at least one repeat purchase"):
        GammaGammaFitter().fit([0, 0], [0.0, 0.0])


@pytest.mark.parametrize(
    ("frequency", "value", "message"),
    [
        ([1, 2], [10.0, -3.0], "monetary_value must be > 0"),
        ([1, 2], [10.0, 0.0], "monetary_value must be > 0"),
        ([1, -2], [10.0, 3.0], "whole number >= 0"),
        ([1, 2], [10.0, np.inf], "monetary_value has null, NaN or infinite"),
    ],
)
def test_fit_rejects_invalid_values(
    frequency: list[float], value: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        GammaGammaFitter().fit(frequency, value)


# --- conditional expected value -----------------------------------------------------------


def test_expected_value_of_a_customer_without_repeat_purchases_is_the_population_mean() -> None:
    model = fitted()

    value = model.conditional_expected_average_profit([0, 0], [0.0, 123.0])

    np.testing.assert_allclose(value, model.p_ * model.v_ / (model.q_ - 1))


def test_expected_value_moves_from_population_mean_to_own_mean_with_frequency() -> None:
    model = fitted()
    own = 80.0
    population = model.p_ * model.v_ / (model.q_ - 1)

    value = model.conditional_expected_average_profit([1, 5, 50, 5000], own)

    assert np.all(np.diff(value) > 0)
    assert np.all((value > population) & (value < own))
    assert value[-1] == pytest.approx(own, rel=1e-3)


def test_expected_value_refuses_an_infinite_population_mean() -> None:
    with pytest.raises(ValueError, match=r"q = 0\.9 <= 1"):
        fitted(q=0.9).conditional_expected_average_profit([1], [10.0])


# --- discounting --------------------------------------------------------------------------


def test_clv_discounts_each_period_at_its_end() -> None:
    rate, value, d, months = 0.5, 40.0, 0.01, 12
    period = period_in_time_units("M", "W")

    clv = discounted_value(
        LinearPurchases(rate), [1], [1.0], [2.0], value, horizon=months, discount_rate=d
    )

    by_hand = sum(value * rate * period / (1 + d) ** k for k in range(1, months + 1))
    assert clv[0] == pytest.approx(by_hand, rel=1e-12)


def test_clv_without_discounting_is_value_times_expected_purchases() -> None:
    bgnbd = BetaGeoFitter()
    bgnbd.r_, bgnbd.alpha_, bgnbd.a_, bgnbd.b_ = 0.243, 4.414, 0.793, 2.426
    gamma_gamma = fitted()
    history = ([0, 2, 7], [0.0, 30.43, 20.0], [38.86, 38.86, 30.0])

    clv = gamma_gamma.customer_lifetime_value(
        bgnbd, *history, [0.0, 22.35, 40.0], horizon=6, discount_rate=0.0, period=4.0
    )

    purchases = bgnbd.conditional_expected_number_of_purchases_up_to_time(24.0, *history)
    value = gamma_gamma.conditional_expected_average_profit(history[0], [0.0, 22.35, 40.0])
    np.testing.assert_allclose(clv, value * purchases, rtol=1e-12)


@pytest.mark.parametrize(
    ("period", "unit", "length"),
    [
        ("M", "W", 365.25 / 12 / 7),
        ("M", "D", 365.25 / 12),
        ("Y", "W", 365.25 / 7),
        (4.345, "W", 4.345),
    ],
)
def test_period_lengths_in_time_units(period: str | float, unit: str, length: float) -> None:
    assert period_in_time_units(period, unit) == pytest.approx(length)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": 0}, "horizon must be a whole number"),
        ({"horizon": 2.5}, "horizon must be a whole number"),
        ({"discount_rate": -0.1}, "discount_rate must be >= 0"),
        ({"period": "fortnight"}, "period must be one of"),
        ({"period": -1.0}, "positive number"),
        ({"time_unit": "M"}, "time_unit must be 'D' or 'W'"),
    ],
)
def test_discounting_rejects_invalid_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        discounted_value(LinearPurchases(1.0), [1], [1.0], [2.0], 10.0, **kwargs)  # type: ignore[arg-type]


# --- per-account frame --------------------------------------------------------------------


def test_account_clv_returns_one_row_per_account_in_input_order() -> None:
    bgnbd = BetaGeoFitter()
    bgnbd.r_, bgnbd.alpha_, bgnbd.a_, bgnbd.b_ = 0.243, 4.414, 0.793, 2.426
    summary = pl.DataFrame(
        {
            "account_id": ["c", "a", "b"],
            "frequency": [2, 0, 7],
            "recency": [30.43, 0.0, 20.0],
            "T": [38.86, 38.86, 30.0],
            "monetary_value": [22.35, 0.0, 40.0],
        }
    )

    scores = account_clv(summary, bgnbd, fitted(), horizon=12, discount_rate=0.01)

    assert scores["account_id"].to_list() == ["c", "a", "b"]
    history = (summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(
        scores["probability_alive"], bgnbd.conditional_probability_alive(*history)
    )
    np.testing.assert_allclose(
        scores["expected_orders"],
        bgnbd.conditional_expected_number_of_purchases_up_to_time(12 * 365.25 / 12 / 7, *history),
    )
    np.testing.assert_allclose(
        scores["clv"],
        fitted().customer_lifetime_value(bgnbd, *history, summary["monetary_value"]),
    )
    # Discounting makes CLV smaller than orders times value.
    assert (scores["clv"] < scores["expected_orders"] * scores["expected_order_value"]).all()


def test_account_clv_names_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"missing column.*monetary_value"):
        account_clv(
            pl.DataFrame({"account_id": [1], "frequency": [0], "recency": [0.0], "T": [1.0]}),
            BetaGeoFitter(),
            fitted(),
        )
