"""Pareto curve and concentration figures, checked against hand computations and sources."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.insights.segmentation import Concentration, concentration, pareto_curve, top_count


def accounts(revenue: list[float] | list[int], ids: list[str] | None = None) -> pl.DataFrame:
    ids = ids if ids is not None else [f"acc{i:03d}" for i in range(len(revenue))]
    return pl.DataFrame({"account_id": ids, "revenue": revenue})


# --- pareto_curve -----------------------------------------------------------------------


def test_pareto_curve_ranks_by_revenue_and_accumulates_shares() -> None:
    curve = pareto_curve(accounts([20, 70, 10], ids=["a", "b", "c"]))

    assert curve.columns == [
        "account_id",
        "revenue",
        "rank",
        "revenue_share",
        "cumulative_account_share",
        "cumulative_revenue_share",
    ]
    assert curve["account_id"].to_list() == ["b", "a", "c"]
    assert curve["rank"].to_list() == [1, 2, 3]
    assert curve["revenue_share"].to_list() == pytest.approx([0.7, 0.2, 0.1])
    assert curve["cumulative_account_share"].to_list() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert curve["cumulative_revenue_share"].to_list() == pytest.approx([0.7, 0.9, 1.0])


def test_pareto_curve_breaks_revenue_ties_by_account_key() -> None:
    curve = pareto_curve(accounts([5, 9, 5, 5], ids=["d", "a", "b", "c"]))
    assert curve["account_id"].to_list() == ["a", "b", "c", "d"]


def test_pareto_curve_clips_negative_revenue_to_zero_share_but_keeps_the_account() -> None:
    curve = pareto_curve(accounts([60, -20, 40, 0], ids=["a", "b", "c", "d"]))

    assert curve["account_id"].to_list() == ["a", "c", "d", "b"]
    assert curve["revenue"].to_list() == [60, 40, 0, -20]  # the net figure is kept as given
    assert curve["revenue_share"].to_list() == pytest.approx([0.6, 0.4, 0.0, 0.0])
    assert curve["cumulative_revenue_share"].to_list() == pytest.approx([0.6, 1.0, 1.0, 1.0])
    assert curve["cumulative_account_share"].to_list() == pytest.approx([0.25, 0.5, 0.75, 1.0])


def test_pareto_curve_has_null_shares_when_no_revenue_is_positive() -> None:
    curve = pareto_curve(accounts([0, -5]))
    assert curve["revenue_share"].null_count() == 2
    assert curve["cumulative_revenue_share"].null_count() == 2


def test_pareto_curve_of_empty_frame_is_empty_with_its_columns() -> None:
    empty = pl.DataFrame(schema={"account_id": pl.String, "revenue": pl.Float64})
    curve = pareto_curve(empty)
    assert curve.height == 0
    assert "cumulative_revenue_share" in curve.columns


def test_pareto_curve_accepts_decimal_money_and_custom_column_names() -> None:
    frame = pl.DataFrame(
        {"customer": [1, 2], "t12m": [Decimal("30.50"), Decimal("69.50")]},
        schema={"customer": pl.Int64, "t12m": pl.Decimal(12, 2)},
    )
    curve = pareto_curve(frame, account_col="customer", revenue_col="t12m")
    assert curve["customer"].to_list() == [2, 1]
    assert curve["revenue_share"].to_list() == pytest.approx([0.695, 0.305])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"account_id": ["a"]}), "missing column.*'revenue'"),
        (pl.DataFrame({"account_id": ["a"], "revenue": ["12"]}), "must be numeric"),
        (pl.DataFrame({"account_id": ["a", "b"], "revenue": [1.0, None]}), "fill accounts"),
        (pl.DataFrame({"account_id": ["a", "b"], "revenue": [1.0, float("nan")]}), "NaN"),
        (pl.DataFrame({"account_id": ["a", "a"], "revenue": [1.0, 2.0]}), "repeats 'a'"),
        (pl.DataFrame({"account_id": ["a", None], "revenue": [1.0, 2.0]}), "null"),
    ],
)
def test_pareto_and_concentration_reject_malformed_input(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pareto_curve(frame)
    with pytest.raises(ValueError, match=message):
        concentration(frame)


# --- top_count ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "n", "expected"),
    [
        (0.01, 50, 1),  # 0.5 accounts rounds up to the single largest
        (0.20, 7, 2),  # 1.4 rounds up
        (0.07, 100, 7),  # 0.07 * 100 is 7.000000000000001 in floating point: still 7
        (0.20, 10, 2),
        (1.00, 4, 4),
        (0.05, 0, 0),
    ],
)
def test_top_count_rounds_fractional_accounts_up(fraction: float, n: int, expected: int) -> None:
    assert top_count(fraction, n) == expected


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5, float("nan")])
def test_top_count_rejects_fractions_outside_zero_to_one(fraction: float) -> None:
    with pytest.raises(ValueError, match="0 < fraction <= 1"):
        top_count(fraction, 10)


# --- concentration ------------------------------------------------------------------------


def test_hhi_matches_the_us_doj_worked_example() -> None:
    # U.S. Department of Justice, "Herfindahl-Hirschman Index"
    # (https://www.justice.gov/atr/herfindahl-hirschman-index): four firms with shares of
    # 30, 30, 20 and 20 percent give 30^2 + 30^2 + 20^2 + 20^2 = 2,600.
    result = concentration(accounts([300, 300, 200, 200]))
    assert result.hhi == pytest.approx(2600.0)


def test_hhi_runs_from_10000_over_n_to_10000() -> None:
    assert concentration(accounts([5, 5, 5, 5])).hhi == pytest.approx(2500.0)
    assert concentration(accounts([9, 0, 0, 0])).hhi == pytest.approx(10_000.0)


def test_gini_is_zero_when_every_account_has_the_same_revenue() -> None:
    assert concentration(accounts([7, 7, 7, 7, 7])).gini == 0.0


@pytest.mark.parametrize("n", [1, 2, 5, 40])
def test_gini_is_n_minus_one_over_n_when_one_account_has_everything(n: int) -> None:
    result = concentration(accounts([100] + [0] * (n - 1)))
    assert result.gini == pytest.approx((n - 1) / n)


def test_gini_of_one_to_five_matches_the_hand_computation() -> None:
    # Mean absolute difference definition, G = sum_i sum_j |x_i - x_j| / (2 n^2 mean):
    # for 1..5 the ordered pairs differ by 1 (8 times), 2 (6), 3 (4), 4 (2): total 40;
    # 2 * 25 * 3 = 150; G = 40 / 150 = 4/15.
    assert concentration(accounts([3, 1, 5, 2, 4])).gini == pytest.approx(4 / 15)


@pytest.mark.parametrize("n", [2, 10, 100])
def test_gini_of_one_to_n_matches_the_closed_form(n: int) -> None:
    # For x = 1..n, sum_{i,j} |i - j| = (n^3 - n) / 3 and 2 n^2 mean = n^2 (n + 1), so
    # G = (n - 1) / (3 n).
    assert concentration(accounts(list(range(1, n + 1)))).gini == pytest.approx((n - 1) / (3 * n))


def test_concentration_top_shares_on_a_hand_built_portfolio() -> None:
    # 10 accounts, total 1,000: the top 1 % and 5 % and 10 % are each one account (ceil),
    # the top 20 % is two accounts.
    revenue = [400, 200, 100, 100, 50, 50, 40, 30, 20, 10]
    result = concentration(accounts(revenue))

    assert result.n_accounts == 10
    assert result.total_revenue == 1000.0
    assert result.top_1pct_share == pytest.approx(0.4)
    assert result.top_5pct_share == pytest.approx(0.4)
    assert result.top_10pct_share == pytest.approx(0.4)
    assert result.top_20pct_share == pytest.approx(0.6)


def test_concentration_counts_negative_accounts_but_clips_them_for_shares() -> None:
    # Net revenue 95 (a credit note of -5); shares and Gini use 0 for that account.
    # Clipped, ascending: 0, 10, 10, 20, 20, 40; weights 2i - 7 = -5, -3, -1, 1, 3, 5:
    # sum = -30 - 10 + 20 + 60 + 200 = 240; G = 240 / (6 * 100) = 0.4.
    result = concentration(accounts([40, 20, 20, 10, 10, -5]))

    assert result == Concentration(
        n_accounts=6,
        n_positive=5,
        total_revenue=95.0,
        positive_revenue=100.0,
        top_1pct_share=pytest.approx(0.4),
        top_5pct_share=pytest.approx(0.4),
        top_10pct_share=pytest.approx(0.4),
        top_20pct_share=pytest.approx(0.6),
        gini=pytest.approx(0.4),
        hhi=pytest.approx(1600 + 400 + 400 + 100 + 100),
    )


def test_zero_revenue_accounts_raise_gini_and_dilute_top_shares() -> None:
    without = concentration(accounts([50, 50]))
    with_zeros = concentration(accounts([50, 50, 0, 0]))
    assert without.gini == 0.0
    assert with_zeros.gini == pytest.approx(0.5)
    assert with_zeros.n_accounts == 4
    assert with_zeros.n_positive == 2


def test_concentration_is_undefined_without_positive_revenue() -> None:
    result = concentration(accounts([0, -3]))
    assert result.n_accounts == 2
    assert result.total_revenue == -3.0
    assert result.positive_revenue == 0.0
    assert result.gini is None
    assert result.hhi is None
    assert result.top_20pct_share is None


def test_concentration_of_empty_frame_has_zero_accounts() -> None:
    result = concentration(pl.DataFrame(schema={"account_id": pl.Int64, "revenue": pl.Int64}))
    assert result.n_accounts == 0
    assert result.gini is None


def test_concentration_dict_is_json_ready() -> None:
    payload = json.loads(json.dumps(concentration(accounts([3, 1])).as_dict()))
    assert payload["n_accounts"] == 2
    assert payload["top_20pct_share"] == pytest.approx(0.75)


# --- properties ---------------------------------------------------------------------------

revenues = st.lists(
    st.integers(min_value=-1_000, max_value=1_000_000) | st.just(0), min_size=1, max_size=60
)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(revenues)
def test_gini_equals_the_mean_absolute_difference_definition(values: list[int]) -> None:
    clipped = np.clip(np.array(values, dtype=float), 0, None)
    result = concentration(accounts(values))
    if clipped.sum() == 0:
        assert result.gini is None
        return
    n = clipped.size
    expected = np.abs(clipped[:, None] - clipped[None, :]).sum() / (2 * n * n * clipped.mean())
    assert result.gini == pytest.approx(expected, abs=1e-12)
    assert result.hhi == pytest.approx(10_000 * ((clipped / clipped.sum()) ** 2).sum())


@settings(derandomize=True, max_examples=150, deadline=None)
@given(revenues)
def test_gini_equals_one_minus_twice_the_area_under_the_lorenz_curve(values: list[int]) -> None:
    curve = pareto_curve(accounts(values))
    result = concentration(accounts(values))
    if result.gini is None:
        return
    # The Pareto curve runs largest-first; the Lorenz curve is its mirror image. Brown's
    # trapezoid formula on the Lorenz points gives the same Gini as the pairwise definition.
    n = curve.height
    # L_k = 1 - C_(n-k), k = 0..n, where C_j is the share of the j largest (C_0 = 0).
    lorenz = np.concatenate([1.0 - curve["cumulative_revenue_share"].to_numpy()[::-1], [1.0]])
    lorenz[0] = 0.0
    brown = 1.0 - np.sum((lorenz[1:] + lorenz[:-1]) / n)
    assert result.gini == pytest.approx(brown, abs=1e-9)
    assert curve["cumulative_revenue_share"].is_sorted()
    assert curve["cumulative_revenue_share"][-1] == pytest.approx(1.0)
