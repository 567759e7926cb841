"""Discounted customer lifetime value, per customer and as a per-account frame.

Convention (the one ``lifetimes`` uses): time is cut into ``horizon`` periods of equal
length; the purchases expected in period ``k`` are valued at the expected value per purchase
and discounted by ``(1 + discount_rate)^k``, i.e. as if paid at the end of the period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from ._inputs import FloatArray, as_float_array, check_purchase_history, distinct_rows

if TYPE_CHECKING:
    from .gamma_gamma import GammaGammaFitter

__all__ = [
    "PeriodLength",
    "TimeUnit",
    "TransactionModel",
    "account_clv",
    "discounted_value",
    "period_in_time_units",
]

TimeUnit = Literal["D", "W"]
PeriodLength = Literal["D", "W", "M", "Q", "Y"] | float

_DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0}
_DAYS_PER_PERIOD: dict[str, float] = {
    "D": 1.0,
    "W": 7.0,
    "M": 365.25 / 12,
    "Q": 365.25 / 4,
    "Y": 365.25,
}


class TransactionModel(Protocol):
    """What CLV needs from a fitted purchase-count model such as ``BetaGeoFitter``."""

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Return each customer's probability of being alive at ``T``."""
        ...

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Return each customer's expected purchases in the next ``t`` periods."""
        ...


def period_in_time_units(period: PeriodLength, time_unit: TimeUnit) -> float:
    """Length of one discounting period in the model's time unit.

    ``period_in_time_units("M", "W")`` is 4.348 (365.25 / 12 / 7); a number is taken as the
    length in time units already.
    """
    if time_unit not in _DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be 'D' or 'W', got {time_unit!r}")
    if isinstance(period, str):
        if period not in _DAYS_PER_PERIOD:
            raise ValueError(f"period must be one of D, W, M, Q, Y or a number, got {period!r}")
        return _DAYS_PER_PERIOD[period] / _DAYS_PER_UNIT[time_unit]
    length = float(period)
    if not (np.isfinite(length) and length > 0):
        raise ValueError(f"period must be a positive number of time units, got {period!r}")
    return length


def discounted_value(
    transaction_model: TransactionModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    value_per_purchase: ArrayLike,
    *,
    horizon: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "W",
    period: PeriodLength = "M",
) -> FloatArray:
    """Discounted value of the purchases each customer is expected to make.

    ``sum_{k=1..horizon} value * (E[Y(k P)] - E[Y((k-1) P)]) / (1 + discount_rate)^k`` with
    ``P`` the period length in the model's time unit and ``E[Y(t)]`` the expected purchases
    in the next ``t`` given the history.

    Parameters
    ----------
    transaction_model
        A fitted model with ``conditional_expected_number_of_purchases_up_to_time``.
    frequency, recency, T
        Each customer's history in ``time_unit``.
    value_per_purchase
        Expected value of each future purchase (e.g. from
        ``GammaGammaFitter.conditional_expected_average_profit``).
    horizon
        Number of periods (>= 1).
    discount_rate
        Rate per period (>= 0).
    time_unit
        ``"D"`` or ``"W"``, the unit of ``recency``, ``T`` and the model.
    period
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"`` or a length in time units.

    Returns
    -------
    numpy.ndarray
        Discounted value per customer.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a whole number of periods >= 1, got {horizon!r}")
    if not (np.isfinite(discount_rate) and discount_rate >= 0):
        raise ValueError(f"discount_rate must be >= 0, got {discount_rate!r}")
    step = period_in_time_units(period, time_unit)
    x, t_x, age = check_purchase_history(frequency, recency, T)
    value = as_float_array(value_per_purchase, "value_per_purchase")
    x, t_x, age, value = np.broadcast_arrays(x, t_x, age, value)
    out_shape = x.shape
    # The discounted purchase count depends on the history only, so compute it once per
    # distinct history and scale by each customer's value.
    (ux, ut, uT), inverse = distinct_rows(x.ravel(), t_x.ravel(), age.ravel())
    discounted_purchases = np.zeros(ux.size)
    previous = np.zeros(ux.size)
    for k in range(1, int(horizon) + 1):
        cumulative = transaction_model.conditional_expected_number_of_purchases_up_to_time(
            k * step, ux, ut, uT
        )
        discounted_purchases += (cumulative - previous) / (1.0 + discount_rate) ** k
        previous = cumulative
    return np.asarray(value * discounted_purchases[inverse].reshape(out_shape), np.float64)


def account_clv(
    summary: pl.DataFrame,
    transaction_model: TransactionModel,
    value_model: GammaGammaFitter,
    *,
    account_col: str = "account_id",
    horizon: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "W",
    period: PeriodLength = "M",
) -> pl.DataFrame:
    """Per-account CLV outputs from an RFM summary and two fitted models.

    Parameters
    ----------
    summary
        One row per account with ``frequency``, ``recency``, ``T`` and ``monetary_value``,
        as returned by :func:`tenure.insights.clv.rfm_summary`.
    transaction_model
        Fitted BG/NBD model (same ``time_unit`` as ``summary``).
    value_model
        Fitted Gamma-Gamma model.
    account_col
        Key column carried through to the output.
    horizon, discount_rate, time_unit, period
        As in :func:`discounted_value`.

    Returns
    -------
    polars.DataFrame
        ``account_col``, ``probability_alive`` (now), ``expected_orders`` (over the whole
        horizon, undiscounted), ``expected_order_value`` and ``clv`` (discounted), in the
        order of ``summary``.
    """
    needed = [account_col, "frequency", "recency", "T", "monetary_value"]
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise ValueError(
            f"account_clv: missing column(s) {', '.join(missing)}; the frame has "
            f"{', '.join(summary.columns)}"
        )
    frequency = summary.get_column("frequency").to_numpy()
    recency = summary.get_column("recency").to_numpy()
    age = summary.get_column("T").to_numpy()
    monetary = summary.get_column("monetary_value").to_numpy()
    step = period_in_time_units(period, time_unit)
    order_value = value_model.conditional_expected_average_profit(frequency, monetary)
    alive = transaction_model.conditional_probability_alive(frequency, recency, age)
    orders = transaction_model.conditional_expected_number_of_purchases_up_to_time(
        horizon * step, frequency, recency, age
    )
    clv = discounted_value(
        transaction_model,
        frequency,
        recency,
        age,
        order_value,
        horizon=horizon,
        discount_rate=discount_rate,
        time_unit=time_unit,
        period=period,
    )
    return pl.DataFrame(
        {
            account_col: summary.get_column(account_col),
            "probability_alive": alive,
            "expected_orders": orders,
            "expected_order_value": order_value,
            "clv": clv,
        }
    )
