"""Qualification scorecard: scaling, weighting, missing data, validation and serialisation."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.insights.segmentation import (
    DEFAULT_QUALIFICATION,
    Criterion,
    Scorecard,
    Thresholds,
    score_qualification,
)


def one(key: str, **kwargs: Any) -> Scorecard:
    """A scorecard of a single criterion reading column ``x``."""
    kind = kwargs.pop("kind", "quantitative")
    return Scorecard((Criterion(key, key.title(), 1, kind, "x", **kwargs),), version="t")


def scores_of(values: list[Any], card: Scorecard) -> list[float | None]:
    frame = pl.DataFrame({"account_id": list(range(len(values))), "x": values}, strict=False)
    key = card.criteria[0].key
    return score_qualification(frame, card)[f"score_{key}"].to_list()


# --- scaling ------------------------------------------------------------------------------


def test_percentile_scaling_runs_from_zero_for_the_lowest_to_100_for_the_highest() -> None:
    result = scores_of([40.0, 10.0, 30.0, 20.0], one("clv"))
    assert result == pytest.approx([100.0, 0.0, 200 / 3, 100 / 3])


def test_percentile_scaling_gives_tied_values_their_average_rank() -> None:
    # ranks 1, 2.5, 2.5, 4 over n = 4: (rank - 1) / 3 * 100
    assert scores_of([1, 5, 5, 9], one("clv")) == pytest.approx([0.0, 50.0, 50.0, 100.0])


def test_percentile_scaling_gives_a_lone_or_all_equal_value_fifty() -> None:
    assert scores_of([7.0], one("clv")) == [50.0]
    assert scores_of([3, 3, 3], one("clv")) == [50.0, 50.0, 50.0]


def test_percentile_scaling_ranks_only_accounts_that_have_a_value() -> None:
    assert scores_of([10.0, None, 30.0, float("nan"), 20.0], one("clv")) == pytest.approx(
        [0.0, None, 100.0, None, 50.0]
    )


def test_percentile_scaling_can_prefer_lower_values() -> None:
    card = one("days_to_pay", higher_is_better=False)
    assert scores_of([10, 30, 20], card) == pytest.approx([100.0, 0.0, 50.0])


def test_threshold_bands_include_their_lower_edge() -> None:
    card = one("growth", scaling=Thresholds(edges=(0.0, 0.1), scores=(0, 50, 100)))
    result = scores_of([-0.01, 0.0, 0.099, 0.1, 5.0, float("inf"), None], card)
    assert result == [0.0, 50.0, 50.0, 100.0, 100.0, 100.0, None]


def test_threshold_bands_with_falling_scores_express_lower_is_better() -> None:
    card = one("late_share", scaling=Thresholds(edges=(0.05, 0.2), scores=(100, 40, 0)))
    assert scores_of([0.0, 0.1, 0.5], card) == [100.0, 40.0, 0.0]


def test_ratings_map_one_to_zero_and_five_to_hundred() -> None:
    card = one("strategic_value", kind="qualitative")
    assert scores_of([1, 2, 3, 4, 5, 2.5, None], card) == pytest.approx(
        [0.0, 25.0, 50.0, 75.0, 100.0, 37.5, None]
    )


@pytest.mark.parametrize("bad", [0, 6, 5.5])
def test_ratings_outside_one_to_five_are_rejected_with_the_account(bad: float) -> None:
    with pytest.raises(ValueError, match=r"'strategic_value'.*1-5.*accounts \[1\]"):
        scores_of([3, bad], one("strategic_value", kind="qualitative"))


# --- weighting and missing data -----------------------------------------------------------

CARD = Scorecard(
    version="test-1",
    criteria=(
        Criterion("revenue", "Revenue", 50, "quantitative", "revenue"),
        Criterion(
            "growth",
            "Growth",
            30,
            "quantitative",
            "growth",
            scaling=Thresholds(edges=(0.0, 0.3), scores=(0, 50, 100)),
        ),
        Criterion("strategic_value", "Strategic value", 20, "qualitative", "strategic"),
    ),
)


def features() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_id": ["a", "b", "c", "d"],
            "revenue": [300.0, 100.0, 200.0, None],
            "growth": [0.5, 0.1, None, None],
            "strategic": [5, 2, 4, None],
        }
    )


def test_total_is_the_weighted_mean_and_contributions_add_up_to_it() -> None:
    result = score_qualification(features(), CARD).row(0, named=True)

    # a: revenue 100 (highest), growth 100 (>= 30 %), strategic 5 -> 100
    assert result["account_id"] == "a"
    assert result["qualification_score"] == pytest.approx(100.0)
    assert result["contribution_revenue"] == pytest.approx(50.0)
    assert result["contribution_growth"] == pytest.approx(30.0)
    assert result["contribution_strategic_value"] == pytest.approx(20.0)
    assert result["coverage"] == 1.0
    assert result["missing"] == []


def test_hand_computed_score_for_a_mid_portfolio_account() -> None:
    result = score_qualification(features(), CARD).row(1, named=True)

    # b: revenue lowest of three -> 0; growth 0.1 in [0, 0.3) -> 50; strategic 2 -> 25.
    # total = 0.5 * 0 + 0.3 * 50 + 0.2 * 25 = 20
    assert result["score_revenue"] == 0.0
    assert result["score_growth"] == 50.0
    assert result["score_strategic_value"] == 25.0
    assert result["qualification_score"] == pytest.approx(20.0)
    assert result["contribution_growth"] == pytest.approx(15.0)


def test_missing_criteria_are_reweighted_listed_and_never_read_as_zero() -> None:
    result = score_qualification(features(), CARD).row(2, named=True)

    # c: growth missing; revenue 200 is the middle of three -> 50; strategic 4 -> 75.
    # Remaining weights 50 and 20 become 5/7 and 2/7: 50 * 5/7 + 75 * 2/7 = 400/7.
    assert result["missing"] == ["growth"]
    assert result["coverage"] == pytest.approx(0.7)
    assert result["score_growth"] is None
    assert result["contribution_growth"] is None
    assert result["qualification_score"] == pytest.approx(400 / 7)
    assert result["contribution_revenue"] + result["contribution_strategic_value"] == (
        pytest.approx(result["qualification_score"])
    )


def test_account_with_no_data_has_no_score_and_zero_coverage() -> None:
    result = score_qualification(features(), CARD).row(3, named=True)
    assert result["qualification_score"] is None
    assert result["coverage"] == 0.0
    assert result["missing"] == ["revenue", "growth", "strategic_value"]


def test_a_column_nobody_has_filled_in_yet_is_missing_for_everyone() -> None:
    frame = features().with_columns(strategic=pl.lit(None))  # dtype Null
    result = score_qualification(frame, CARD)
    assert result["missing"].to_list()[0] == ["strategic_value"]
    assert result["coverage"][0] == pytest.approx(0.8)


def test_empty_portfolio_gives_an_empty_frame_with_every_column() -> None:
    result = score_qualification(features().clear(), CARD)
    assert result.height == 0
    assert result.columns[:4] == ["account_id", "qualification_score", "coverage", "missing"]


def test_output_columns_and_row_order() -> None:
    result = score_qualification(features(), CARD)
    assert result.columns == [
        "account_id",
        "qualification_score",
        "coverage",
        "missing",
        "contribution_revenue",
        "contribution_growth",
        "contribution_strategic_value",
        "score_revenue",
        "score_growth",
        "score_strategic_value",
    ]
    assert result["account_id"].to_list() == ["a", "b", "c", "d"]


def test_zero_weight_criterion_is_scored_but_carries_no_weight() -> None:
    card = Scorecard(
        version="t",
        criteria=(
            Criterion("revenue", "Revenue", 1, "quantitative", "revenue"),
            Criterion("note", "Note", 0, "qualitative", "strategic"),
        ),
    )
    result = score_qualification(features(), card).row(0, named=True)
    assert result["score_note"] == 100.0
    assert result["contribution_note"] == 0.0
    assert result["qualification_score"] == 100.0


def test_scores_depend_only_on_weight_ratios() -> None:
    doubled = Scorecard(
        version="t",
        criteria=tuple(
            Criterion(c.key, c.label, 2 * c.weight, c.kind, c.source, c.scaling)
            for c in CARD.criteria
        ),
    )
    assert score_qualification(features(), doubled).equals(score_qualification(features(), CARD))


# --- validation ---------------------------------------------------------------------------


def test_unknown_source_columns_are_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"missing column.*'growth'.*'strategic'"):
        score_qualification(features().select("account_id", "revenue"), CARD)


def test_non_numeric_source_column_is_rejected() -> None:
    frame = features().with_columns(pl.col("strategic").cast(pl.String))
    with pytest.raises(ValueError, match="'strategic' must be numeric"):
        score_qualification(frame, CARD)


def test_repeated_accounts_are_rejected() -> None:
    with pytest.raises(ValueError, match="one row per account"):
        score_qualification(pl.concat([features(), features()]), CARD)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Criterion("x", "X", -1, "quantitative", "x"), "weight must be >= 0"),
        (lambda: Criterion("x", "X", float("nan"), "quantitative", "x"), "finite"),
        (lambda: Criterion("Bad Key", "X", 1, "quantitative", "x"), "lower case"),
        (lambda: Criterion("x", "", 1, "quantitative", "x"), "label"),
        (lambda: Criterion("x", "X", 1, "opinion", "x"), "kind must be"),  # type: ignore[arg-type]
        (
            lambda: Criterion("x", "X", 1, "qualitative", "x", scaling="percentile"),
            "qualitative criteria are 1-5 ratings",
        ),
        (
            lambda: Criterion("x", "X", 1, "quantitative", "x", scaling="rating"),
            "quantitative criteria take",
        ),
        (
            lambda: Criterion("x", "X", 1, "quantitative", "x", Thresholds((1.0,), (0, 1)), False),
            "higher_is_better=False applies to percentile",
        ),
        (lambda: Thresholds((1.0, 1.0), (0, 50, 100)), "strictly increasing"),
        (lambda: Thresholds((1.0,), (0, 50, 100)), "one more score than edges"),
        (lambda: Thresholds((1.0,), (0, 150)), r"\[0, 100\]"),
        (lambda: Thresholds((), (0,)), "at least one edge"),
        (lambda: Scorecard((), version="t"), "at least one criterion"),
        (
            lambda: Scorecard((Criterion("x", "X", 0, "quantitative", "x"),), version="t"),
            "all zero",
        ),
        (
            lambda: Scorecard(
                (
                    Criterion("x", "X", 1, "quantitative", "x"),
                    Criterion("x", "Y", 1, "quantitative", "y"),
                ),
                version="t",
            ),
            r"unique; repeated: \['x'\]",
        ),
        (
            lambda: Scorecard((Criterion("x", "X", 1, "quantitative", "x"),), version=""),
            "version",
        ),
    ],
)
def test_malformed_scorecards_are_rejected_with_clear_errors(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --- serialisation and the default --------------------------------------------------------


def test_scorecard_round_trips_through_json() -> None:
    for card in (CARD, DEFAULT_QUALIFICATION):
        assert Scorecard.from_dict(json.loads(json.dumps(card.to_dict()))) == card
    restored = Scorecard.from_dict(json.loads(json.dumps(DEFAULT_QUALIFICATION.to_dict())))
    assert score_qualification(features_for_default(), restored).equals(
        score_qualification(features_for_default(), DEFAULT_QUALIFICATION)
    )


def test_scorecard_dict_has_the_documented_shape() -> None:
    data = CARD.to_dict()
    assert data["version"] == "test-1"
    assert data["criteria"][1] == {
        "key": "growth",
        "label": "Growth",
        "weight": 30.0,
        "kind": "quantitative",
        "source": "growth",
        "scaling": {"edges": [0.0, 0.3], "scores": [0.0, 50.0, 100.0]},
        "higher_is_better": True,
    }
    assert data["criteria"][2]["scaling"] == "rating"


def test_scorecard_from_dict_rejects_unknown_and_missing_fields() -> None:
    data = CARD.to_dict()
    data["criteria"][0]["wieght"] = 3
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['wieght'\]"):
        Scorecard.from_dict(data)
    with pytest.raises(ValueError, match=r"missing field\(s\) \['criteria'\]"):
        Scorecard.from_dict({"version": "x"})


def features_for_default() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_id": [1, 2, 3],
            "revenue": [900_000.0, 120_000.0, 40_000.0],
            "growth": [0.12, 0.45, -0.3],
            "order_regularity": [1.0, 0.75, 0.25],
            "strategic_value": [5, 4, 2],
            "market_influence": [4, 3, 1],
            "market_position": [5, 3, 2],
            "growth_potential": [3, 5, 1],
            "geography_fit": [5, 5, 3],
        }
    )


def test_default_scorecard_has_the_documented_criteria_and_weights() -> None:
    assert DEFAULT_QUALIFICATION.weight_shares() == pytest.approx(
        {
            "revenue": 0.25,
            "growth": 0.15,
            "order_regularity": 0.10,
            "strategic_value": 0.15,
            "market_influence": 0.10,
            "market_position": 0.10,
            "growth_potential": 0.10,
            "geography_fit": 0.05,
        }
    )


def test_default_scorecard_scores_a_hand_computed_account() -> None:
    result = score_qualification(features_for_default()).row(0, named=True)
    # account 1: revenue top (100), growth 0.12 in [0.10, 0.30) (75), regularity top (100),
    # ratings 5, 4, 5, 3, 5 -> 100, 75, 100, 50, 100. Weights 25/15/10/15/10/10/10/5 %:
    # 25 + 11.25 + 10 + 15 + 7.5 + 10 + 5 + 5 = 88.75
    assert result["qualification_score"] == pytest.approx(88.75)
    assert result["coverage"] == 1.0


# --- properties ---------------------------------------------------------------------------

maybe = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
ratings = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.lists(st.tuples(maybe, maybe, ratings), min_size=1, max_size=30))
def test_total_is_within_zero_to_hundred_and_equals_the_sum_of_contributions(
    rows: list[tuple[float | None, float | None, int | None]],
) -> None:
    frame = pl.DataFrame(
        {
            "account_id": list(range(len(rows))),
            "revenue": pl.Series([r[0] for r in rows], dtype=pl.Float64),
            "growth": pl.Series([r[1] for r in rows], dtype=pl.Float64),
            "strategic": pl.Series([r[2] for r in rows], dtype=pl.Int64),
        }
    )
    result = score_qualification(frame, CARD)
    contributions = result.select(pl.sum_horizontal(pl.col("^contribution_.*$"))).to_series()
    for total, summed, coverage in zip(
        result["qualification_score"], contributions, result["coverage"], strict=True
    ):
        assert 0.0 <= coverage <= 1.0
        if total is None:
            assert coverage == 0.0
        else:
            assert -1e-9 <= total <= 100 + 1e-9
            assert summed == pytest.approx(total)
