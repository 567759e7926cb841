"""BG/NBD fitter: analytic gradient, input checks, invariances and prediction properties.

Model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science
24(2); the likelihood is their eq. (6), the predictions eqs. (9)-(11).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize

from tenure.insights.clv import BetaGeoFitter, ConvergenceWarning, simulate_bgnbd
from tenure.insights.clv.bgnbd import _Likelihood


def history(n: int = 3_000, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Whole days over 7, as rfm_summary produces: many customers share a history.
    T = rng.integers(180, 540, n) / 7
    data = simulate_bgnbd(T, r=0.5, alpha=6.0, a=0.7, b=3.0, rng=rng)
    recency = np.floor(data["recency"].to_numpy() * 7) / 7
    return data["frequency"].to_numpy().astype(float), recency, T


def fitted(
    r: float = 0.243, alpha: float = 4.414, a: float = 0.793, b: float = 2.426
) -> BetaGeoFitter:
    model = BetaGeoFitter()
    model.r_, model.alpha_, model.a_, model.b_ = r, alpha, a, b
    return model


# --- likelihood and gradient --------------------------------------------------------------


@pytest.mark.parametrize("penalizer", [0.0, 0.05])
@pytest.mark.parametrize(
    "params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 3.0, 0.2), (0.05, 40.0, 0.1, 15.0)]
)
def test_analytic_gradient_matches_finite_differences(
    params: tuple[float, float, float, float], penalizer: float
) -> None:
    likelihood = _Likelihood.from_customers(*history())
    theta = np.log(np.array(params))

    def value(t: np.ndarray) -> float:
        return likelihood.objective(t, penalizer)[0]

    def gradient(t: np.ndarray) -> np.ndarray:
        return likelihood.objective(t, penalizer)[1]

    step = 1e-6
    central = np.array(
        [(value(theta + step * e) - value(theta - step * e)) / (2 * step) for e in np.eye(4)]
    )
    np.testing.assert_allclose(gradient(theta), central, rtol=1e-6, atol=1e-8)
    # scipy's forward-difference check, relative to the size of the gradient.
    error = optimize.check_grad(value, gradient, theta, epsilon=1e-8)
    assert error < 1e-5 * max(1.0, float(np.linalg.norm(gradient(theta))))


def test_likelihood_of_aggregated_rows_equals_the_sum_over_customers() -> None:
    x, t_x, T = history(500)
    r, alpha, a, b = 0.4, 5.0, 0.9, 2.0
    # Eq. (6) of FHL (2005), customer by customer, without logaddexp.
    from scipy.special import betaln, gammaln

    ll = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + betaln(a, b + x)
        - betaln(a, b)
        + np.log(
            (alpha + T) ** -(r + x)
            + (x > 0) * a / np.maximum(b + x - 1, 1e-12) * (alpha + t_x) ** -(r + x)
        )
    )

    total, _ = _Likelihood.from_customers(x, t_x, T).log_likelihood(r, alpha, a, b)

    assert total == pytest.approx(ll.sum(), rel=1e-12)


# --- fitting ------------------------------------------------------------------------------


def test_fit_returns_self_and_sets_fitted_attributes() -> None:
    model = BetaGeoFitter(penalizer=0.0, tol=1e-9, maxiter=500)

    assert model.fit(*history()) is model
    for name in ("r_", "alpha_", "a_", "b_", "log_likelihood_"):
        assert np.isfinite(getattr(model, name))
    assert model.n_customers_ == 3_000
    assert model.n_iter_ > 0


def test_init_only_stores_settings() -> None:
    model = BetaGeoFitter(penalizer=0.1, tol=1e-6, maxiter=50)

    assert vars(model) == {"penalizer": 0.1, "tol": 1e-6, "maxiter": 50, "prior_sd": None}


def test_fit_ignores_row_order_and_repetition() -> None:
    x, t_x, T = history()
    order = np.random.default_rng(0).permutation(x.size)
    once = BetaGeoFitter().fit(x, t_x, T)
    shuffled = BetaGeoFitter().fit(x[order], t_x[order], T[order])
    # Doubling every customer doubles the log-likelihood, not the estimates.
    doubled = BetaGeoFitter().fit(np.tile(x, 2), np.tile(t_x, 2), np.tile(T, 2))

    for name in ("r_", "alpha_", "a_", "b_"):
        assert getattr(shuffled, name) == getattr(once, name)
        assert getattr(doubled, name) == pytest.approx(getattr(once, name), rel=1e-6)
    assert doubled.log_likelihood_ == pytest.approx(2 * once.log_likelihood_, rel=1e-9)


def test_penalizer_shrinks_parameters() -> None:
    x, t_x, T = history()
    plain = BetaGeoFitter().fit(x, t_x, T)
    penalised = BetaGeoFitter(penalizer=0.1).fit(x, t_x, T)

    plain_norm = plain.r_**2 + plain.alpha_**2 + plain.a_**2 + plain.b_**2
    penalised_norm = penalised.r_**2 + penalised.alpha_**2 + penalised.a_**2 + penalised.b_**2
    assert penalised_norm < plain_norm
    assert penalised.log_likelihood_ < plain.log_likelihood_


def test_fit_accepts_lists_and_polars_series() -> None:
    import polars as pl

    frame = pl.DataFrame({"f": [0, 1, 2, 0, 3], "r": [0.0, 3.0, 5.0, 0.0, 9.0], "t": [10.0] * 5})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        from_series = BetaGeoFitter().fit(frame["f"], frame["r"], frame["t"])
        from_lists = BetaGeoFitter().fit([0, 1, 2, 0, 3], [0, 3, 5, 0, 9], [10] * 5)

    assert from_series.r_ == from_lists.r_


# --- invalid input ------------------------------------------------------------------------


def test_fit_rejects_all_zero_frequency() -> None:
    with pytest.raises(ValueError, match="at least one customer with a repeat purchase"):
        BetaGeoFitter().fit([0, 0, 0], [0, 0, 0], [10, 20, 30])


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, 2], [-1.0, 3.0], [5.0, 5.0], "recency must be >= 0"),
        ([1, 2], [6.0, 3.0], [5.0, 5.0], "recency .* cannot exceed T"),
        ([1, -2], [1.0, 3.0], [5.0, 5.0], "frequency must be >= 0"),
        ([1.5, 2], [1.0, 3.0], [5.0, 5.0], "must be whole"),
        ([0, 2], [1.0, 3.0], [5.0, 5.0], "recency must be 0 for customers without repeat"),
        ([1, 2], [1.0, np.nan], [5.0, 5.0], "recency has null, NaN or infinite"),
        ([1, 2, 3], [1.0, 3.0], [5.0, 5.0], "same length"),
    ],
)
def test_fit_rejects_invalid_histories_with_a_clear_message(
    frequency: list[float], recency: list[float], T: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BetaGeoFitter().fit(frequency, recency, T)


def test_fit_rejects_negative_penalizer() -> None:
    with pytest.raises(ValueError, match="penalizer must be >= 0"):
        BetaGeoFitter(penalizer=-1.0).fit(*history(100))


def test_predicting_before_fit_raises() -> None:
    with pytest.raises(AttributeError, match="not fitted"):
        BetaGeoFitter().conditional_probability_alive(1, 2.0, 3.0)


def test_prediction_rejects_negative_horizon() -> None:
    with pytest.raises(ValueError, match="horizon t must be >= 0"):
        fitted().conditional_expected_number_of_purchases_up_to_time(-1, 1, 2.0, 3.0)


def test_data_without_visible_dropout_give_a_boundary_fit_with_sane_predictions() -> None:
    # Every repeat buyer bought on the last day: nobody looks lost, so the maximum
    # likelihood drives the dropout probability towards 0 (a -> 0) and the rate towards a
    # common value (r, alpha -> infinity). That limit is a legitimate answer, not a failure.
    frequency, recency, T = [1, 2, 3, 4, 0], [10.0, 10.0, 10.0, 10.0, 0.0], [10.0] * 5

    model = BetaGeoFitter().fit(frequency, recency, T)

    assert model.a_ < 1e-3
    assert model.r_ / model.alpha_ == pytest.approx(0.2, rel=1e-2)  # 10 purchases, 50 weeks
    alive = model.conditional_probability_alive(frequency, recency, T)
    np.testing.assert_allclose(alive, 1.0, atol=1e-3)
    expected = model.conditional_expected_number_of_purchases_up_to_time(10, frequency, recency, T)
    assert np.all(np.isfinite(expected))


def test_optimiser_warns_when_it_stops_early_or_hits_the_parameter_bound() -> None:
    from tenure.insights.clv._mle import minimise_on_log_scale

    def runaway(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return -float(theta[0]), np.array([-1.0])

    with pytest.warns(ConvergenceWarning, match="edge of its range"):
        minimise_on_log_scale(runaway, np.zeros(1), tol=1e-8, maxiter=1000, model="test")
    with pytest.warns(ConvergenceWarning, match="without converging"):
        BetaGeoFitter(maxiter=1).fit(*history())


# --- predictions --------------------------------------------------------------------------


def test_customers_without_repeat_purchases_are_alive() -> None:
    np.testing.assert_array_equal(fitted().conditional_probability_alive([0, 0], 0, [5, 50]), 1.0)


def test_probability_alive_falls_with_time_since_last_purchase() -> None:
    alive = fitted().conditional_probability_alive(3, [30.0, 20.0, 10.0, 1.0], 30.0)

    assert np.all(np.diff(alive) < 0)
    assert np.all((alive > 0) & (alive <= 1))


def test_expected_purchases_start_at_zero_and_grow_with_the_horizon() -> None:
    model = fitted()
    horizon = np.array([0.0, 1.0, 10.0, 50.0, 500.0])

    conditional = model.conditional_expected_number_of_purchases_up_to_time(horizon, 2, 20.0, 30.0)
    unconditional = model.expected_number_of_purchases_up_to_time(horizon)

    assert conditional[0] == 0.0
    assert unconditional[0] == 0.0
    assert np.all(np.diff(conditional) > 0)
    assert np.all(np.diff(unconditional) > 0)


def test_purchase_rate_right_now_is_the_posterior_mean_rate_of_the_alive() -> None:
    """d/dt E[Y(t)] at t = 0 is P(alive) (r + x) / (alpha + T): gamma posterior mean."""
    model, (x, t_x, T) = fitted(), (4, 20.0, 26.0)
    h = 1e-6

    slope = model.conditional_expected_number_of_purchases_up_to_time(h, x, t_x, T) / h
    alive = model.conditional_probability_alive(x, t_x, T)

    assert slope == pytest.approx(alive * (model.r_ + x) / (model.alpha_ + T), rel=1e-5)


def test_new_customer_expectation_equals_conditional_one_at_zero_history() -> None:
    """Eq. (9) is eq. (10) with x = t_x = T = 0."""
    model = fitted()

    assert model.expected_number_of_purchases_up_to_time(39) == pytest.approx(
        model.conditional_expected_number_of_purchases_up_to_time(39, 0, 0.0, 0.0), rel=1e-13
    )


def test_predictions_broadcast_a_scalar_horizon_over_customers() -> None:
    predicted = fitted().conditional_expected_number_of_purchases_up_to_time(
        39, [0, 1, 2], [0.0, 5.0, 10.0], [20.0, 20.0, 20.0]
    )

    assert predicted.shape == (3,)
