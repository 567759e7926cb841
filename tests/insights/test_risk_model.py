"""The churn model on simulated accounts whose true churn probability is known.

The simulator plants two causes — a long silence since the last strategic contact and a
relationship resting on one decision maker — so the model must find them, rank by them,
calibrate to the true rates and name them as drivers.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from scipy import special

from tenure.insights.backtest import brier_score, roc_auc
from tenure.insights.risk import (
    RISK_FEATURES,
    ChurnRiskModel,
    IsotonicCalibrator,
    PlattCalibrator,
    describe,
)

# Its module-scoped fixtures are built once: on one worker (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("risk-model")


def simulate(seed: int, n: int = 4000) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Accounts with random features; churn from the planted causes only (known truth)."""
    rng = np.random.default_rng(seed)
    frame = {name: rng.normal(size=n) for name in RISK_FEATURES}
    frame["days_since_strategic"] = rng.gamma(2.0, 40.0, n)
    frame["decision_makers_engaged"] = rng.integers(0, 4, n).astype(float)
    frame["growth"] = np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 0.2, n))
    logit = (
        -3.2 + 0.02 * frame["days_since_strategic"] + 1.5 * (frame["decision_makers_engaged"] <= 1)
    )
    truth = special.expit(logit)
    y = (rng.random(n) < truth).astype(int)
    return pl.DataFrame(frame), y, truth


@pytest.fixture(scope="module")
def fitted() -> ChurnRiskModel:
    X, y, _ = simulate(1)
    groups = np.repeat(np.arange(4), X.height // 4)
    return ChurnRiskModel(n_estimators=150, num_threads=1).fit(X, y, groups=groups)


def test_the_model_ranks_accounts_almost_as_well_as_the_true_probability(fitted) -> None:
    X, y, truth = simulate(2)
    predicted = fitted.predict_proba(X)
    assert roc_auc(y, predicted) > roc_auc(y, truth) - 0.03
    assert roc_auc(y, predicted) > 0.75


def test_calibrated_probabilities_are_close_to_the_true_ones(fitted) -> None:
    X, y, truth = simulate(3)
    predicted = fitted.predict_proba(X)
    assert abs(predicted.mean() - y.mean()) < 0.02
    # Brier score near that of the true probabilities, far from a constant forecast.
    assert brier_score(y, predicted) < brier_score(y, truth) + 0.01
    assert brier_score(y, predicted) < brier_score(y, np.full(y.size, y.mean()))


def test_the_latest_groups_are_held_out_for_calibration(fitted) -> None:
    assert fitted.n_calibration_ == 1000
    assert fitted.n_train_ == 3000


def test_fitting_twice_with_the_same_seed_gives_the_same_model() -> None:
    X, y, _ = simulate(4, n=1500)
    first = ChurnRiskModel(n_estimators=50, num_threads=1).fit(X, y).predict_proba(X)
    second = ChurnRiskModel(n_estimators=50, num_threads=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    # The seed is what makes it so: bagging and feature sampling follow it.
    other = ChurnRiskModel(n_estimators=50, num_threads=1, seed=8).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other)


def test_contributions_add_up_to_the_raw_score(fitted) -> None:
    X, _, _ = simulate(5, n=50)
    np.testing.assert_allclose(
        fitted.contributions(X).sum(axis=1), fitted.predict_raw(X), rtol=1e-9, atol=1e-9
    )


def test_drivers_name_the_planted_causes_in_plain_words(fitted) -> None:
    X, _, _ = simulate(6, n=400)
    X = X.with_columns(
        pl.lit(150.0).alias("days_since_strategic"), pl.lit(1.0).alias("decision_makers_engaged")
    )
    drivers = fitted.drivers(X.head(1))[0]
    texts = [d.text for d in drivers]
    assert "no strategic contact for 150 days" in texts
    assert "only one decision maker engaged" in texts


def test_a_saved_model_predicts_the_same(fitted) -> None:
    X, _, _ = simulate(7, n=200)
    restored = ChurnRiskModel.from_dict(json.loads(json.dumps(fitted.to_dict())))
    np.testing.assert_allclose(restored.predict_proba(X), fitted.predict_proba(X))


def test_fit_refuses_a_fold_without_churn() -> None:
    X, _, _ = simulate(8, n=200)
    with pytest.raises(ValueError, match="both churned and retained"):
        ChurnRiskModel(n_estimators=5).fit(X, np.zeros(200))


def test_driver_sentences() -> None:
    assert describe("growth", -0.38) == "revenue down 38 % on last year"
    assert describe("days_since_strategic", 94) == "no strategic contact for 94 days"
    assert describe("decision_makers_engaged", 1) == "only one decision maker engaged"
    assert describe("threads", 1).startswith("single-threaded")
    assert describe("probability_alive", None).startswith("too little order history")


def test_platt_scaling_matches_logistic_regression() -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(9)
    score = rng.normal(size=3000) * 2
    y = (rng.random(3000) < special.expit(0.8 * score - 1)).astype(int)
    ours = PlattCalibrator().fit(score, y)
    # Platt's smoothed targets differ from 0/1 by about 1/n: the fits agree closely.
    reference = linear_model.LogisticRegression(C=1e9).fit(score[:, None], y)
    assert ours.a_ == pytest.approx(reference.coef_[0][0], rel=0.01)
    assert ours.b_ == pytest.approx(reference.intercept_[0], rel=0.01)


def test_isotonic_calibration_matches_scikit_learn() -> None:
    isotonic = pytest.importorskip("sklearn.isotonic")
    rng = np.random.default_rng(10)
    score = np.round(rng.normal(size=2000), 2)
    y = (rng.random(2000) < special.expit(1.5 * score)).astype(int)
    ours = IsotonicCalibrator().fit(score, y)
    reference = isotonic.IsotonicRegression(out_of_bounds="clip").fit(score, y)
    grid = np.linspace(-4, 4, 301)
    np.testing.assert_allclose(ours.predict(grid), reference.predict(grid), atol=1e-12)


def test_platt_scaling_stays_finite_when_the_fold_separates_perfectly() -> None:
    score = np.r_[np.full(50, -40.0), np.full(50, 40.0)]
    y = np.r_[np.zeros(50), np.ones(50)]
    calibrator = PlattCalibrator().fit(score, y)
    assert np.isfinite([calibrator.a_, calibrator.b_]).all()
    assert calibrator.predict([40.0])[0] == pytest.approx(51 / 52)
