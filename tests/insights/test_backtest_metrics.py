"""Backtest metrics: hand-worked cases, tie rules, and scikit-learn as the outside reference.

The cross-checks import scikit-learn, which is not a dependency of Tenure: they skip where it
is not installed (checked with scikit-learn 1.9.1).
"""

from __future__ import annotations

import numpy as np
import pytest

from tenure.insights.backtest import (
    average_precision,
    brier_score,
    calibration_bins,
    evaluate,
    lift_table,
    roc_auc,
    top_decile_lift,
)


def noisy_scores(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    coarse = np.round(rng.random(n) + 0.4 * y, 1)  # many ties on purpose
    probability = np.clip(coarse / 1.4, 0, 1)
    return y, coarse, probability


def test_roc_auc_counts_pairs_ranked_right_and_ties_as_half() -> None:
    # Positives 0.8 and 0.4; negatives 0.4 and 0.1: pairs won 1 + 1 + 0.5 (tie) + 1 = 3.5 / 4.
    assert roc_auc([1, 1, 0, 0], [0.8, 0.4, 0.4, 0.1]) == pytest.approx(0.875)


def test_roc_auc_of_a_perfect_and_a_reversed_ranking() -> None:
    assert roc_auc([0, 0, 1, 1], [1, 2, 3, 4]) == 1.0
    assert roc_auc([0, 0, 1, 1], [4, 3, 2, 1]) == 0.0


def test_roc_auc_refuses_a_single_class() -> None:
    with pytest.raises(ValueError, match="both"):
        roc_auc([1, 1, 1], [0.2, 0.3, 0.4])


def test_average_precision_by_hand() -> None:
    # Ranked: 1 (P=1, R=.5), 0, 1 (P=2/3, R=1): AP = .5 * 1 + .5 * 2/3.
    assert average_precision([1, 0, 1], [0.9, 0.8, 0.7]) == pytest.approx(0.5 + 1 / 3)


def test_top_decile_lift_of_a_ranking_that_puts_every_positive_first() -> None:
    y = np.r_[np.ones(10), np.zeros(90)]
    assert top_decile_lift(y, -np.arange(100)) == pytest.approx(10.0)


def test_top_decile_lift_splits_a_tie_at_the_cut_in_proportion() -> None:
    # Every score equal: whatever order the ties take, the expected lift is exactly 1.
    y = np.r_[np.ones(7), np.zeros(93)]
    assert top_decile_lift(y, np.zeros(100)) == pytest.approx(1.0)


def test_lift_table_captures_every_positive_by_the_last_group() -> None:
    y, score, _ = noisy_scores(3)
    table = lift_table(y, score)
    assert table["captured"][-1] == pytest.approx(1.0)
    assert table["lift"][0] == pytest.approx(top_decile_lift(y, score))
    assert (table["captured"].diff().drop_nulls() >= 0).all()


def test_brier_score_by_hand() -> None:
    assert brier_score([1, 0], [0.8, 0.4]) == pytest.approx((0.04 + 0.16) / 2)


def test_evaluate_reports_brier_only_for_probabilities() -> None:
    y, score, probability = noisy_scores(4)
    assert evaluate(y, score).brier is None
    assert evaluate(y, probability, probability=True).brier == pytest.approx(
        brier_score(y, probability)
    )


def test_calibration_bins_hold_every_prediction_once() -> None:
    y, _, probability = noisy_scores(5)
    table = calibration_bins(y, probability, bins=10)
    assert table["count"].sum() == y.size
    assert table["observed_rate"].is_between(0, 1).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_match_scikit_learn(seed: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    y, score, probability = noisy_scores(seed)
    assert roc_auc(y, score) == pytest.approx(metrics.roc_auc_score(y, score), abs=1e-12)
    assert average_precision(y, score) == pytest.approx(
        metrics.average_precision_score(y, score), abs=1e-12
    )
    assert brier_score(y, probability) == pytest.approx(
        metrics.brier_score_loss(y, probability), abs=1e-12
    )


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_bins_match_scikit_learns_calibration_curve(strategy: str) -> None:
    calibration = pytest.importorskip("sklearn.calibration")
    y, _, probability = noisy_scores(7)
    observed, predicted = calibration.calibration_curve(y, probability, n_bins=8, strategy=strategy)
    table = calibration_bins(y, probability, bins=8, strategy=strategy)  # type: ignore[arg-type]
    np.testing.assert_allclose(table["observed_rate"].to_numpy(), observed, atol=1e-12)
    np.testing.assert_allclose(table["mean_predicted"].to_numpy(), predicted, atol=1e-12)
