"""Key-account list review: candidates, reasons, ranking and caps on a hand-built portfolio."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from tenure.insights.segmentation import (
    Criterion,
    KeyListPolicy,
    Scorecard,
    abc_tiers,
    review_key_list,
    score_qualification,
)

TIER_A = "tier A by trailing-12-month revenue"


def portfolio(rows: list[tuple[str, bool, str, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "account_id": pl.String,
            "is_key": pl.Boolean,
            "tier": pl.String,
            "qualification_score": pl.Float64,
            "growth": pl.Float64,
        },
        orient="row",
    )


def hand_built() -> pl.DataFrame:
    return portfolio(
        [
            ("k1", True, "A", 80.0, 0.05),  # key, healthy: no proposal
            ("k2", True, "C", 55.0, -0.2),  # key, fell to C
            ("k3", True, "B", 39.97, 0.0),  # key, score below 40
            ("k4", True, "B", None, None),  # key, unknown score: no proposal
            ("n1", False, "A", 70.0, 0.1),  # tier A
            ("n2", False, "B", 82.0, 0.0),  # tier B, score >= 75
            ("n3", False, "B", 60.0, 0.64),  # tier B, growth >= 30 %
            ("n4", False, "B", 74.9, 0.29),  # tier B, just short on both
            ("n5", False, "C", 95.0, 2.0),  # tier C: never proposed
            ("n6", False, "A", 30.0, 0.0),  # tier A but score < 40: not proposed
            ("n7", False, "B", None, 0.3),  # tier B, growth exactly 30 %, score unknown
            ("n8", False, "A", None, None),  # tier A, nothing else known
        ]
    )


def as_records(result: pl.DataFrame) -> list[dict[str, Any]]:
    return result.select("account_id", "action", "rank", "reasons", "over_cap").to_dicts()


def test_review_proposes_the_expected_candidates_with_reasons_in_rank_order() -> None:
    policy = KeyListPolicy(max_key_accounts=20, max_additions_per_period=10)
    result = review_key_list(hand_built(), policy)

    assert as_records(result) == [
        {
            "account_id": "n1",
            "action": "promote",
            "rank": 1,
            "reasons": [TIER_A],
            "over_cap": False,
        },
        {
            "account_id": "n8",
            "action": "promote",
            "rank": 2,
            "reasons": [TIER_A],
            "over_cap": False,
        },
        {
            "account_id": "n2",
            "action": "promote",
            "rank": 3,
            "reasons": ["qualification score 82 ≥ 75"],
            "over_cap": False,
        },
        {
            "account_id": "n3",
            "action": "promote",
            "rank": 4,
            "reasons": ["growth +64 % ≥ 30 %"],
            "over_cap": False,
        },
        {
            "account_id": "n7",
            "action": "promote",
            "rank": 5,
            "reasons": ["growth +30 % ≥ 30 %"],
            "over_cap": False,
        },
        {
            "account_id": "k2",
            "action": "demote",
            "rank": 1,
            "reasons": ["fell to tier C by trailing-12-month revenue"],
            "over_cap": False,
        },
        {
            "account_id": "k3",
            "action": "demote",
            "rank": 2,
            "reasons": ["qualification score 39.97 < 40"],
            "over_cap": False,
        },
    ]
    assert result["cap_reason"].null_count() == result.height


def test_review_output_columns_and_types() -> None:
    result = review_key_list(hand_built())
    assert result.schema == pl.Schema(
        {
            "account_id": pl.String,
            "action": pl.String,
            "rank": pl.Int64,
            "tier": pl.String,
            "qualification_score": pl.Float64,
            "growth": pl.Float64,
            "reasons": pl.List(pl.String),
            "over_cap": pl.Boolean,
            "cap_reason": pl.String,
        }
    )


def test_tier_a_candidate_lists_every_condition_it_meets() -> None:
    frame = portfolio([("n1", False, "A", 90.0, 0.5)])
    (reasons,) = review_key_list(frame)["reasons"].to_list()
    assert reasons == [TIER_A, "qualification score 90 ≥ 75", "growth +50 % ≥ 30 %"]


def test_a_key_account_can_fall_to_c_and_below_the_score_at_once() -> None:
    frame = portfolio([("k1", True, "C", 12.5, -0.5)])
    (reasons,) = review_key_list(frame)["reasons"].to_list()
    assert reasons == [
        "fell to tier C by trailing-12-month revenue",
        "qualification score 12.5 < 40",
    ]


def test_promotions_beyond_free_places_are_listed_but_over_cap() -> None:
    # 4 key accounts, cap 6: two places for five candidates.
    policy = KeyListPolicy(max_key_accounts=6, max_additions_per_period=10)
    result = review_key_list(hand_built(), policy).filter(pl.col("action") == "promote")

    assert result["over_cap"].to_list() == [False, False, True, True, True]
    assert (
        result["cap_reason"].to_list()
        == [None, None] + ["only 2 places left on the key-account list (4 of 6 taken)"] * 3
    )


def test_promotions_beyond_the_period_allowance_are_over_cap() -> None:
    policy = KeyListPolicy(max_key_accounts=30, max_additions_per_period=3)
    result = review_key_list(hand_built(), policy, added_this_period=1)
    promotions = result.filter(pl.col("action") == "promote")

    assert promotions["over_cap"].to_list() == [False, False, True, True, True]
    assert promotions["cap_reason"][2] == "only 3 additions allowed per period (1 already made)"
    assert not result.filter(pl.col("action") == "demote")["over_cap"].any()


def test_the_cap_reason_names_the_additions_cap_when_it_binds_before_the_places() -> None:
    # 4 key accounts, cap 6: two places; but only one addition a period, which binds first.
    policy = KeyListPolicy(max_key_accounts=6, max_additions_per_period=1)
    promotions = review_key_list(hand_built(), policy).filter(pl.col("action") == "promote")

    assert promotions["over_cap"].to_list() == [False, True, True, True, True]
    assert (
        promotions["cap_reason"].to_list()[1:]
        == ["only 1 addition allowed per period (0 already made)"] * 4
    )


def test_full_list_caps_every_promotion_and_demotions_do_not_free_places() -> None:
    policy = KeyListPolicy(max_key_accounts=4)
    result = review_key_list(hand_built(), policy)
    promotions = result.filter(pl.col("action") == "promote")

    assert promotions.height == 5
    assert promotions["over_cap"].all()
    assert set(promotions["cap_reason"]) == {"key-account list is full (4 of 4)"}
    assert result.filter(pl.col("action") == "demote").height == 2


def test_missing_score_neither_promotes_nor_demotes() -> None:
    frame = portfolio([("k", True, "A", None, None), ("n", False, "B", None, None)])
    assert review_key_list(frame).height == 0


def test_nan_is_treated_as_missing() -> None:
    frame = portfolio([("n", False, "B", float("nan"), float("nan"))])
    assert review_key_list(frame).height == 0


def test_empty_portfolio_gives_an_empty_review() -> None:
    assert review_key_list(hand_built().clear()).height == 0


def test_empty_review_keeps_the_schema() -> None:
    frame = portfolio([("k1", True, "A", 90.0, 0.1)])
    result = review_key_list(frame)
    assert result.height == 0
    assert result.columns[-3:] == ["reasons", "over_cap", "cap_reason"]


def test_review_only_proposes_and_leaves_the_input_untouched() -> None:
    frame = hand_built()
    before = frame.clone()
    review_key_list(frame)
    assert frame.equals(before)


def test_review_accepts_categorical_tiers_and_custom_column_names() -> None:
    frame = hand_built().rename(
        {
            "account_id": "acc",
            "is_key": "key",
            "tier": "abc",
            "qualification_score": "q",
            "growth": "g",
        }
    )
    frame = frame.with_columns(pl.col("abc").cast(pl.Categorical))
    result = review_key_list(
        frame, account_col="acc", is_key_col="key", tier_col="abc", score_col="q", growth_col="g"
    )
    assert result["acc"].to_list() == ["n1", "n8", "n2", "n3", "n7", "k2", "k3"]


@pytest.mark.parametrize(
    ("column", "change", "message"),
    [
        ("tier", pl.col("tier").replace("B", "D"), r"one of \['A', 'B', 'C'\]; found \['D'\]"),
        ("tier", pl.lit(None, dtype=pl.String), r"found \[None\]"),
        ("is_key", pl.col("is_key").cast(pl.Int8), "'is_key' must be Boolean"),
        ("is_key", pl.lit(None, dtype=pl.Boolean), "'is_key' has nulls"),
        ("growth", pl.col("growth").cast(pl.String), "'growth' must be numeric"),
    ],
)
def test_malformed_input_is_rejected(column: str, change: pl.Expr, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        review_key_list(hand_built().with_columns(change.alias(column)))


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"missing column.*'growth'"):
        review_key_list(hand_built().drop("growth"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_key_accounts": -1}, "max_key_accounts"),
        ({"max_additions_per_period": 1.5}, "max_additions_per_period"),
        ({"promote_min_score": 120}, r"\[0, 100\]"),
        ({"promote_min_growth": float("inf")}, "finite"),
        ({"demote_below_score": 80, "promote_min_score": 75}, "flip-flop"),
        ({"tier_basis": " "}, "tier_basis"),
    ],
)
def test_invalid_policies_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeyListPolicy(**kwargs)


def test_negative_additions_already_made_are_rejected() -> None:
    with pytest.raises(ValueError, match="added_this_period"):
        review_key_list(hand_built(), added_this_period=-1)


def test_review_runs_on_tiers_and_scores_from_this_package() -> None:
    revenue = pl.DataFrame(
        {
            "account_id": ["a", "b", "c", "d", "e", "f"],
            "revenue": [500.0, 300.0, 80.0, 70.0, 40.0, 10.0],
            "growth": [0.0, 0.1, 0.5, -0.1, 0.0, 0.0],
            "strategic_value": [3, 3, 3, 5, 1, 1],
        }
    )
    card = Scorecard(
        (Criterion("strategic_value", "Strategic value", 1, "qualitative", "strategic_value"),),
        version="t",
    )
    frame = (
        abc_tiers(revenue)
        .select("account_id", "tier")
        .join(score_qualification(revenue, card), on="account_id")
        .join(revenue.select("account_id", "growth"), on="account_id")
        .with_columns(is_key=pl.col("account_id") == "e")
    )
    # a, b are A (0 % and 50 % before them); c starts at 80 %: B with growth +50 %;
    # d starts at 88 %: B with score 100; e starts at 95 %: C, and it is key with score 0.
    # Within tier A, a and b tie on score (50), so growth puts b first.
    result = review_key_list(frame)
    assert as_records(result) == [
        {"account_id": "b", "action": "promote", "rank": 1, "reasons": [TIER_A], "over_cap": False},
        {"account_id": "a", "action": "promote", "rank": 2, "reasons": [TIER_A], "over_cap": False},
        {
            "account_id": "d",
            "action": "promote",
            "rank": 3,
            "reasons": ["qualification score 100 ≥ 75"],
            "over_cap": False,
        },
        {
            "account_id": "c",
            "action": "promote",
            "rank": 4,
            "reasons": ["growth +50 % ≥ 30 %"],
            "over_cap": False,
        },
        {
            "account_id": "e",
            "action": "demote",
            "rank": 1,
            "reasons": [
                "fell to tier C by trailing-12-month revenue",
                "qualification score 0 < 40",
            ],
            "over_cap": False,
        },
    ]
