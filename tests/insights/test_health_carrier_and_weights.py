"""Health from day one (the revenue group carries a score) and weights learnt from a backtest.

The constrained fit is checked against scikit-learn's unconstrained logistic regression
where the constraint does not bind (scikit-learn is a dependency since the linear baseline).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression

from tenure.insights.health import (
    DEFAULT_HEALTH,
    Measure,
    MeasureGroup,
    Scorecard,
    health_inputs,
    score_basis,
    score_health,
    suggest_weights,
    with_weights,
)
from tenure.insights.health.weights import _fit_nonnegative
from tenure.insights.segmentation import Thresholds

LINEAR = Thresholds(tuple(float(e) for e in range(1, 101)), tuple(float(s) for s in range(101)))


def ledger_only(rows: list[dict[str, float | None]]) -> pl.DataFrame:
    """Accounts with revenue inputs only, as a CRM holding just accounts and orders has."""
    frame = pl.DataFrame(
        [{"account_id": i, **row} for i, row in enumerate(rows)],
        schema={
            "account_id": pl.Int64,
            "growth": pl.Float64,
            "days_since_last_order": pl.Float64,
            "median_interval_days": pl.Float64,
            "probability_alive": pl.Float64,
        },
    )
    return health_inputs(frame, DEFAULT_HEALTH)


def with_sources(frame: pl.DataFrame, scorecard: Scorecard) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None, pl.Float64).alias(m.source)
        for m in scorecard.measures
        if m.source not in frame.columns
    )


def test_revenue_alone_carries_a_score_below_the_coverage_floor_and_says_so() -> None:
    inputs = ledger_only(
        [
            {
                "growth": 0.2,
                "days_since_last_order": 10,
                "median_interval_days": 30,
                "probability_alive": 0.95,
            },
            {
                "growth": None,
                "days_since_last_order": 200,
                "median_interval_days": 30,
                "probability_alive": 0.2,
            },
        ]
    )
    scored = score_health(with_sources(inputs, DEFAULT_HEALTH), DEFAULT_HEALTH)
    healthy, lapsing = scored.rows(named=True)
    # Revenue is 35 % of the nominal weight, under the 40 % floor: still scored.
    assert healthy["coverage"] == pytest.approx(0.35)
    assert healthy["health_score"] == pytest.approx(100.0)
    assert lapsing["coverage"] == pytest.approx(0.35 * 0.65)
    assert lapsing["health_score"] == pytest.approx(0.0)
    assert score_basis(healthy["health_score"], healthy["coverage"], DEFAULT_HEALTH) == (
        "based on revenue only: log interactions and map stakeholders to complete it"
    )


def test_without_a_carrier_too_little_data_still_gives_no_score() -> None:
    card = Scorecard.from_dict(DEFAULT_HEALTH.to_dict() | {"carrier": None})
    inputs = ledger_only(
        [
            {
                "growth": 0.2,
                "days_since_last_order": 10,
                "median_interval_days": 30,
                "probability_alive": 0.95,
            }
        ]
    )
    row = score_health(with_sources(inputs, card), card).row(0, named=True)
    assert row["health_score"] is None
    assert score_basis(None, row["coverage"], card) is None


def test_a_version_stored_before_the_carrier_gets_the_revenue_group() -> None:
    stored = DEFAULT_HEALTH.to_dict()
    del stored["carrier"]
    assert Scorecard.from_dict(stored).carrier == "revenue"
    with pytest.raises(ValueError, match="carrier 'crm' is not a group"):
        Scorecard.from_dict(DEFAULT_HEALTH.to_dict() | {"carrier": "crm"})


def three_measures() -> Scorecard:
    return Scorecard(
        "w",
        (
            MeasureGroup(
                "g", "G", 1, (Measure("a", "A", 1, "a", LINEAR), Measure("b", "B", 1, "b", LINEAR))
            ),
            MeasureGroup("h", "H", 1, (Measure("c", "C", 1, "c", LINEAR),)),
        ),
    )


def simulated(seed: int, n: int = 20_000) -> tuple[pl.DataFrame, np.ndarray]:
    """Churn driven by a's shortfall three times as much as b's; c says nothing."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 100, size=(n, 3)).round()
    shortfall = (100 - scores) / 100
    logit = -3.0 + 3.0 * shortfall[:, 0] + 1.0 * shortfall[:, 1]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pl.DataFrame(
        {"score_a": scores[:, 0], "score_b": scores[:, 1], "score_c": scores[:, 2]}
    )
    return frame, y


def test_suggested_weights_recover_the_simulated_ratio_and_sum_to_100() -> None:
    frame, y = simulated(1)
    suggestion = suggest_weights(frame, y, three_measures())
    assert suggestion.current == {"a": 25.0, "b": 25.0, "c": 50.0}
    assert sum(suggestion.suggested.values()) == pytest.approx(100.0)
    assert all(v >= 0 for v in suggestion.suggested.values())
    shares = suggestion.suggested
    assert shares["a"] / shares["b"] == pytest.approx(3.0, rel=0.25)
    assert shares["c"] < 5.0
    assert suggestion.learnt == ("a", "b", "c")


def test_the_constrained_fit_equals_scikit_learns_where_the_constraint_does_not_bind() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=(5000, 2))
    y = (rng.random(5000) < 1 / (1 + np.exp(-(-2 + 2.5 * x[:, 0] + 0.8 * x[:, 1])))).astype(float)
    beta, intercept = _fit_nonnegative(x, y, ridge=0.0)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(x, y)
    assert beta == pytest.approx(reference.coef_[0], abs=1e-3)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-3)


def test_a_measure_that_would_need_a_negative_weight_gets_none() -> None:
    frame, y = simulated(2)
    # c's score made to rise with churn: a better score may never mean more risk.
    frame = frame.with_columns(pl.Series("score_c", np.where(y == 1, 90.0, 40.0)))
    assert suggest_weights(frame, y, three_measures()).suggested["c"] == 0.0


def test_a_measure_unknown_in_the_backtest_keeps_its_share() -> None:
    frame, y = simulated(4)
    frame = frame.with_columns(pl.lit(None, pl.Float64).alias("score_c"))
    suggestion = suggest_weights(frame, y, three_measures())
    assert suggestion.suggested["c"] == 50.0
    assert suggestion.learnt == ("a", "b")
    assert suggestion.suggested["a"] + suggestion.suggested["b"] == pytest.approx(50.0)


def test_suggested_weights_become_a_scorecard_with_those_nominal_shares() -> None:
    shares = {"a": 60.0, "b": 40.0, "c": 0.0}
    card = with_weights(three_measures(), shares, version="w-2")
    assert card.version == "w-2"
    assert {k: round(100 * v, 6) for k, v in card.nominal_shares().items()} == shares
    assert card.groups[1].weight == 0.0
    assert Scorecard.from_dict(card.to_dict()) == card


def test_suggest_weights_names_what_is_wrong_with_its_input() -> None:
    frame, y = simulated(5, n=100)
    with pytest.raises(ValueError, match="missing column"):
        suggest_weights(frame.drop("score_b"), y, three_measures())
    with pytest.raises(ValueError, match="both present"):
        suggest_weights(frame, np.zeros(100), three_measures())
