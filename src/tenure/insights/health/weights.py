"""Scorecard weights that would have predicted churn best, learnt under constraints.

The health score is a weighted mean of the measures' 0–100 scores. Given a backtest — each
account's measure scores at past cut-offs and whether it then churned — the weights that
would have ranked churners best are those of a **logistic regression of churn on the
measures' shortfalls** ``(100 - score) / 100``, with every coefficient **non-negative** (a
better score never means more risk) and the coefficients then rescaled to **sum to 100**,
so they read as the share of the score each measure carries. The fit is maximum likelihood
with a light ridge penalty, by L-BFGS-B under the bounds (Byrd, Lu, Nocedal & Zhu 1995).

A measure scored for too few rows in the backtest (a CRM that does not record it) cannot be
learnt: it keeps its current share and the learnt measures share the rest. A missing score
enters the fit at its column's mean shortfall, which adds nothing to an account's ranking —
as the scorecard, which re-weights the known measures, adds nothing for it either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from .scorecard import Measure, MeasureGroup, Scorecard

__all__ = ["WeightSuggestion", "suggest_weights", "with_weights"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class WeightSuggestion:
    """Learnt measure weights beside the current ones (both in % of the score).

    Attributes
    ----------
    current, suggested
        Measure key → share of the score in percent (each sums to 100).
    learnt
        Measures whose share was learnt; the others kept their current share.
    coefficients
        The regression's non-negative coefficient per learnt measure (log-odds per unit of
        shortfall), before rescaling.
    rows, positives
        Backtest rows fitted and churners among them.
    """

    current: dict[str, float]
    suggested: dict[str, float]
    learnt: tuple[str, ...]
    coefficients: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    positives: int = 0


def _fit_nonnegative(x: FloatArray, y: FloatArray, ridge: float) -> tuple[FloatArray, float]:
    """Logistic regression ``y ~ b + x @ beta`` with ``beta >= 0`` and an L2 penalty on beta."""
    # Imported here: this module loads with Django (the scorecard drafts), and SciPy's
    # optimisers cost every `tenure` command 0.3 s to import.
    from scipy import optimize, special

    n, k = x.shape
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))

    def loss(theta: FloatArray) -> tuple[float, FloatArray]:
        beta, intercept = theta[:k], theta[k]
        z = x @ beta + intercept
        value = np.sum(np.logaddexp(0.0, z) - y * z) / n + 0.5 * ridge * beta @ beta
        residual = (special.expit(z) - y) / n
        grad = np.r_[x.T @ residual + ridge * beta, residual.sum()]
        return float(value), np.asarray(grad, dtype=np.float64)

    start = np.r_[np.zeros(k), np.log(rate / (1 - rate))]
    bounds = [(0.0, None)] * k + [(None, None)]
    result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(result.x[:k], dtype=np.float64), float(result.x[k])


def _percent(shares: Mapping[str, float], adjust: Sequence[str] = ()) -> dict[str, float]:
    """Shares as percentages to one decimal that sum to exactly 100.

    The rounding remainder goes to the largest of ``adjust`` (all keys when empty), so
    kept shares read exactly as before.
    """
    total = sum(shares.values())
    values = {k: round(100.0 * v / total, 1) for k, v in shares.items()}
    largest = max(adjust or values, key=lambda k: values[k])
    values[largest] = round(values[largest] + 100.0 - sum(values.values()), 1)
    return values


def suggest_weights(
    scores: pl.DataFrame,
    y: ArrayLike,
    scorecard: Scorecard,
    *,
    min_known_share: float = 0.05,
    ridge: float = 1e-4,
) -> WeightSuggestion:
    """Learn the measures' shares of the health score from backtest outcomes.

    Parameters
    ----------
    scores
        One row per account and cut-off with ``score_<measure key>`` (0–100, null when
        the measure was not known) for every measure of ``scorecard``.
    y
        1 when the account churned in the horizon, else 0; one per row.
    scorecard
        The scorecard in force: its nominal shares are the current weights.
    min_known_share
        A measure known for a smaller share of the rows keeps its current weight.
    ridge
        L2 penalty on the coefficients (per row), so collinear measures share weight
        instead of the fit picking one at random.

    Returns
    -------
    WeightSuggestion
        Current and suggested shares in percent.

    Raises
    ------
    ValueError
        If a score column is missing, the lengths differ or ``y`` has a single class.
    """
    labels = np.asarray(y, dtype=np.float64).ravel()
    keys = [m.key for m in scorecard.measures]
    columns = [f"score_{k}" for k in keys]
    absent = [c for c in columns if c not in scores.columns]
    if absent:
        raise ValueError(f"suggest_weights: missing column(s) {', '.join(absent)}")
    if labels.size != scores.height:
        raise ValueError(f"y has {labels.size} values for {scores.height} rows")
    if not np.isin(labels, (0.0, 1.0)).all() or labels.min(initial=0) == labels.max(initial=0):
        raise ValueError("y must hold 0 and 1, both present")
    current = _percent(scorecard.nominal_shares())
    matrix = scores.select(pl.col(c).cast(pl.Float64) for c in columns).to_numpy()
    shortfall = (100.0 - matrix) / 100.0
    known = ~np.isnan(shortfall)
    learnable = [j for j in range(len(keys)) if known[:, j].mean() >= min_known_share]
    # A measure that never varies in the backtest says nothing about churn either.
    learnable = [j for j in learnable if np.nanstd(shortfall[:, j]) > 0]
    if not learnable:
        return WeightSuggestion(current, dict(current), (), {}, labels.size, int(labels.sum()))
    x = shortfall[:, learnable]
    x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
    beta, _ = _fit_nonnegative(x, labels, ridge)
    learnt_keys = [keys[j] for j in learnable]
    kept = {k: current[k] for k in keys if k not in learnt_keys}
    room = 100.0 - sum(kept.values())
    if beta.sum() <= 0 or room <= 0:
        return WeightSuggestion(current, dict(current), (), {}, labels.size, int(labels.sum()))
    raw = {k: room * b / beta.sum() for k, b in zip(learnt_keys, beta, strict=True)}
    suggested = _percent(raw | kept, adjust=learnt_keys)
    return WeightSuggestion(
        current=current,
        suggested=suggested,
        learnt=tuple(learnt_keys),
        coefficients={k: float(b) for k, b in zip(learnt_keys, beta, strict=True)},
        rows=int(labels.size),
        positives=int(labels.sum()),
    )


def with_weights(scorecard: Scorecard, shares: Mapping[str, float], *, version: str) -> Scorecard:
    """Return the scorecard with each measure carrying ``shares[key]`` % of the score.

    A group's weight becomes the sum of its measures' shares and each measure's weight its
    share, so :meth:`Scorecard.nominal_shares` gives back ``shares`` (over 100). A group
    whose measures all get 0 gets weight 0 and keeps its measures' old ratios (a group
    needs some weight among its measures). Bands, windows and settings are unchanged.
    """
    unknown = sorted(set(shares) - {m.key for m in scorecard.measures})
    if unknown:
        raise ValueError(f"with_weights: unknown measure(s) {unknown}")
    groups = []
    for group in scorecard.groups:
        weights = [float(shares.get(m.key, 0.0)) for m in group.measures]
        total = sum(weights)
        measures: tuple[Measure, ...] = group.measures
        if total > 0:
            measures = tuple(
                Measure(m.key, m.label, w, m.source, m.thresholds)
                for m, w in zip(group.measures, weights, strict=True)
            )
        groups.append(MeasureGroup(group.key, group.label, round(total, 6), measures))
    data = scorecard.to_dict() | {"version": version, "groups": [g.to_dict() for g in groups]}
    return Scorecard.from_dict(data)
