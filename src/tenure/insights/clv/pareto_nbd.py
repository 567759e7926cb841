"""Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys at a Poisson rate ``lambda ~ Gamma(r, alpha)``; their lifetime
is exponential with rate ``mu ~ Gamma(s, beta)``, so a customer may drop out at any moment,
not only right after a purchase as in BG/NBD. The likelihood and the conditional
expectations follow Fader, Hardie & Lee (2005), "A Note on Deriving the Pareto/NBD Model and
Related Expressions" (brucehardie.com/notes/009), eq. 22 and 24, and the CDNOW estimates in
Fader, Hardie & Lee (2005), *Marketing Science* 24(2), table 1.

Histories are ``frequency`` (repeat purchases ``x``), ``recency`` (``t_x``) and ``T``, as for
:class:`~tenure.insights.clv.BetaGeoFitter`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from ._inputs import FloatArray, check_horizon, check_purchase_history, distinct_rows
from ._mle import ConvergenceWarning, prior_penalty, weighted_sum

__all__ = ["ParetoNBDFitter"]

_MODEL = "Pareto/NBD"
_LOG_BOUND = 30.0


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """``ln A0`` of the Hardie note (eq. 19-20): the customer died between ``t_x`` and ``T``.

    The note switches to ``beta``'s side when ``alpha < beta``, which puts ``r + x`` into the
    hypergeometric function's second parameter and makes it very slow (hundreds of ms for a
    few thousand customers) once ``x`` grows and ``beta`` runs off on data without dropout.
    Staying on ``alpha``'s side keeps ``s + 1`` there; the argument ``(alpha - beta) /
    (alpha + t)`` is then negative, which SciPy maps to ``[0, 1)`` by Pfaff's transformation,
    where the series converges for every ``x``. The difference of the two terms is formed
    in logs so that it stays accurate when it is far below either term.
    """
    rsx = r + s + x
    largest, second, gap = alpha, s + 1.0, alpha - beta
    with np.errstate(divide="ignore"):
        log_first = np.log(special.hyp2f1(rsx, second, rsx + 1.0, gap / (largest + t_x))) - rsx * (
            np.log(largest + t_x)
        )
        log_last = np.log(special.hyp2f1(rsx, second, rsx + 1.0, gap / (largest + T))) - rsx * (
            np.log(largest + T)
        )
        ratio = np.minimum(np.exp(log_last - log_first), 1.0)
        return np.asarray(log_first + np.log1p(-ratio), dtype=np.float64)


def _log_alive_and_dead(
    params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return the two parts of the likelihood after ``Gamma(r+x) alpha^r beta^s / Gamma(r)``.

    ``alive``: still alive at ``T``; ``dead``: died in ``(t_x, T]``.
    """
    r, alpha, s, beta = (float(p) for p in params)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, T)
    return alive, dead


def _log_likelihood(
    params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray, weight: FloatArray
) -> float:
    r, alpha, s, beta = (float(p) for p in params)
    alive, dead = _log_alive_and_dead(params, x, t_x, T)
    per_row = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + np.logaddexp(alive, dead)
    )
    return weighted_sum(weight, per_row)


