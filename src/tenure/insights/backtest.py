"""How well a score ranks and predicts a yes/no outcome: the backtest metrics.

Every function takes ``y`` (1 for the event, e.g. churn; 0 otherwise) and a ``score`` where
higher means "more likely", and is written in NumPy so the figures can be recomputed
anywhere. ``tests/insights/test_backtest*.py`` checks them against scikit-learn where it is
installed.

* :func:`roc_auc` — probability that a random positive outranks a random negative (ties
  count half); 0.5 is chance.
* :func:`average_precision` (PR-AUC) — area under the precision-recall curve as a step
  function (scikit-learn's definition); chance equals the positive rate.
* :func:`top_decile_lift` — positive rate among the top 10 % of scores over the overall
  rate; ties straddling the cut count in proportion, so a coarse score is not favoured by
  the order of its ties.
* :func:`brier_score` — mean squared error of probabilities; lower is better.
* :func:`calibration_bins` — predicted against observed rate per bin, for the plot.
* :func:`lift_table` — per score decile: positive rate, lift and cumulative capture.
* :func:`leakage_warnings` — scores ranking the standard label too well to be true.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Evaluation",
    "average_precision",
    "brier_score",
    "calibration_bins",
    "evaluate",
    "leakage_warnings",
    "lift_table",
    "roc_auc",
    "top_decile_lift",
]

FloatArray = NDArray[np.float64]

#: Above this ROC-AUC under the standard label a score is suspected of leakage.
LEAKAGE_ROC_AUC = 0.90


def _inputs(y: ArrayLike, score: ArrayLike) -> tuple[FloatArray, FloatArray]:
    labels = np.asarray(y, dtype=np.float64).ravel()
    values = np.asarray(score, dtype=np.float64).ravel()
    if labels.shape != values.shape:
        raise ValueError(f"y and score differ in length: {labels.size} and {values.size}")
    if labels.size == 0:
        raise ValueError("y and score are empty")
    if not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError("y must hold only 0 and 1 (or False and True)")
    if not np.isfinite(values).all():
        raise ValueError("score has NaN or infinite values; fill or drop them first")
    return labels, values


def _average_ranks(values: FloatArray) -> FloatArray:
    """1-based ranks, ties sharing the mean of the ranks they span."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    mean_rank = (starts + ends + 1) / 2.0  # mean of the 1-based ranks start+1 .. end
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_auc(y: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney U over both class sizes).

    Raises
    ------
    ValueError
        If only one class is present: the AUC is then undefined.
    """
    labels, values = _inputs(y, score)
    positives = labels.sum()
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        raise ValueError("ROC-AUC needs both positives and negatives")
    rank_sum = _average_ranks(values)[labels == 1].sum()
    return float((rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives))


def average_precision(y: ArrayLike, score: ArrayLike) -> float:
    """Area under the precision-recall curve: ``sum_n (R_n - R_{n-1}) P_n`` over thresholds.

    Each distinct score is a threshold (ties enter together), as in scikit-learn's
    ``average_precision_score``.
    """
    labels, values = _inputs(y, score)
    positives = labels.sum()
    if positives == 0:
        raise ValueError("PR-AUC needs at least one positive")
    order = np.argsort(-values, kind="mergesort")
    ordered, hits = values[order], labels[order]
    last_of_tie = np.r_[np.flatnonzero(ordered[1:] != ordered[:-1]), ordered.size - 1]
    true_pos = np.cumsum(hits)[last_of_tie]
    precision = true_pos / (last_of_tie + 1.0)
    recall = true_pos / positives
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def _captured(labels: FloatArray, values: FloatArray, share: float) -> float:
    """Count the expected positives in the top ``share`` of scores (ties at the cut split)."""
    k = share * labels.size
    order = np.argsort(-values, kind="mergesort")
    ordered, hits = values[order], labels[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    group_hits = np.add.reduceat(hits, starts)
    sizes = ends - starts
    taken = np.clip(k - starts, 0.0, sizes)  # how much of each tie group falls in the top
    return float(np.sum(group_hits * taken / sizes))


def top_decile_lift(y: ArrayLike, score: ArrayLike, *, share: float = 0.10) -> float:
    """Positive rate among the top ``share`` of scores over the overall positive rate.

    2.5 means the top tenth holds 2.5 times as many positives as a random tenth would. A
    tie group cut by the boundary contributes its positive rate times the part of it that
    falls inside, which is the expectation over random orderings of the ties.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must lie in (0, 1], got {share}")
    labels, values = _inputs(y, score)
    base = labels.mean()
    if base == 0:
        raise ValueError("lift needs at least one positive")
    return float(_captured(labels, values, share) / (share * labels.size) / base)


def brier_score(y: ArrayLike, probability: ArrayLike) -> float:
    """Mean squared difference between probabilities and outcomes (0 is perfect)."""
    labels, values = _inputs(y, probability)
    if ((values < 0) | (values > 1)).any():
        raise ValueError("probabilities must lie in [0, 1]")
    return float(np.mean((values - labels) ** 2))


