"""Per-customer intervals by parametric bootstrap over the parameters' sampling distribution.

Parameter vectors are drawn from the normal approximation on the log-parameters (mean the
estimate, covariance the inverse observed information, see
:class:`~tenure.insights.clv.identification.ParameterUncertainty`); each draw predicts every
distinct history at once, and the quantiles over draws give the interval. The interval is
about the model's parameters, not about the customer's own randomness: a customer expected
to make 1.2 purchases will make 0, 1, 2 or more whatever the interval says.
"""

from __future__ import annotations

import copy

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from ._inputs import FloatArray, as_float_array, check_purchase_history, distinct_rows
from .bgnbd import BetaGeoFitter
from .identification import ParameterUncertainty
from .lifetime_value import PeriodLength, TimeUnit, discounted_value, period_in_time_units
from .pareto_nbd import ParetoNBDFitter

__all__ = ["prediction_intervals"]


def _with_params(
    model: BetaGeoFitter | ParetoNBDFitter, params: FloatArray
) -> BetaGeoFitter | ParetoNBDFitter:
    clone = copy.copy(model)
    for name, value in zip(model.param_names, params, strict=True):
        setattr(clone, f"{name}_", float(value))
    return clone


def prediction_intervals(
    model: BetaGeoFitter | ParetoNBDFitter,
    uncertainty: ParameterUncertainty,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    horizon: int = 12,
    period: PeriodLength = "M",
    time_unit: TimeUnit = "W",
    value_per_purchase: ArrayLike | None = None,
    discount_rate: float = 0.01,
    level: float = 0.9,
    draws: int = 200,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Bootstrap intervals of probability alive, expected purchases and (optionally) CLV.

    Parameters
    ----------
    model
        Fitted transaction model.
    uncertainty
        Its sampling distribution (``diagnose_fit(...).uncertainty``).
    frequency, recency, T
        Histories to predict.
    horizon, period, time_unit
        Expected purchases cover ``horizon`` periods of length ``period``.
    value_per_purchase
        If given (e.g. the Gamma-Gamma expectation), CLV intervals are added: discounted
        value at ``discount_rate`` per period. The value per purchase is held at its
        estimate; only the transaction model's parameters vary.
    level
        Central interval probability, in (0, 1).
    draws
        Parameter draws.
    rng
        Seeded generator.

    Returns
    -------
    polars.DataFrame
        One row per customer in input order: ``probability_alive_low/high``,
        ``expected_purchases_low/high`` and, with ``value_per_purchase``, ``clv_low/high``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if draws < 2:
        raise ValueError(f"draws must be at least 2, got {draws!r}")
    x, t_x, age = (np.atleast_1d(v) for v in check_purchase_history(frequency, recency, T))
    (ux, ut, uT), inverse = distinct_rows(x, t_x, age)
    span = horizon * period_in_time_units(period, time_unit)
    samples = uncertainty.draws(draws, rng)
    alive = np.empty((draws, ux.size))
    purchases = np.empty((draws, ux.size))
    discounted = np.empty((draws, ux.size)) if value_per_purchase is not None else None
    for i, params in enumerate(samples):
        drawn = _with_params(model, params)
        alive[i] = drawn.conditional_probability_alive(ux, ut, uT)
        purchases[i] = drawn.conditional_expected_number_of_purchases_up_to_time(span, ux, ut, uT)
        if discounted is not None:
            discounted[i] = discounted_value(
                drawn,
                ux,
                ut,
                uT,
                1.0,
                horizon=horizon,
                discount_rate=discount_rate,
                time_unit=time_unit,
                period=period,
            )
    tails = [(1 - level) / 2, (1 + level) / 2]
    columns: dict[str, FloatArray] = {}
    for name, values in (("probability_alive", alive), ("expected_purchases", purchases)):
        low, high = np.quantile(values, tails, axis=0)
        columns[f"{name}_low"], columns[f"{name}_high"] = low[inverse], high[inverse]
    if discounted is not None and value_per_purchase is not None:
        value = np.broadcast_to(
            as_float_array(value_per_purchase, "value_per_purchase"), x.shape
        ).astype(np.float64)
        low, high = np.quantile(discounted, tails, axis=0)
        columns["clv_low"], columns["clv_high"] = low[inverse] * value, high[inverse] * value
    return pl.DataFrame(columns)
