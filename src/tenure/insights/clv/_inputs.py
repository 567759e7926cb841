"""Checks on the per-customer arrays that enter the CLV models, so bad input fails early.

A wrong recency or a fractional frequency does not make the likelihood raise; it silently
fits nonsense. Every public entry point therefore runs its arrays through here first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FloatArray",
    "as_float_array",
    "check_horizon",
    "check_monetary",
    "check_purchase_history",
    "distinct_rows",
]

FloatArray = NDArray[np.float64]

_SHOWN = 3


def _positions(mask: NDArray[np.bool_]) -> str:
    where = np.flatnonzero(mask)
    shown = ", ".join(str(i) for i in where[:_SHOWN])
    more = f" and {where.size - _SHOWN} more" if where.size > _SHOWN else ""
    return f"{where.size} row(s), at position(s) {shown}{more}"


def as_float_array(values: ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a finite float64 array of at most one dimension.

    Polars and pandas series, lists and scalars are accepted; nulls arrive as NaN and are
    refused with the column's name.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from None
    if array.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(f"{name} has null, NaN or infinite values in {_positions(bad)}")
    return array


def check_purchase_history(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate and broadcast the ``(frequency, recency, T)`` summary of each customer.

    Parameters
    ----------
    frequency
        Number of repeat purchases; whole numbers >= 0.
    recency
        Time from the first to the last purchase; 0 when there is no repeat purchase.
    T
        Time from the first purchase to the end of observation; ``recency <= T``.

    Returns
    -------
    tuple of numpy.ndarray
        The three arrays as float64, broadcast to a common shape.

    Raises
    ------
    ValueError
        Naming the rule that is broken and where.
    """
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    age = as_float_array(T, "T")
    try:
        x, t_x, age = np.broadcast_arrays(x, t_x, age)
    except ValueError:
        raise ValueError(
            f"frequency, recency and T must have the same length, got "
            f"{x.size}, {t_x.size} and {age.size}"
        ) from None
    if (x < 0).any():
        raise ValueError(f"frequency must be >= 0; negative in {_positions(x < 0)}")
    if (x != np.floor(x)).any():
        raise ValueError(
            f"frequency counts repeat purchases and must be whole; "
            f"fractional in {_positions(x != np.floor(x))}"
        )
    if (t_x < 0).any():
        raise ValueError(f"recency must be >= 0; negative in {_positions(t_x < 0)}")
    if (t_x > age).any():
        raise ValueError(
            "recency (first to last purchase) cannot exceed T (first purchase to end of "
            f"observation); recency > T in {_positions(t_x > age)}"
        )
    stray = (x == 0) & (t_x != 0)
    if stray.any():
        raise ValueError(
            f"recency must be 0 for customers without repeat purchases (frequency 0); "
            f"non-zero in {_positions(stray)}"
        )
    return x.astype(np.float64), t_x.astype(np.float64), age.astype(np.float64)


def check_monetary(
    frequency: ArrayLike, monetary_value: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Validate ``frequency`` and the mean repeat-purchase value of each customer.

    Values must be positive where ``frequency > 0``; for customers without repeat purchases
    the value is ignored by the Gamma-Gamma model and may be anything finite (usually 0).
    """
    x = as_float_array(frequency, "frequency")
    value = as_float_array(monetary_value, "monetary_value")
    try:
        x, value = np.broadcast_arrays(x, value)
    except ValueError:
        raise ValueError(
            f"frequency and monetary_value must have the same length, got {x.size} and {value.size}"
        ) from None
    if (x < 0).any() or (x != np.floor(x)).any():
        bad = (x < 0) | (x != np.floor(x))
        raise ValueError(f"frequency must be a whole number >= 0; not so in {_positions(bad)}")
    non_positive = (x > 0) & (value <= 0)
    if non_positive.any():
        raise ValueError(
            "monetary_value must be > 0 for customers with repeat purchases (the Gamma-Gamma "
            f"model describes positive spend); <= 0 in {_positions(non_positive)}"
        )
    return x.astype(np.float64), value.astype(np.float64)


def check_horizon(t: ArrayLike) -> FloatArray:
    """Validate a prediction horizon (one value or one per customer), which must be >= 0."""
    horizon = as_float_array(t, "t")
    if (horizon < 0).any():
        raise ValueError(f"the horizon t must be >= 0; negative in {_positions(horizon < 0)}")
    return horizon


def distinct_rows(*columns: FloatArray) -> tuple[list[FloatArray], NDArray[np.intp]]:
    """Distinct rows of equally long 1-D columns, and each row's index among them.

    ``np.unique(axis=0)`` does the same several times slower on a million rows; predictions
    are made per distinct row because customers share histories far more often than not.
    """
    n = columns[0].size
    if n == 0:
        return [c.copy() for c in columns], np.zeros(0, dtype=np.intp)
    order = np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    first = np.ones(n, dtype=bool)
    for c in ordered:
        first[1:] &= c[1:] == c[:-1]
    first[1:] = ~first[1:]
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return [c[first] for c in ordered], inverse