def calibration_bins(
    y: ArrayLike,
    probability: ArrayLike,
    *,
    bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
) -> pl.DataFrame:
    """Mean predicted probability against the observed rate, per bin of predictions.

    Parameters
    ----------
    y, probability
        Outcomes (0/1) and predicted probabilities in [0, 1].
    bins
        Number of bins.
    strategy
        ``"uniform"``: equal-width bins on [0, 1] (scikit-learn's ``calibration_curve``
        default); ``"quantile"``: bins holding equal numbers of predictions.

    Returns
    -------
    polars.DataFrame
        ``bin`` (0-based), ``lower``, ``upper``, ``count``, ``mean_predicted`` and
        ``observed_rate``, for non-empty bins only.
    """
    labels, values = _inputs(y, probability)
    if ((values < 0) | (values > 1)).any():
        raise ValueError("probabilities must lie in [0, 1]")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, bins + 1)
    elif strategy == "quantile":
        edges = np.quantile(values, np.linspace(0.0, 1.0, bins + 1))
    else:
        raise ValueError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
    # Bins are closed on the right, as in scikit-learn: a value on an edge joins the bin below.
    index = np.searchsorted(edges[1:-1], values, side="left")
    count = np.bincount(index, minlength=bins)
    predicted = np.bincount(index, weights=values, minlength=bins)
    observed = np.bincount(index, weights=labels, minlength=bins)
    filled = count > 0
    return pl.DataFrame(
        {
            "bin": np.arange(bins)[filled],
            "lower": edges[:-1][filled],
            "upper": edges[1:][filled],
            "count": count[filled],
            "mean_predicted": predicted[filled] / count[filled],
            "observed_rate": observed[filled] / count[filled],
        }
    )


def lift_table(y: ArrayLike, score: ArrayLike, *, groups: int = 10) -> pl.DataFrame:
    """Cumulative gains by score group, highest scores first (the lift chart's data).

    Returns
    -------
    polars.DataFrame
        ``group`` (1 = highest scores), ``share_of_accounts`` (cumulative),
        ``positive_rate`` (within the group), ``lift`` (group rate over overall rate) and
        ``captured`` (cumulative share of all positives). Ties at group edges are split in
        proportion, as in :func:`top_decile_lift`.
    """
    labels, values = _inputs(y, score)
    base = labels.mean()
    if base == 0:
        raise ValueError("lift needs at least one positive")
    shares = np.arange(1, groups + 1) / groups
    cumulative = np.array([_captured(labels, values, s) for s in shares])
    within = np.diff(np.r_[0.0, cumulative])
    size = labels.size / groups
    return pl.DataFrame(
        {
            "group": np.arange(1, groups + 1),
            "share_of_accounts": shares,
            "positive_rate": within / size,
            "lift": within / size / base,
            "captured": cumulative / labels.sum(),
        }
    )


@dataclass(frozen=True)
class Evaluation:
    """The backtest figures of one score on one set of outcomes."""

    n: int
    positives: int
    roc_auc: float
    pr_auc: float
    top_decile_lift: float
    brier: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        """Return the figures as a plain dictionary (for JSON and templates)."""
        return asdict(self)


def evaluate(y: ArrayLike, score: ArrayLike, *, probability: bool = False) -> Evaluation:
    """Evaluate ``score`` against the outcomes ``y``.

    ROC-AUC, PR-AUC and top-decile lift of ``score``, and the Brier score if it is a
    probability (``probability=True``); ranking-only baselines get ``brier=None``.

    Parameters
    ----------
    y : array_like
        Outcomes, 1 for a positive and 0 for a negative.
    score : array_like
        One score per outcome, higher meaning more likely positive.
    probability : bool
        Whether ``score`` is a probability, so that the Brier score means something.

    Returns
    -------
    Evaluation
        The figures of this score on these outcomes.
    """
    labels, values = _inputs(y, score)
    return Evaluation(
        n=int(labels.size),
        positives=int(labels.sum()),
        roc_auc=roc_auc(labels, values),
        pr_auc=average_precision(labels, values),
        top_decile_lift=top_decile_lift(labels, values),
        brier=brier_score(labels, values) if probability else None,
    )


def leakage_warnings(
    metrics: pl.DataFrame, *, outcome: str = "no_order", threshold: float = LEAKAGE_ROC_AUC
) -> list[str]:
    """Warn about scores whose pooled ROC-AUC under the standard label exceeds ``threshold``.

    Whether a buyer of the last year orders again in the next months is hard to foresee
    from its past: published churn models on such labels mostly land between 0.7 and
    0.85 (e.g. Buckinx & Van den Poel 2005; Verbeke et al. 2012, *European Journal of
    Operational Research* 218(1), benchmark of 21 data sets). Higher usually means a
    feature knew the outcome — computed on or after the cut-off, or from a field the
    outcome updates.

    Parameters
    ----------
    metrics
        The backtest table: ``cutoff`` ("all" for pooled), ``outcome``, ``score``,
        ``roc_auc``.

    Returns
    -------
    list of str
        One sentence per suspect score, naming it; empty when none.
    """
    pooled = metrics.filter((pl.col("cutoff") == "all") & (pl.col("outcome") == outcome))
    warnings = [
        f"{row['score']} reaches ROC-AUC {row['roc_auc']:.3f} under the standard label "
        f"({outcome}), above {threshold:.2f}: suspected leakage — check that its inputs "
        "were known before each cut-off"
        for row in pooled.iter_rows(named=True)
        if row["roc_auc"] is not None and row["roc_auc"] > threshold
    ]
    recency = pooled.filter(pl.col("score") == "recency")["roc_auc"].to_list()
    if warnings and recency and recency[0] is not None and recency[0] > threshold:
        # Days since the last order is known at the cut-off by construction: when it alone
        # separates the label, the population is easy, not the features leaky.
        warnings.append(
            f"recency alone reaches {recency[0]:.3f}: many eligible accounts had already "
            "stopped ordering months before the cut-off, so the label is largely foretold "
            "by their silence; compare the scores on the configured definition"
        )
    return warnings
