"""Expected purchases of heavy buyers and other hard cases of the 2F1 in FHL (2005) eq. (10).

Reference values were computed once with mpmath 1.4.1 at 30 significant digits, not through
``mpmath.hyp2f1`` (which returns wrong values, even infinities, for several of these cases at
40 digits) but by adaptive quadrature of the posterior-mean integral it stands for:
``P(alive) * E[(1 - (1 + p u)^-(r+x)) / p]`` for ``p ~ Beta(a, b + x)``, ``u = t/(alpha+T)``
(the derivation behind FHL 2005, eq. 10). In development the series also agreed with
``mpmath.hyp2f1`` to 3e-13 on 3,400 random realistic cases where that is reliable, and with
the quadrature to 2e-12 on a hundred more.
"""

from __future__ import annotations

import numpy as np
import pytest

from tenure.insights.clv import BetaGeoFitter
from tenure.insights.clv import _purchase_expectation as expectation

CDNOW_DAYS = (0.243, 4.414 * 7, 0.793, 2.426)  # FHL 2005 estimates, alpha in days
CDNOW_WEEKS = (0.243, 4.414, 0.793, 2.426)

# (r, alpha, a, b), (x, t_x, T, t), mpmath reference, which evaluation route applies
CASES = [
    pytest.param(CDNOW_DAYS, (400, 718.0, 720.0, 365.0), 164.4056001416739, 1, id="x400-days"),
    pytest.param(CDNOW_DAYS, (2000, 1459.0, 1460.0, 730.0), 829.8246130667603, 1, id="x2000"),
    pytest.param(CDNOW_WEEKS, (5000, 1039.9, 1040.0, 52.0), 244.12154247361434, 1, id="x5000"),
    pytest.param((0.5, 10.0, 1.0, 3.0), (5, 40.0, 52.0, 52.0), 2.464748236749798, 1, id="a=1"),
    pytest.param(CDNOW_WEEKS, (2, 30.43, 38.86, 39.0), 1.2260281747671444, 1, id="fhl-example"),
    pytest.param(
        (2.0, 1.0, 0.03, 400.0), (0, 0.0, 1.0, 20000.0), 18158.271920504365, 3, id="long-horizon"
    ),
    pytest.param((0.8, 2.0, 5.0, 800.0), (3, 3.0, 4.0, 9000.0), 198.85044641368918, 3, id="big-b"),
]


def model(params: tuple[float, float, float, float]) -> BetaGeoFitter:
    fitted = BetaGeoFitter()
    fitted.r_, fitted.alpha_, fitted.a_, fitted.b_ = params
    return fitted


def route(params: tuple[float, float, float, float], x: float, T: float, t: float) -> int:
    r, alpha, a, b = params
    u, shape, b_post = (np.array([v]) for v in (t / (alpha + T), r + x, b + x))
    if expectation._pfaff_series(u, shape, a, b_post)[1][0]:
        return 1
    direct = expectation._hyp2f1_direct(u, shape, a, b_post)[0]
    return 2 if np.isfinite(direct) and 0 <= direct <= shape[0] * u[0] else 3


@pytest.mark.parametrize(("params", "customer", "reference", "expected_route"), CASES)
def test_conditional_expectation_matches_high_precision_reference(
    params: tuple[float, float, float, float],
    customer: tuple[float, float, float, float],
    reference: float,
    expected_route: int,
) -> None:
    x, t_x, T, t = customer

    value = model(params).conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T)

    assert route(params, x, T, t) == expected_route
    assert float(value) == pytest.approx(reference, rel=1e-9)


def test_scipy_hyp2f1_as_written_fails_for_heavy_buyers_where_we_do_not() -> None:
    """Why the transformation exists: the textbook form gives NaN for a 2,000-purchase buyer."""
    r, alpha, a, b = CDNOW_DAYS
    x, T, t = 2000, 1460.0, 730.0
    u, shape, b_post = np.array([t / (alpha + T)]), np.array([r + x]), np.array([b + x])

    assert not np.isfinite(expectation._hyp2f1_direct(u, shape, a, b_post)[0])
    assert np.isfinite(expectation.expected_purchases_while_alive(u, shape, a, b_post)[0])


def test_the_three_routes_agree_where_they_overlap() -> None:
    rng = np.random.default_rng(12)
    n = 400
    u = np.exp(rng.uniform(np.log(0.01), np.log(20), n))
    shape = np.exp(rng.uniform(np.log(0.1), np.log(15), n))
    b_post = shape + np.exp(rng.uniform(np.log(0.5), np.log(20), n))
    a = 1.7

    series, converged = expectation._pfaff_series(u, shape, a, b_post)
    direct = expectation._hyp2f1_direct(u, shape, a, b_post)
    some = np.flatnonzero(converged)[:5]
    quadrature = [expectation._by_quadrature(u[i], shape[i], a, b_post[i]) for i in some]

    assert converged.mean() > 0.9
    np.testing.assert_allclose(series[converged], direct[converged], rtol=1e-9)
    np.testing.assert_allclose(series[some], quadrature, rtol=1e-9)


def test_small_horizon_is_accurate_where_subtracting_from_one_would_cancel() -> None:
    """For tiny u the answer is about shape * u; 1 - 2F1 computed directly loses those digits."""
    r, _, a, b = CDNOW_WEEKS
    u = np.array([1e-9])

    value = expectation.expected_purchases_while_alive(u, np.array([r]), a, np.array([b]))

    assert value[0] == pytest.approx(r * 1e-9, rel=1e-6)


def test_a_equal_to_one_is_the_limit_of_nearby_a() -> None:
    u, shape, b_post = np.array([3.0]), np.array([2.5]), np.array([4.0])

    at_one = expectation.expected_purchases_while_alive(u, shape, 1.0, b_post)[0]
    nearby = [
        expectation.expected_purchases_while_alive(u, shape, a, b_post)[0]
        for a in (1 - 1e-7, 1 + 1e-7)
    ]

    assert np.isfinite(at_one)
    assert at_one == pytest.approx(np.mean(nearby), rel=1e-6)


def test_result_respects_the_bound_e_le_shape_times_u() -> None:
    """(1 - (1 + p u)^-s) / p <= s u for every p, so the posterior mean is too."""
    rng = np.random.default_rng(4)
    u = np.exp(rng.uniform(np.log(1e-4), np.log(50), 300))
    shape = np.exp(rng.uniform(np.log(0.05), np.log(3000), 300))
    b_post = shape + np.exp(rng.uniform(np.log(0.1), np.log(30), 300))

    for a in (0.2, 0.793, 1.0, 4.0):
        value = expectation.expected_purchases_while_alive(u, shape, a, b_post)
        assert np.all(np.isfinite(value))
        assert np.all((value > 0) & (value <= shape * u * (1 + 1e-9)))


def test_quadrature_copes_with_posteriors_whose_beta_function_underflows() -> None:
    # B(3, 1e6) is about 2e-18 and the posterior of p is a spike near 3e-6: the integral
    # is taken in log space around that spike.
    u, shape, b_post = 2.0, 1e6 - 2.0, 1e6
    series, converged = expectation._pfaff_series(
        np.array([u]), np.array([shape]), 3.0, np.array([b_post])
    )

    assert converged[0]
    assert expectation._by_quadrature(u, shape, 3.0, b_post) == pytest.approx(series[0], rel=1e-9)