@dataclass(frozen=True)
class _Histories:
    """Distinct ``(x, t_x, T)`` rows and how many customers each stands for."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weight: FloatArray

    @classmethod
    def of(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _Histories:
        (dx, dt, dT), inverse = distinct_rows(x, t_x, T)
        weight = np.bincount(inverse, minlength=dx.size).astype(np.float64)
        return cls(dx, dt, dT, weight)

    @property
    def n(self) -> float:
        return float(self.weight.sum())

    def log_likelihood(self, params: FloatArray) -> float:
        return _log_likelihood(params, self.x, self.t_x, self.T, self.weight)


class ParetoNBDFitter:
    """Pareto/NBD model, fitted by maximum likelihood (or MAP, see ``prior_sd``).

    Parameters
    ----------
    prior_sd
        If given, a normal prior with this standard deviation on each log-parameter (centred
        on 1 for the shapes ``r`` and ``s`` and on the data's mean time between purchases for
        the scales ``alpha`` and ``beta``), and the fit is the posterior mode. ``None`` (the
        default) is plain maximum likelihood.
    tol
        Convergence tolerance on the log-parameters of the Nelder-Mead polish (``xatol``),
        used when L-BFGS-B on finite-difference gradients stops short.
    maxiter
        Maximum number of Nelder-Mead iterations of that polish.

    Attributes
    ----------
    r_, alpha_ : float
        Gamma distribution of purchase rates (``alpha_`` in the data's time unit).
    s_, beta_ : float
        Gamma distribution of dropout rates (``beta_`` in the data's time unit).
    log_likelihood_ : float
        Total log-likelihood at the estimates (without the prior).
    n_customers_ : int
        Customers the model was fitted on.
    n_iter_ : int
        Optimiser iterations used.
    converged_ : bool
        Whether the optimiser met its tolerance.
    """

    param_names: tuple[str, ...] = ("r", "alpha", "s", "beta")

    def __init__(
        self, prior_sd: float | None = None, tol: float = 1e-9, maxiter: int = 20_000
    ) -> None:
        self.prior_sd = prior_sd
        self.tol = tol
        self.maxiter = maxiter

    def __repr__(self) -> str:
        """Show the fitted parameters, or that the model is not fitted yet."""
        if not hasattr(self, "r_"):
            return "ParetoNBDFitter() (not fitted)"
        return (
            f"ParetoNBDFitter(r={self.r_:.4g}, alpha={self.alpha_:.4g}, s={self.s_:.4g}, "
            f"beta={self.beta_:.4g}; {self.n_customers_} customers, "
            f"log-likelihood {self.log_likelihood_:.6g})"
        )

    @property
    def params_(self) -> FloatArray:
        """Fitted ``(r, alpha, s, beta)`` as an array."""
        return np.array(self._fitted(), dtype=np.float64)

    def fit(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Self:
        """Estimate ``r, alpha, s, beta`` from each customer's purchase history.

        Parameters
        ----------
        frequency, recency, T
            Repeat purchases, time from first to last purchase, time from first purchase to
            the end of observation (as for ``BetaGeoFitter.fit``).

        Returns
        -------
        ParetoNBDFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            On invalid histories or settings, or when no customer has a repeat purchase.
        """
        if self.prior_sd is not None and not self.prior_sd > 0:
            raise ValueError(f"prior_sd must be > 0 or None, got {self.prior_sd!r}")
        x, t_x, age = (np.atleast_1d(v) for v in check_purchase_history(frequency, recency, T))
        if not (x > 0).any():
            raise ValueError(
                "Pareto/NBD needs at least one customer with a repeat purchase (frequency > 0)"
            )
        histories = _Histories.of(x, t_x, age)
        centre = _prior_centre(x, age)
        prior_sd = self.prior_sd
        n = histories.n

        def objective(log_params: FloatArray) -> float:
            if np.any(np.abs(log_params) > _LOG_BOUND + 1e-3):
                return np.inf
            value = -histories.log_likelihood(np.exp(log_params)) / n
            if prior_sd is not None:
                value += prior_penalty(log_params, centre, prior_sd) / n
            return value if np.isfinite(value) else np.inf

        # L-BFGS-B on finite-difference gradients needs a fifth of Nelder-Mead's
        # evaluations (150 against 800 on CDNOW, the same estimate); the simplex only
        # polishes when the line search gives up away from a flat gradient.
        result = optimize.minimize(
            objective,
            centre,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
            options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 1000, "eps": 1e-7},
        )
        iterations = int(result.nit)
        if not result.success:
            result = optimize.minimize(
                objective,
                result.x,
                method="Nelder-Mead",
                options={
                    "xatol": self.tol,
                    "fatol": 1e-14,
                    "maxiter": int(self.maxiter),
                    "maxfev": 4 * int(self.maxiter),
                    "adaptive": True,
                },
            )
            iterations += int(result.nit)
        self.r_, self.alpha_, self.s_, self.beta_ = (float(v) for v in np.exp(result.x))
        self.log_likelihood_ = histories.log_likelihood(np.exp(result.x))
        self.n_customers_ = int(x.size)
        self.n_iter_ = iterations
        self.converged_ = bool(result.success)
        if not self.converged_:
            warnings.warn(
                f"{_MODEL}: the optimiser stopped without converging ({result.message})",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._prior_centre = centre
        return self

    def _log_density(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Callable[[FloatArray], float]:
        """``log_params -> log-likelihood (+ log-prior for a MAP fit)`` on these histories."""
        x, t_x, age = (np.atleast_1d(v) for v in check_purchase_history(frequency, recency, T))
        histories = _Histories.of(x, t_x, age)
        prior_sd = self.prior_sd
        centre = getattr(self, "_prior_centre", _prior_centre(x, age))

        def density(log_params: FloatArray) -> float:
            value = histories.log_likelihood(np.exp(log_params))
            if prior_sd is not None:
                value -= prior_penalty(log_params, centre, prior_sd)
            return value

        return density

    def _fitted(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "r_"):
            raise AttributeError("this ParetoNBDFitter is not fitted yet; call fit() first")
        return self.r_, self.alpha_, self.s_, self.beta_

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Probability that each customer is still alive at ``T`` (Hardie note 009, eq. 24).

        Returns
        -------
        numpy.ndarray
            One probability per customer.
        """
        params = np.array(self._fitted())
        x, t_x, age = check_purchase_history(frequency, recency, T)
        shape = x.shape
        x, t_x, age = np.atleast_1d(x), np.atleast_1d(t_x), np.atleast_1d(age)
        (dx, dt, dT), inverse = distinct_rows(x, t_x, age)
        alive, dead = _log_alive_and_dead(params, dx, dt, dT)
        return np.asarray(special.expit(alive - dead)[inverse].reshape(shape), dtype=np.float64)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Return the expected purchases in ``(T, T + t]`` (Hardie note 009, eq. 25 times P(alive)).

        Parameters
        ----------
        t
            Horizon in the data's time unit; a scalar or one per customer.
        frequency, recency, T
            Each customer's history.

        Returns
        -------
        numpy.ndarray
            Expected number of purchases in the next ``t``.
        """
        r, alpha, s, beta = self._fitted()
        horizon = check_horizon(t)
        alive = self.conditional_probability_alive(frequency, recency, T)
        x, _, age = check_purchase_history(frequency, recency, T)
        horizon, x, age = np.broadcast_arrays(horizon, x, age)
        rate = (r + x) / (alpha + age)
        return np.asarray(alive * rate * _expected_lifetime_in(horizon, s, beta + age))

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> FloatArray:
        """Return the expected repeat purchases of a new customer in ``(0, t]``."""
        r, alpha, s, beta = self._fitted()
        horizon = check_horizon(t)
        return np.asarray(r / alpha * _expected_lifetime_in(horizon, s, np.asarray(beta)))


def _expected_lifetime_in(t: FloatArray, s: float, scale: FloatArray) -> FloatArray:
    """``E[min(lifetime, t)]`` for an exponential lifetime with rate ``mu ~ Gamma(s, scale)``."""
    if abs(s - 1.0) < 1e-9:
        return np.asarray(scale * np.log1p(t / scale), dtype=np.float64)
    return np.asarray(
        scale / (s - 1.0) * (1.0 - np.exp((s - 1.0) * -np.log1p(t / scale))), dtype=np.float64
    )


def _prior_centre(x: FloatArray, T: FloatArray) -> FloatArray:
    """Start (and prior centre): unit shapes, scales at the mean time between purchases."""
    gap = max(float(T.sum()) / max(float(x.sum()), 1.0), 1e-6)
    return np.log(np.array([1.0, gap, 1.0, gap], dtype=np.float64))
