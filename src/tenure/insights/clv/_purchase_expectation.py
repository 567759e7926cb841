"""Expected purchases of a BG/NBD customer who is alive now, evaluated stably.

Fader, Hardie & Lee (2005), eqs. (9) and (10), express the expected number of purchases in
the next ``t`` periods through the Gaussian hypergeometric function

    (a + b' - 1) / (a - 1) * [1 - (alpha'/(alpha' + t))^r' 2F1(r', b'; a + b' - 1; t/(alpha' + t))]

with ``r' = r + x``, ``alpha' = alpha + T`` and ``b' = b + x`` (``x = T = 0`` for a new
customer). It is the posterior mean of ``(1 - (1 + p u)^-r') / p`` for ``p ~ Beta(a, b')`` and
``u = t / alpha'``. Evaluated as written it breaks down for the customers who matter most: once
``x`` is in the hundreds ``scipy.special.hyp2f1`` returns NaN, infinity or wrong digits (so does
mpmath's ``hyp2f1`` at 40 digits), and it divides by zero at ``a = 1``.

Three routes, tried in order for each distinct ``(u, r', b')``:

1. Pfaff's transformation turns the bracket into
   ``1 - (1 + u)^-(a-1) 2F1(a + b - r - 1, a - 1; a + b' - 1; u / (1 + u))``, whose first two
   parameters no longer grow with ``x`` while the third does, so the series converges fast for
   heavy buyers. Splitting off the first term and cancelling ``a - 1`` analytically removes the
   singularity at ``a = 1``. The sum stops on a rigorous bound of its tail.
2. Where the series would need too many terms (few purchases and a horizon much longer than
   the customer's age) ``scipy.special.hyp2f1`` on the original form is accurate, and is
   accepted when finite and within the bound ``0 <= E <= r' u``.
3. Anything left is integrated numerically over ``logit(p)``, where the integrand is smooth
   and decays exponentially at both ends.

The module is private: :mod:`tenure.insights.clv.bgnbd` is its only caller.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, special

from ._inputs import FloatArray, distinct_rows

__all__ = ["expected_purchases_while_alive"]

_SERIES_MAX_TERMS = 500
_SERIES_RTOL = 1e-14
_BOUND_SLACK = 1e-9


def expected_purchases_while_alive(
    u: FloatArray, shape: FloatArray, a: float, b_post: FloatArray
) -> FloatArray:
    """Posterior mean of ``(1 - (1 + p u)^-shape) / p`` for ``p ~ Beta(a, b_post)``.

    Parameters
    ----------
    u
        Horizon over the posterior rate parameter, ``t / (alpha + T)``; >= 0.
    shape
        Posterior shape of the purchase rate, ``r + x``; > 0.
    a
        Dropout parameter ``a`` of the BG/NBD model; > 0.
    b_post
        Posterior ``b + x``; > 0.

    Returns
    -------
    numpy.ndarray
        Expected purchases in the horizon, given the customer is alive, broadcast shape.
    """
    u, shape, b_post = np.broadcast_arrays(
        np.asarray(u, np.float64), np.asarray(shape, np.float64), np.asarray(b_post, np.float64)
    )
    out_shape = u.shape
    # Customers share (x, T) far more often than not, and every distinct triple costs a
    # series or an integral, so evaluate each triple once.
    (uu, ss, bb), inverse = distinct_rows(u.ravel(), shape.ravel(), b_post.ravel())
    values = _evaluate(uu, ss, float(a), bb)
    return values[inverse].reshape(out_shape)


def _evaluate(u: FloatArray, shape: FloatArray, a: float, b_post: FloatArray) -> FloatArray:
    result = np.zeros_like(u)
    todo = u > 0
    series, converged = _pfaff_series(u[todo], shape[todo], a, b_post[todo])
    index = np.flatnonzero(todo)
    result[index[converged]] = series[converged]

    index = index[~converged]
    if index.size:
        direct = _hyp2f1_direct(u[index], shape[index], a, b_post[index])
        ok = np.isfinite(direct) & (direct >= 0)
        ok &= direct <= shape[index] * u[index] * (1 + _BOUND_SLACK)
        result[index[ok]] = direct[ok]
        for i in index[~ok]:
            result[i] = _by_quadrature(float(u[i]), float(shape[i]), a, float(b_post[i]))
    return result


def _pfaff_series(
    u: FloatArray, shape: FloatArray, a: float, b_post: FloatArray
) -> tuple[FloatArray, np.ndarray]:
    """Sum the transformed series; return values and a mask of elements that converged."""
    B = a - 1.0
    C = a + b_post - 1.0
    D = C - shape  # = a + b - r - 1: does not grow with the number of purchases
    w = u / (1.0 + u)
    log1p_u = np.log1p(u)
    # (1 - (1+u)^-B) / B, whose limit at a = 1 (B = 0) is log1p(u).
    head = log1p_u.copy() if B == 0.0 else -np.expm1(-B * log1p_u) / B
    scale = np.exp(-B * log1p_u)
    # The terms are kept multiplied by C so that a + b' close to 1 (C near 0) is harmless.
    term = D * w
    total = term.copy()
    # Bound on the ratio of later terms: f(i) - 1 = (beta i + gamma) / ((C + i)(i + 1)).
    beta = D + B - C - 1.0
    gamma = D * B - C

    n = u.size
    values = np.full(n, np.nan)
    converged = np.zeros(n, dtype=bool)
    live = np.arange(n)
    for k in range(1, _SERIES_MAX_TERMS):
        if live.size == 0:
            break
        d, c, ww = D[live], C[live], w[live]
        term[live] *= (d + k) * (B + k) * ww / ((c + k) * (k + 1))
        total[live] += term[live]
        kk = k + 1
        slope = np.maximum(beta[live] + np.abs(gamma[live]) / kk, 0.0)
        f_bar = 1.0 + slope / ((kk + 1) * (1.0 + np.minimum(c, 0.0) / kk))
        rho = ww * f_bar
        estimate = c * head[live] - scale[live] * total[live]
        with np.errstate(divide="ignore", invalid="ignore"):
            tail = scale[live] * np.abs(term[live]) * rho / (1.0 - rho)
        done = (rho < 1.0) & (d + kk > 0) & (tail <= _SERIES_RTOL * np.abs(estimate))
        done &= np.isfinite(estimate)
        if done.any():
            values[live[done]] = estimate[done]
            converged[live[done]] = True
            live = live[~done]
    return values, converged


def _hyp2f1_direct(u: FloatArray, shape: FloatArray, a: float, b_post: FloatArray) -> FloatArray:
    """FHL (2005) eq. (10) as written, through ``scipy.special.hyp2f1``."""
    C = a + b_post - 1.0
    with np.errstate(all="ignore"):
        decay = np.exp(-shape * np.log1p(u))
        value = C / (a - 1.0) * (1.0 - decay * special.hyp2f1(shape, b_post, C, u / (1.0 + u)))
    return np.asarray(value, dtype=np.float64)


def _by_quadrature(u: float, shape: float, a: float, b_post: float) -> float:
    """Integrate the posterior mean over ``s = logit(p)``.

    In ``s`` the integrand ``p^(a-1) (1-p)^b' (1 - (1 + p u)^-shape) / B(a, b')`` is smooth,
    behaves like ``exp(a s)`` on the left and ``exp(-b' s)`` on the right; it is scaled by
    its maximum so that neither tiny ``B(a, b')`` nor large exponents overflow.
    """
    log_beta = float(special.betaln(a, b_post))

    def log_integrand(s: FloatArray) -> FloatArray:
        log_p = -np.logaddexp(0.0, -s)
        log_q = -np.logaddexp(0.0, s)
        gain = -np.expm1(-shape * np.log1p(u * np.exp(log_p)))
        with np.errstate(divide="ignore"):
            return np.asarray((a - 1.0) * log_p + b_post * log_q + np.log(gain) - log_beta)

    beta_mode = float(np.log(a / b_post))
    saturation = float(-np.log1p(shape * u))
    low = min(beta_mode, saturation) - 60.0 / min(a, 1.0) - 10.0
    high = max(beta_mode, saturation) + 60.0 / min(b_post, 1.0) + 10.0
    grid = np.concatenate([np.linspace(low, high, 4001), [beta_mode, saturation]])
    log_values = log_integrand(grid)
    peak = float(grid[np.argmax(log_values)])
    shift = float(np.max(log_values))
    points = sorted({beta_mode, saturation, peak})

    def integrand(s: float) -> float:
        return float(np.exp(log_integrand(np.asarray(s)) - shift))

    value, _ = integrate.quad(
        integrand, low, high, points=points, limit=1000, epsabs=0.0, epsrel=1e-12
    )
    return float(np.exp(shift) * value)
