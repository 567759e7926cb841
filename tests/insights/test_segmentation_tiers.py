"""A/B/C tiers: exact tiers on hand-built portfolios, cut-off rules and properties."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.insights.segmentation import abc_tiers, validate_cutoffs


def accounts(revenue: list[float] | list[int], ids: list[str] | None = None) -> pl.DataFrame:
    ids = ids if ids is not None else [f"acc{i:03d}" for i in range(len(revenue))]
    return pl.DataFrame({"account_id": ids, "revenue": revenue})


def float_accounts(values: list[float]) -> pl.DataFrame:
    ids = [f"acc{i:03d}" for i in range(len(values))]
    return pl.DataFrame({"account_id": ids, "revenue": pl.Series(values, dtype=pl.Float64)})


def tier_of(frame: pl.DataFrame) -> dict[str, str]:
    return dict(zip(frame["account_id"].to_list(), frame["tier"].to_list(), strict=True))


def test_hand_built_portfolio_gets_the_expected_tiers() -> None:
    # total 100; share held by accounts above each one: 0, .50, .80, .90, .96
    result = abc_tiers(accounts([10, 50, 6, 30, 4], ids=["c", "a", "d", "b", "e"]))

    assert result.columns == [
        "account_id",
        "revenue",
        "rank",
        "revenue_share",
        "share_before",
        "cumulative_share",
        "tier",
    ]
    assert result["account_id"].to_list() == ["a", "b", "c", "d", "e"]
    assert result["share_before"].to_list() == pytest.approx([0.0, 0.5, 0.8, 0.9, 0.96])
    assert result["cumulative_share"].to_list() == pytest.approx([0.5, 0.8, 0.9, 0.96, 1.0])
    # c starts exactly at 80 %, so it is not A; d starts at 90 % < 95 %, so it is B.
    assert result["tier"].to_list() == ["A", "A", "B", "B", "C"]


def test_account_that_crosses_the_a_cut_off_is_tier_a() -> None:
    # b starts at 50 % and ends at 90 %: it crosses 80 %, so it is A.
    result = abc_tiers(accounts([50, 40, 10], ids=["a", "b", "c"]))
    assert tier_of(result) == {"a": "A", "b": "A", "c": "B"}


def test_custom_cut_offs_move_the_boundaries() -> None:
    result = abc_tiers(accounts([10, 50, 6, 30, 4], ids=list("cadbe")), a_share=0.5, b_share=0.9)
    assert tier_of(result) == {"a": "A", "b": "B", "c": "B", "d": "C", "e": "C"}


def test_equal_revenue_at_a_cut_off_gets_the_same_tier() -> None:
    # Total 112. Ordered by key, c would start at 90/112 = 80.4 % and be B; tied with b, it
    # starts where b starts (70/112 = 62.5 %) and shares b's tier.
    result = abc_tiers(accounts([70, 20, 20, 2], ids=["a", "b", "c", "d"]))

    assert tier_of(result) == {"a": "A", "b": "A", "c": "A", "d": "C"}
    assert result["share_before"].to_list() == pytest.approx([0, 70 / 112, 70 / 112, 110 / 112])
    assert result["rank"].to_list() == [1, 2, 3, 4]


def test_tied_accounts_are_ranked_by_account_key() -> None:
    result = abc_tiers(accounts([5, 5, 5], ids=["z", "a", "m"]))
    assert result["account_id"].to_list() == ["a", "m", "z"]
    assert result["rank"].to_list() == [1, 2, 3]


def test_rounding_noise_does_not_move_an_account_across_a_cut_off() -> None:
    # c starts at exactly (0.4 + 0.2) / 0.75 = 80 %, but in floating point the sum is
    # 0.7999999999999999. Without the tolerance c would be A.
    result = abc_tiers(accounts([0.4, 0.2, 0.15], ids=["a", "b", "c"]))
    assert tier_of(result) == {"a": "A", "b": "A", "c": "B"}


def test_zero_and_negative_revenue_are_always_tier_c() -> None:
    result = abc_tiers(accounts([100, 0, -30], ids=["a", "b", "c"]), a_share=0.5, b_share=1.0)

    assert tier_of(result) == {"a": "A", "b": "C", "c": "C"}
    assert result["revenue_share"].to_list() == pytest.approx([1.0, 0.0, 0.0])


def test_b_share_of_one_leaves_only_non_positive_revenue_in_c() -> None:
    result = abc_tiers(accounts([90, 9, 1, 0], ids=list("abcd")), b_share=1.0)
    assert tier_of(result) == {"a": "A", "b": "B", "c": "B", "d": "C"}


def test_portfolio_without_positive_revenue_is_all_tier_c_with_null_shares() -> None:
    result = abc_tiers(accounts([0, -1, 0]))
    assert result["tier"].to_list() == ["C", "C", "C"]
    assert result["share_before"].null_count() == 3


def test_empty_portfolio_gives_an_empty_frame() -> None:
    result = abc_tiers(pl.DataFrame(schema={"account_id": pl.Int64, "revenue": pl.Float64}))
    assert result.height == 0
    assert result.schema["tier"] == pl.String


def test_single_account_with_revenue_is_tier_a() -> None:
    assert abc_tiers(accounts([1]))["tier"].to_list() == ["A"]


def test_custom_column_names_are_used_and_kept() -> None:
    frame = pl.DataFrame({"customer": [2, 1], "t12m": [10.0, 90.0]})
    result = abc_tiers(frame, account_col="customer", revenue_col="t12m")
    assert result.select("customer", "t12m", "tier").rows() == [(1, 90.0, "A"), (2, 10.0, "B")]


def test_missing_revenue_column_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"abc_tiers: missing column.*'sales'"):
        abc_tiers(accounts([1]), revenue_col="sales")


@pytest.mark.parametrize(
    ("a_share", "b_share"),
    [
        (0.0, 0.95),
        (0.8, 0.8),
        (0.9, 0.8),
        (0.8, 1.01),
        (-0.1, 0.5),
        (float("nan"), 0.95),
        (0.8, float("inf")),
    ],
)
def test_invalid_cut_offs_are_rejected(a_share: float, b_share: float) -> None:
    with pytest.raises(ValueError, match=r"a_share|b_share"):
        abc_tiers(accounts([1, 2]), a_share=a_share, b_share=b_share)


def test_non_numeric_cut_off_is_rejected() -> None:
    with pytest.raises(ValueError, match="a_share must be a number"):
        validate_cutoffs(True, 0.9)


# --- properties ---------------------------------------------------------------------------

RANK = {"A": 0, "B": 1, "C": 2}

portfolios = st.lists(
    st.one_of(
        st.integers(min_value=-500, max_value=10_000),
        st.floats(min_value=-500, max_value=1e6, allow_nan=False, allow_infinity=False),
        st.sampled_from([0, 100, 250]),  # repeated values, so ties happen often
    ),
    min_size=1,
    max_size=40,
)
cutoffs = st.tuples(
    st.floats(min_value=0.05, max_value=0.95), st.floats(min_value=0.01, max_value=0.5)
).map(lambda t: (t[0], min(1.0, t[0] + t[1])))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(portfolios, cutoffs)
def test_tiers_are_monotone_in_revenue(values: list[float], cuts: tuple[float, float]) -> None:
    result = abc_tiers(float_accounts(values), a_share=cuts[0], b_share=cuts[1])
    pairs = list(zip(result["revenue"].to_list(), result["tier"].to_list(), strict=True))
    for revenue_i, tier_i in pairs:
        for revenue_j, tier_j in pairs:
            if revenue_i > revenue_j:
                assert RANK[tier_i] <= RANK[tier_j]
            if revenue_i == revenue_j:
                assert tier_i == tier_j


@settings(derandomize=True, max_examples=200, deadline=None)
@given(portfolios, cutoffs)
def test_tiers_a_and_a_plus_b_hold_at_least_their_cut_offs(
    values: list[float], cuts: tuple[float, float]
) -> None:
    a_share, b_share = cuts
    result = abc_tiers(float_accounts(values), a_share=a_share, b_share=b_share)
    positive = result.filter(pl.col("revenue") > 0)
    if positive.height == 0:
        assert set(result["tier"]) == {"C"}
        return
    total = positive["revenue"].sum()
    a_revenue = positive.filter(pl.col("tier") == "A")["revenue"].sum()
    ab_revenue = positive.filter(pl.col("tier") != "C")["revenue"].sum()
    assert a_revenue / total >= a_share - 1e-9
    assert ab_revenue / total >= b_share - 1e-9
    assert result.filter(pl.col("revenue") <= 0)["tier"].to_list() == ["C"] * (
        result.height - positive.height
    )


@settings(derandomize=True, max_examples=100, deadline=None)
@given(portfolios, st.integers(min_value=0, max_value=2**32 - 1))
def test_tiers_do_not_depend_on_row_order(values: list[float], seed: int) -> None:
    frame = float_accounts(values)
    order = list(range(frame.height))
    random.Random(seed).shuffle(order)
    assert abc_tiers(frame[order]).equals(abc_tiers(frame))
