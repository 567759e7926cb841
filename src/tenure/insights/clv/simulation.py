"""Simulate customers from the BG/NBD and Gamma-Gamma models, with their hidden truth.

Used to check that the fitters recover known parameters, to benchmark them, and to build
demo data whose ground truth is known.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from ._inputs import FloatArray, as_float_array

__all__ = ["simulate_bgnbd", "simulate_gamma_gamma"]


def simulate_bgnbd(
    T: ArrayLike,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    rng: np.random.Generator,
    holdout: float = 0.0,
) -> pl.DataFrame:
    """Draw one purchase history per customer from the BG/NBD model.

    Each customer makes a first purchase at time 0, then buys at rate ``lambda ~ Gamma(r,
    alpha)`` (``alpha`` a rate) and drops out right after each repeat purchase with
    probability ``p ~ Beta(a, b)`` (Fader, Hardie & Lee 2005, assumptions i-v). Times are
    exact, not rounded to days.

    Parameters
    ----------
    T
        Observation length per customer (time from the first purchase to the end of
        observation). Its length is the number of customers.
    r, alpha, a, b
        Model parameters.
    rng
        Seeded generator, e.g. ``numpy.random.default_rng(42)``.
    holdout
        Length of a further period after ``T`` in which purchases are counted too.

    Returns
    -------
    polars.DataFrame
        ``frequency``, ``recency``, ``T``, ``holdout_purchases`` and the hidden truth
        ``purchase_rate``, ``dropout_probability`` and ``alive`` (alive at ``T``).
    """
    age = np.atleast_1d(as_float_array(T, "T"))
    if (age < 0).any():
        raise ValueError("T must be >= 0")
    if min(r, alpha, a, b) <= 0:
        raise ValueError("r, alpha, a and b must all be > 0")
    if holdout < 0:
        raise ValueError("holdout must be >= 0")
    n = age.size
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    # Repeat purchases the customer will make in total before dropping out (>= 1).
    lifetime_purchases = rng.geometric(np.clip(dropout, 1e-300, 1.0))
    would_buy = rng.poisson(rate * age)
    x = np.minimum(would_buy, lifetime_purchases)
    # Given N Poisson arrivals in (0, T], they are uniform; the x-th of them is
    # T * Beta(x, N - x + 1).
    has_repeat = x > 0
    recency = np.zeros(n)
    recency[has_repeat] = age[has_repeat] * rng.beta(
        x[has_repeat], would_buy[has_repeat] - x[has_repeat] + 1
    )
    alive = would_buy < lifetime_purchases
    future = rng.poisson(rate * holdout)
    holdout_purchases = np.where(alive, np.minimum(future, lifetime_purchases - x), 0)
    return pl.DataFrame(
        {
            "frequency": x.astype(np.int64),
            "recency": recency,
            "T": age,
            "holdout_purchases": holdout_purchases.astype(np.int64),
            "purchase_rate": rate,
            "dropout_probability": dropout,
            "alive": alive,
        }
    )


def simulate_gamma_gamma(
    frequency: ArrayLike, *, p: float, q: float, v: float, rng: np.random.Generator
) -> FloatArray:
    """Draw the mean repeat-purchase value of each customer from the Gamma-Gamma model.

    Each customer has a spend scale ``nu ~ Gamma(q, v)`` and each purchase is worth
    ``z ~ Gamma(p, nu)`` (rates, as in Fader & Hardie 2013); the mean of ``x`` purchases is
    ``Gamma(p x, nu x)``. Customers with ``frequency == 0`` get 0.

    Returns
    -------
    numpy.ndarray
        Mean value of the repeat purchases per customer.
    """
    x = np.atleast_1d(as_float_array(frequency, "frequency"))
    if (x < 0).any() or (x != np.floor(x)).any():
        raise ValueError("frequency must hold whole numbers >= 0")
    if min(p, q, v) <= 0:
        raise ValueError("p, q and v must all be > 0")
    scale = rng.gamma(q, 1.0 / v, x.size)
    has_repeat = x > 0
    mean_value = np.zeros(x.size)
    xs = x[has_repeat]
    mean_value[has_repeat] = rng.gamma(p * xs, 1.0 / (scale[has_repeat] * xs))
    return mean_value
