"""BG/NBD model of repeat buying: how many purchases, and whether the customer is alive.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers" the Easy
Way: An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2), 275-284.

While alive, a customer buys at a Poisson rate ``lambda ~ Gamma(r, alpha)``; after each
repeat purchase they drop out for good with probability ``p ~ Beta(a, b)``. A customer is
summarised by ``frequency`` (repeat purchases ``x``), ``recency`` (``t_x``, time from the
first to the last purchase) and ``T`` (time from the first purchase to the end of
observation), all in one time unit of the caller's choosing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np
import polars as pl
from numpy.typing import ArrayLike
from scipy import special

from ._inputs import FloatArray, check_horizon, check_purchase_history
from ._mle import LogParameterFit, minimise_on_log_scale, prior_penalty, weighted_sum
from ._purchase_expectation import expected_purchases_while_alive

__all__ = ["BetaGeoFitter"]

_MODEL = "BG/NBD"


def _distinct_histories(
    x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Distinct ``(x, t_x, T)`` rows sorted by ``x``, ``t_x``, ``T``, and their counts.

    Each column is coded by its rank among the column's distinct values and the three
    ranks packed into one integer, so one ``np.unique`` over a million integers does what
    grouping three float columns did more slowly. The sort order, and so the
    summation order of the likelihood, is the same as sorting the rows themselves: a refit
    gives bit-identical estimates.
    """
    # Polars finds the few hundred distinct times of a daily layout in a few ms where
    # np.unique(return_inverse=True) sorts the whole column; searchsorted then ranks.
    t_values = pl.Series(t_x).unique().sort().to_numpy()
    T_values = pl.Series(T).unique().sort().to_numpy()
    t_rank = np.searchsorted(t_values, t_x)
    T_rank = np.searchsorted(T_values, T)
    # Frequencies are validated whole numbers: they are their own rank.
    x_rank = x.astype(np.int64)
    x_values = np.arange(int(x_rank.max()) + 1, dtype=np.float64)
    if x_values.size * t_values.size * T_values.size >= 2**62:
        rows = (
            pl.DataFrame({"x": x, "t_x": t_x, "T": T})
            .group_by(["x", "t_x", "T"])
            .len()
            .sort(["x", "t_x", "T"])
        )
        return (
            rows.get_column("x").to_numpy(),
            rows.get_column("t_x").to_numpy(),
            rows.get_column("T").to_numpy(),
            rows.get_column("len").to_numpy().astype(np.float64),
        )
    n_t, n_T = np.int64(t_values.size), np.int64(T_values.size)
    key = (x_rank.astype(np.int64) * n_t + t_rank) * n_T + T_rank
    codes, counts = np.unique(key, return_counts=True)
    return (
        x_values[codes // (n_t * n_T)],
        t_values[(codes // n_T) % n_t],
        T_values[codes % n_T],
        counts.astype(np.float64),
    )


@dataclass(frozen=True)
class _Likelihood:
    """The BG/NBD log-likelihood (FHL 2005, eq. 6) on data reduced to distinct rows.

    Terms that depend on the customer only through ``x`` are evaluated once per distinct
    frequency; the rest once per distinct ``(x, t_x, T)``. Weights count the customers a
    row stands for.
    """

    n: float
    freq: FloatArray  # distinct frequencies
    freq_weight: FloatArray
    zero_T: FloatArray  # distinct T among customers without repeat purchases
    zero_weight: FloatArray
    x: FloatArray  # distinct (x, t_x, T) with x > 0
    t_x: FloatArray
    T: FloatArray
    weight: FloatArray
    repeat_freq: FloatArray  # distinct x > 0, and the index of each row's x in it
    repeat_index: np.ndarray

    times: FloatArray  # distinct recency and T values of the rows with x > 0
    t_x_index: np.ndarray  # each row's t_x and T as positions in ``times``
    T_index: np.ndarray

    @classmethod
    def from_customers(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _Likelihood:
        rx, rt, rT, rw = _distinct_histories(x, t_x, T)
        freq, freq_index = np.unique(rx, return_inverse=True)
        freq_weight = np.bincount(freq_index, weights=rw, minlength=freq.size).astype(np.float64)
        zero = rx == 0
        zero_T, zero_index = np.unique(rT[zero], return_inverse=True)
        zero_weight = np.bincount(zero_index, weights=rw[zero], minlength=zero_T.size).astype(
            np.float64
        )
        repeat = ~zero
        repeat_freq, repeat_index = np.unique(rx[repeat], return_inverse=True)
        # Histories in whole days share a few hundred distinct times: logs and reciprocals
        # of alpha + time are taken once per time and gathered, not once per row.
        times, time_index = np.unique(np.concatenate([rt[repeat], rT[repeat]]), return_inverse=True)
        half = int(repeat.sum())
        return cls(
            n=float(rw.sum()),
            freq=freq,
            freq_weight=freq_weight,
            zero_T=zero_T,
            zero_weight=zero_weight,
            x=rx[repeat],
            t_x=rt[repeat],
            T=rT[repeat],
            weight=rw[repeat],
            repeat_freq=repeat_freq,
            repeat_index=repeat_index,
            times=times,
            t_x_index=time_index[:half],
            T_index=time_index[half:],
        )

    def log_likelihood(
        self, r: float, alpha: float, a: float, b: float
    ) -> tuple[float, FloatArray]:
        """Total log-likelihood and its gradient with respect to ``(r, alpha, a, b)``."""
        fx, fw, n = self.freq, self.freq_weight, self.n
        # Part shared by every customer with the same x:
        # ln G(r+x) - ln G(r) + r ln(alpha) + ln B(a, b+x) - ln B(a, b).
        ll = weighted_sum(
            fw, special.gammaln(r + fx) + special.gammaln(b + fx) - special.gammaln(a + b + fx)
        )
        ll += n * (
            r * np.log(alpha) - special.gammaln(r) + special.gammaln(a + b) - special.gammaln(b)
        )
        g_r = weighted_sum(fw, special.digamma(r + fx)) + n * (np.log(alpha) - special.digamma(r))
        g_alpha = n * r / alpha
        g_a = n * special.digamma(a + b) - weighted_sum(fw, special.digamma(a + b + fx))
        g_b = g_a + weighted_sum(fw, special.digamma(b + fx)) - n * special.digamma(b)

        # Customers without repeat purchases: the alive term (alpha + T)^-r alone.
        zero_log_age = weighted_sum(self.zero_weight, np.log(alpha + self.zero_T))
        ll -= r * zero_log_age
        g_r -= zero_log_age
        g_alpha -= r * weighted_sum(self.zero_weight, 1.0 / (alpha + self.zero_T))

        # Customers with repeat purchases: ln(A1 + A2), A1 alive since t_x, A2 dropped out
        # right after the last purchase. With d = ln A2 - ln A1, ln(A1 + A2) = ln A1 +
        # softplus(d) and A2 / (A1 + A2) = expit(d); both come from exp(-|d|), which cannot
        # overflow, so nothing reaches log(0) however old or heavy the customer.
        w = self.weight
        rx = r + self.x
        shifted = alpha + self.times
        inv_time, log_time = 1.0 / shifted, np.log(shifted)
        inv_age = inv_time[self.T_index]
        inv_rec = inv_time[self.t_x_index]
        log_age = log_time[self.T_index]
        log_gap = log_time[self.t_x_index] - log_age
        log_b_x1 = np.log(b + self.repeat_freq - 1.0)
        d = (np.log(a) - log_b_x1[self.repeat_index]) - rx * log_gap
        small = np.exp(-np.abs(d))
        softplus = np.maximum(d, 0.0) + np.log1p(small)
        dropped = np.where(d >= 0.0, 1.0, small) / (1.0 + small)
        ll += weighted_sum(w, softplus - rx * log_age)
        g_r -= weighted_sum(w, log_age + dropped * log_gap)
        g_alpha -= weighted_sum(w, rx * (inv_age + dropped * (inv_rec - inv_age)))
        g_a += weighted_sum(w, dropped) / a
        dropped_by_freq = np.bincount(
            self.repeat_index, weights=w * dropped, minlength=self.repeat_freq.size
        ).astype(np.float64)
        g_b -= weighted_sum(dropped_by_freq, 1.0 / (b + self.repeat_freq - 1.0))
        return float(ll), np.array([g_r, g_alpha, g_a, g_b], dtype=np.float64)

    def objective(
        self,
        log_params: FloatArray,
        penalizer: float,
        prior: tuple[FloatArray, float] | None = None,
    ) -> tuple[float, FloatArray]:
        """Mean negative log-likelihood plus penalties, and its log-parameter gradient.

        ``prior``: ``(centre, sd)`` of independent normal priors on the log-parameters.
        """
        params = np.exp(log_params)
        ll, grad = self.log_likelihood(*(float(p) for p in params))
        value = -ll / self.n + penalizer * float(params @ params)
        # Chain rule through params = exp(log_params).
        gradient = (-grad / self.n + 2.0 * penalizer * params) * params
        if prior is not None:
            centre, sd = prior
            value += float(np.sum((log_params - centre) ** 2)) / (2.0 * sd**2 * self.n)
            gradient = gradient + (log_params - centre) / (sd**2 * self.n)
        return value, gradient


#: Above this many customers the fit starts from a fit on a sample of them.
_WARM_START_ABOVE = 200_000
_WARM_START_SAMPLE = 50_000


def _newton_from_sample(
    likelihood: _Likelihood,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
    start: FloatArray,
    penalizer: float,
    prior: tuple[FloatArray, float] | None,
    tol: float,
) -> LogParameterFit | None:
    """Fit a large data set in a few full-size evaluations; ``None`` means "use L-BFGS-B".

    L-BFGS-B spends most of its 15-odd evaluations on a million customers walking from the
    crude start and learning the curvature. A fixed sample of 50,000 customers (seeded, so a
    refit is bit-identical) gives both for a twentieth of the cost: its estimate is the
    start, and the Hessian of its mean objective (central differences of the analytic
    gradient) stands in for the full one, which differs by sampling error only. Newton
    steps with that fixed Hessian then converge linearly at a rate of that error, a few
    steps to the same tolerance L-BFGS-B meets (largest gradient component below ``tol``).
    """
    pick = np.random.default_rng(0).choice(x.size, _WARM_START_SAMPLE, replace=False)
    if not (x[pick] > 0).any():
        return None
    sample = _Likelihood.from_customers(x[pick], t_x[pick], T[pick])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rough = minimise_on_log_scale(
            lambda theta: sample.objective(theta, penalizer, prior),
            start,
            tol=1e-6,
            maxiter=200,
            model=_MODEL,
        )
    theta = np.log(rough.params)
    if np.any(np.abs(theta) > 25):
        return None
    step = 1e-4
    hessian = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        shift = np.zeros(theta.size)
        shift[i] = step
        up = sample.objective(theta + shift, penalizer, prior)[1]
        down = sample.objective(theta - shift, penalizer, prior)[1]
        hessian[i] = (up - down) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    if not np.all(np.linalg.eigvalsh(hessian) > 0):
        return None
    value, gradient = likelihood.objective(theta, penalizer, prior)
    for iteration in range(1, 31):
        direction = np.linalg.solve(hessian, gradient)
        scale = 1.0
        for _ in range(10):
            candidate = theta - scale * direction
            new_value, new_gradient = likelihood.objective(candidate, penalizer, prior)
            if new_value <= value:
                break
            scale /= 2
        else:
            return None
        theta, value, gradient = candidate, new_value, new_gradient
        if float(np.max(np.abs(gradient))) <= tol:
            return LogParameterFit(np.exp(theta), value, rough.n_iter + iteration, True)
    return None


def _starting_point(x: FloatArray, T: FloatArray) -> FloatArray:
    """Start roughly: unit shapes and a rate matching the average purchase rate."""
    rate = max(float(x.sum()) / max(float(T.sum()), 1e-12), 1e-6)
    return np.log(np.array([1.0, 1.0 / rate, 1.0, 1.0], dtype=np.float64))


class BetaGeoFitter:
    """BG/NBD model (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    Parameters
    ----------
    penalizer
        Ridge penalty on the parameters, added to the mean negative log-likelihood as
        ``penalizer * (r^2 + alpha^2 + a^2 + b^2)``; 0 (the default) is plain maximum
        likelihood. ``alpha`` is in the data's time unit, so the same penalizer pulls harder
        on a model fitted in days than in weeks.
    tol
        Stop when every component of the gradient of the mean negative log-likelihood with
        respect to the log-parameters is below ``tol``.
    maxiter
        Maximum number of L-BFGS-B iterations.
    prior_sd
        If given, independent normal priors with this standard deviation on the
        log-parameters, centred on ``r = a = b = 1`` and ``alpha`` at the data's mean time
        between purchases, and the fit is the posterior mode (MAP). Weakly informative at
        2 to 3: it keeps a fit off the no-dropout boundary (``a -> 0``) that the data cannot
        rule out, and barely moves a fit the data identify. ``None`` (the default) is
        maximum likelihood.

    Attributes
    ----------
    r_, alpha_ : float
        Shape and rate of the gamma distribution of purchase rates (``alpha_`` is in the
        time unit of the data).
    a_, b_ : float
        Parameters of the beta distribution of dropout probabilities.
    log_likelihood_ : float
        Total log-likelihood at the estimates (without the penalty).
    n_customers_ : int
        Customers the model was fitted on.
    n_iter_ : int
        Optimiser iterations used.
    """

    param_names: tuple[str, ...] = ("r", "alpha", "a", "b")

    def __init__(
        self,
        penalizer: float = 0.0,
        tol: float = 1e-8,
        maxiter: int = 1000,
        prior_sd: float | None = None,
    ) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.maxiter = maxiter
        self.prior_sd = prior_sd

    @property
    def params_(self) -> FloatArray:
        """Fitted ``(r, alpha, a, b)`` as an array."""
        return np.array(self._fitted(), dtype=np.float64)

    def __repr__(self) -> str:
        """Show the fitted parameters, or that the model is not fitted yet."""
        if not hasattr(self, "r_"):
            return f"BetaGeoFitter(penalizer={self.penalizer!r}) (not fitted)"
        return (
            f"BetaGeoFitter(r={self.r_:.4g}, alpha={self.alpha_:.4g}, a={self.a_:.4g}, "
            f"b={self.b_:.4g}; {self.n_customers_} customers, "
            f"log-likelihood {self.log_likelihood_:.6g})"
        )

    def fit(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Self:
        """Estimate ``r, alpha, a, b`` from each customer's purchase history.

        Parameters
        ----------
        frequency
            Repeat purchases per customer (whole numbers >= 0).
        recency
            Time from first to last purchase (0 when ``frequency`` is 0).
        T
            Time from first purchase to the end of the observation period.

        Returns
        -------
        BetaGeoFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            On invalid histories (negative values, ``recency > T``, fractional frequency),
            invalid settings, or when no customer has a repeat purchase, which leaves the
            dropout process unidentified.
        """
        if not self.penalizer >= 0:
            raise ValueError(f"penalizer must be >= 0, got {self.penalizer!r}")
        if not self.tol > 0:
            raise ValueError(f"tol must be > 0, got {self.tol!r}")
        if self.prior_sd is not None and not self.prior_sd > 0:
            raise ValueError(f"prior_sd must be > 0 or None, got {self.prior_sd!r}")
        x, t_x, age = check_purchase_history(frequency, recency, T)
        x, t_x, age = np.atleast_1d(x), np.atleast_1d(t_x), np.atleast_1d(age)
        if not (x > 0).any():
            raise ValueError(
                "BG/NBD needs at least one customer with a repeat purchase (frequency > 0); "
                "without one the dropout parameters a and b cannot be estimated"
            )
        likelihood = _Likelihood.from_customers(x, t_x, age)
        penalizer = float(self.penalizer)
        start = _starting_point(x, age)
        prior = None if self.prior_sd is None else (start, float(self.prior_sd))
        result = None
        if x.size > _WARM_START_ABOVE:
            result = _newton_from_sample(
                likelihood, x, t_x, age, start, penalizer, prior, float(self.tol)
            )
        if result is None:
            result = minimise_on_log_scale(
                lambda theta: likelihood.objective(theta, penalizer, prior),
                start,
                tol=float(self.tol),
                maxiter=int(self.maxiter),
                model=_MODEL,
            )
        self.r_, self.alpha_, self.a_, self.b_ = (float(v) for v in result.params)
        self.log_likelihood_ = likelihood.log_likelihood(self.r_, self.alpha_, self.a_, self.b_)[0]
        self.n_customers_ = int(x.size)
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self._prior_centre = start
        return self

    def _log_density(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Callable[[FloatArray], float]:
        """``log_params -> log-likelihood (+ log-prior for a MAP fit)`` on these histories.

        The histories are compressed once, so the returned function is cheap to call many
        times (numerical Hessians).
        """
        x, t_x, age = (np.atleast_1d(v) for v in check_purchase_history(frequency, recency, T))
        likelihood = _Likelihood.from_customers(x, t_x, age)
        prior_sd = self.prior_sd
        centre = getattr(self, "_prior_centre", _starting_point(x, age))

        def density(log_params: FloatArray) -> float:
            r, alpha, a, b = (float(v) for v in np.exp(log_params))
            value = likelihood.log_likelihood(r, alpha, a, b)[0]
            if prior_sd is not None:
                value -= prior_penalty(log_params, centre, prior_sd)
            return value

        return density

    def _fitted(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "r_"):
            raise AttributeError("this BetaGeoFitter is not fitted yet; call fit() first")
        return self.r_, self.alpha_, self.a_, self.b_

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Probability that each customer is still alive at ``T`` (FHL 2005, footnote 5).

        ``1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``: 1 for customers without
        repeat purchases, whom the model cannot have lost yet.

        Returns
        -------
        numpy.ndarray
            One probability per customer (broadcast shape of the inputs).
        """
        r, alpha, a, b = self._fitted()
        x, t_x, age = check_purchase_history(frequency, recency, T)
        with np.errstate(divide="ignore"):
            log_odds_dead = (
                np.log(a)
                - np.log(np.maximum(b + x - 1.0, 1e-300))
                + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
            )
        return np.asarray(np.where(x > 0, special.expit(-log_odds_dead), 1.0), dtype=np.float64)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Return the expected purchases in the next ``t`` periods (FHL 2005, eq. 10).

        The hypergeometric function in the paper's formula is evaluated through a
        transformation that stays accurate for customers with thousands of purchases; see
        ``docs/clv.md``.

        Parameters
        ----------
        t
            Horizon, in the time unit of the data; a scalar or one per customer.
        frequency, recency, T
            Each customer's history, as in :meth:`fit`.

        Returns
        -------
        numpy.ndarray
            Expected number of purchases in ``(T, T + t]``.
        """
        r, alpha, a, b = self._fitted()
        horizon = check_horizon(t)
        alive = self.conditional_probability_alive(frequency, recency, T)
        x, _, age = check_purchase_history(frequency, recency, T)
        horizon, x, age = np.broadcast_arrays(horizon, x, age)
        while_alive = expected_purchases_while_alive(horizon / (alpha + age), r + x, a, b + x)
        return np.asarray(alive * while_alive, dtype=np.float64)

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> FloatArray:
        """Return the expected repeat purchases of a new customer in ``(0, t]`` (FHL 2005, eq. 9).

        Parameters
        ----------
        t
            Time since the first purchase, in the time unit of the data.
        """
        r, alpha, a, b = self._fitted()
        horizon = check_horizon(t)
        return expected_purchases_while_alive(horizon / alpha, np.asarray(r), a, np.asarray(b))
