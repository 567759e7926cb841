"""Gamma-Gamma model of the value of a customer's purchases.

Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma Model of Monetary Value.
http://www.brucehardie.com/notes/025/ (building on Colombo & Jiang 1999).

Each purchase of a customer is worth ``z ~ Gamma(p, nu)``; the customer's ``nu`` varies as
``Gamma(q, v)`` (the note calls ``v`` gamma). Only customers with at least one repeat
purchase carry information, and the model assumes a customer's spend per purchase is
independent of how often they buy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

import numpy as np
import polars as pl
from numpy.typing import ArrayLike
from scipy import special

from ._inputs import FloatArray, check_monetary
from ._mle import minimise_on_log_scale, weighted_sum
from .lifetime_value import PeriodLength, TimeUnit, discounted_value

if TYPE_CHECKING:
    from .lifetime_value import TransactionModel

__all__ = ["GammaGammaFitter"]

_MODEL = "Gamma-Gamma"


@dataclass(frozen=True)
class _Likelihood:
    """Log-likelihood of the mean repeat-purchase values, over distinct ``(x, zbar)``."""

    x: FloatArray
    value: FloatArray
    weight: FloatArray

    @classmethod
    def from_customers(cls, x: FloatArray, value: FloatArray) -> _Likelihood:
        rows = pl.DataFrame({"x": x, "m": value}).group_by(["x", "m"]).len().sort(["x", "m"])
        return cls(
            x=rows.get_column("x").to_numpy(),
            value=rows.get_column("m").to_numpy(),
            weight=rows.get_column("len").to_numpy().astype(np.float64),
        )

    @property
    def n(self) -> float:
        return float(self.weight.sum())

    def log_likelihood(self, p: float, q: float, v: float) -> tuple[float, FloatArray]:
        """Total log-likelihood of the ``zbar`` values and its gradient in ``(p, q, v)``.

        ``zbar | nu ~ Gamma(p x, nu x)`` mixed over ``nu ~ Gamma(q, v)`` (Fader & Hardie
        2013, eq. 3): ``G(px+q)/(G(px)G(q)) v^q x^(px) zbar^(px-1) / (v + x zbar)^(px+q)``.
        """
        x, m, w, n = self.x, self.value, self.weight, self.n
        px = p * x
        log_m, log_x = np.log(m), np.log(x)
        log_total = np.log(x * m + v)
        ll = weighted_sum(
            w,
            special.gammaln(px + q)
            - special.gammaln(px)
            + (px - 1.0) * log_m
            + px * log_x
            - (px + q) * log_total,
        )
        ll += n * (q * np.log(v) - special.gammaln(q))
        psi_pq = special.digamma(px + q)
        g_p = weighted_sum(w, x * (psi_pq - special.digamma(px) + log_m + log_x - log_total))
        g_q = weighted_sum(w, psi_pq - log_total) + n * (np.log(v) - special.digamma(q))
        g_v = n * q / v - weighted_sum(w, (px + q) / (x * m + v))
        return float(ll), np.array([g_p, g_q, g_v], dtype=np.float64)

    def objective(self, log_params: FloatArray, penalizer: float) -> tuple[float, FloatArray]:
        """Mean negative log-likelihood plus ridge penalty, and its log-parameter gradient."""
        params = np.exp(log_params)
        ll, grad = self.log_likelihood(*(float(v) for v in params))
        value = -ll / self.n + penalizer * float(params @ params)
        gradient = (-grad / self.n + 2.0 * penalizer * params) * params
        return value, gradient


class GammaGammaFitter:
    """Gamma-Gamma model of spend per purchase (Fader & Hardie 2013), by maximum likelihood.

    Parameters
    ----------
    penalizer
        Ridge penalty ``penalizer * (p^2 + q^2 + v^2)`` added to the mean negative
        log-likelihood; 0 is plain maximum likelihood.
    tol
        Gradient tolerance on the log-parameters of the mean negative log-likelihood.
    maxiter
        Maximum number of L-BFGS-B iterations.

    Attributes
    ----------
    p_, q_, v_ : float
        Shape of the spend per purchase, and shape and rate of its scale across customers
        (``v_`` is the paper's gamma).
    log_likelihood_ : float
        Total log-likelihood at the estimates (without the penalty).
    n_customers_ : int
        Customers the model was fitted on (those with ``frequency > 0``).
    n_iter_ : int
        Optimiser iterations used.
    """

    def __init__(self, penalizer: float = 0.0, tol: float = 1e-8, maxiter: int = 1000) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.maxiter = maxiter

    def __repr__(self) -> str:
        """Show the fitted parameters, or that the model is not fitted yet."""
        if not hasattr(self, "p_"):
            return f"GammaGammaFitter(penalizer={self.penalizer!r}) (not fitted)"
        return (
            f"GammaGammaFitter(p={self.p_:.4g}, q={self.q_:.4g}, v={self.v_:.4g}; "
            f"{self.n_customers_} customers, log-likelihood {self.log_likelihood_:.6g})"
        )

    def fit(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Self:
        """Estimate ``p, q, v`` from repeat-purchase counts and mean repeat-purchase values.

        Parameters
        ----------
        frequency
            Repeat purchases per customer; customers with 0 are skipped, as the model
            requires (they carry no repeat-purchase value).
        monetary_value
            Mean value of each customer's repeat purchases (> 0 where ``frequency > 0``).

        Returns
        -------
        GammaGammaFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            On invalid input, or when no customer has a repeat purchase.
        """
        if not self.penalizer >= 0:
            raise ValueError(f"penalizer must be >= 0, got {self.penalizer!r}")
        if not self.tol > 0:
            raise ValueError(f"tol must be > 0, got {self.tol!r}")
        x, value = check_monetary(frequency, monetary_value)
        x, value = np.atleast_1d(x), np.atleast_1d(value)
        repeat = x > 0
        if not repeat.any():
            raise ValueError(
                "Gamma-Gamma needs customers with at least one repeat purchase "
                "(frequency > 0); there are none"
            )
        likelihood = _Likelihood.from_customers(x[repeat], value[repeat])
        # Moment-style start: q = 2 puts the mean spend p v / (q - 1) at the sample mean.
        start = np.log(np.array([1.0, 2.0, float(np.mean(value[repeat]))]))
        penalizer = float(self.penalizer)
        result = minimise_on_log_scale(
            lambda theta: likelihood.objective(theta, penalizer),
            start,
            tol=float(self.tol),
            maxiter=int(self.maxiter),
            model=_MODEL,
        )
        self.p_, self.q_, self.v_ = (float(v) for v in result.params)
        self.log_likelihood_ = likelihood.log_likelihood(self.p_, self.q_, self.v_)[0]
        self.n_customers_ = int(repeat.sum())
        self.n_iter_ = result.n_iter
        return self

    def _fitted(self) -> tuple[float, float, float]:
        if not hasattr(self, "p_"):
            raise AttributeError("this GammaGammaFitter is not fitted yet; call fit() first")
        return self.p_, self.q_, self.v_

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> FloatArray:
        """Return the expected value of a customer's future purchases (F&H 2013, eq. 5).

        A weighted average of the population mean ``p v / (q - 1)`` and the customer's own
        mean, the weight on the latter growing with ``frequency``:
        ``p (v + x zbar) / (p x + q - 1)``. Customers without repeat purchases get the
        population mean.

        Raises
        ------
        ValueError
            If ``q <= 1``: the population mean spend is then infinite.
        """
        p, q, v = self._fitted()
        if q <= 1.0:
            raise ValueError(
                f"q = {q:.4g} <= 1: the model's mean spend per purchase is infinite, so no "
                "expected value exists (a few extreme values dominate the data)"
            )
        x, value = check_monetary(frequency, monetary_value)
        own = np.where(x > 0, value, 0.0)
        return np.asarray(p * (v + x * own) / (p * x + q - 1.0), dtype=np.float64)

    def customer_lifetime_value(
        self,
        transaction_model: TransactionModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        *,
        horizon: int = 12,
        discount_rate: float = 0.01,
        time_unit: TimeUnit = "W",
        period: PeriodLength = "M",
    ) -> FloatArray:
        """Discounted expected value of each customer's purchases over ``horizon`` periods.

        ``sum_{k=1..horizon} E[value per purchase] * (E[Y(k P)] - E[Y((k-1) P)]) /
        (1 + discount_rate)^k``, with ``P`` the period length and ``Y`` the purchases
        predicted by ``transaction_model`` (e.g. a fitted :class:`BetaGeoFitter`): each
        period's purchases are discounted at the period's end. See
        :func:`tenure.insights.clv.discounted_value`.

        Parameters
        ----------
        transaction_model
            Fitted model of purchase counts, in the same time unit as ``recency`` and ``T``.
        frequency, recency, T, monetary_value
            Each customer's history.
        horizon
            Number of periods.
        discount_rate
            Discount rate per period (0.01 a month is about 12.7 % a year).
        time_unit
            Unit of ``recency``, ``T`` and the transaction model: ``"D"`` or ``"W"``.
        period
            Length of a discounting period: ``"D"``, ``"W"``, ``"M"`` (365.25/12 days),
            ``"Q"``, ``"Y"``, or a number of time units.

        Returns
        -------
        numpy.ndarray
            CLV per customer, in the currency of ``monetary_value``.
        """
        value = self.conditional_expected_average_profit(frequency, monetary_value)
        return discounted_value(
            transaction_model,
            frequency,
            recency,
            T,
            value,
            horizon=horizon,
            discount_rate=discount_rate,
            time_unit=time_unit,
            period=period,
        )
