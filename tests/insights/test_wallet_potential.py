"""Potential spend and share of wallet: scaled by size within the industry, bounded by revenue.

What the estimator does (``tenure.insights.wallet_potential``): per industry, a least-squares
line of log(spend) on log(employees) over the buying accounts, shifted to a quantile of its
residuals (0.8 for the potential, 0.5 and 0.95 for the interval) — the "wallet as a high
quantile of spend given size" of Perlich, Rosset et al., "High-quantile modeling for customer
wallet estimation and other applications", KDD 2007. Each figure is then raised to at least
the account's own revenue, so share of wallet = revenue / potential lies in [0, 1].

The worked example is computed by hand below; the properties are checked with hypothesis.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.insights.wallet_potential import (
    SpendBySize,
    bounded_potential,
    potential_spend,
    wallet_share,
)


def accounts(rows: list[tuple[str, str | None, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "account_id": pl.String,
            "industry": pl.String,
            "employees": pl.Float64,
            "revenue": pl.Float64,
        },
        orient="row",
    )


# Four retail buyers: two with 10 employees buying 1,000 and 4,000, two with 1,000 employees
# buying 10,000 and 40,000. On the log scale the two sizes' mean spends are 2,000 and 20,000
# (geometric means), so the slope is ln(20,000 / 2,000) / ln(1,000 / 10) = 0.5 and the
# residuals are -ln 2, +ln 2, -ln 2, +ln 2. Their linear 0.5 quantile is 0, their 0.8 and
# 0.95 quantiles ln 2. So at size e the curve is 2,000·(e/10)^0.5, the potential twice that.
EXAMPLE = [
    ("small-low", "Retail", 10, 1_000.0),
    ("small-high", "Retail", 10, 4_000.0),
    ("large-low", "Retail", 1_000, 10_000.0),
    ("large-high", "Retail", 1_000, 40_000.0),
    ("new", "Retail", 100, 0.0),  # a non-buying retailer: not a peer, but estimated
]


def example() -> dict[str, dict]:
    result = potential_spend(accounts(EXAMPLE), min_peers=4)
    return {row["account_id"]: row for row in result.iter_rows(named=True)}


def test_hand_computed_curve_and_its_residual_quantiles():
    model = SpendBySize(min_peers=4).fit(
        ["Retail"] * 4, np.array([10, 10, 1000, 1000]), np.array([1e3, 4e3, 1e4, 4e4])
    )
    curve = model.curves_.row(0, named=True)
    assert curve["slope"] == pytest.approx(0.5)
    assert math.exp(curve["intercept"] + 0.5 * math.log(10)) == pytest.approx(2_000)
    assert curve["shift_low"] == pytest.approx(0.0, abs=1e-12)
    assert curve["shift"] == pytest.approx(math.log(2))
    assert curve["shift_high"] == pytest.approx(math.log(2))
    assert curve["n_peers"] == 4


def test_potential_scales_with_size_and_share_is_revenue_over_potential():
    rows = example()
    # 1,000 employees: curve 20,000, potential 40,000; it buys 10,000, so 25 % (25–50 %).
    large = rows["large-low"]
    assert large["potential"] == pytest.approx(40_000)
    assert large["potential_low"] == pytest.approx(20_000)
    assert large["potential_high"] == pytest.approx(40_000)
    assert large["share_of_wallet"] == pytest.approx(0.25)
    assert (large["share_low"], large["share_high"]) == (pytest.approx(0.25), pytest.approx(0.5))
    assert not large["above_peers"]
    # 100 employees, buying nothing yet: curve 2,000·√10, potential twice that, share 0.
    new = rows["new"]
    assert new["potential"] == pytest.approx(4_000 * math.sqrt(10))
    assert new["share_of_wallet"] == 0.0
    assert new["n_peers"] == 4
    assert new["peer_label"] == "Retail accounts"


def test_an_account_buying_beyond_its_peers_range_has_potential_equal_to_revenue():
    # 10 employees buying 9,000: more than twice the best-served retailer of its size (4,000),
    # beyond the upper end of the curve fitted with it among the peers.
    rows = potential_spend(
        accounts([*EXAMPLE[:4], ("star", "Retail", 10, 9_000.0)]), min_peers=4
    ).filter(pl.col("account_id") == "star")
    star = rows.row(0, named=True)
    assert star["above_peers"]
    assert star["potential_low"] == star["potential"] == star["potential_high"] == 9_000.0
    assert star["share_low"] == star["share_of_wallet"] == star["share_high"] == 1.0


def test_too_few_comparable_accounts_or_no_size_gives_no_number_but_a_reason():
    rows = {
        r["account_id"]: r
        for r in potential_spend(
            accounts(
                [
                    *EXAMPLE[:4],
                    ("lonely", "Hospitality", 50, 100.0),
                    ("unsized", "Retail", None, 9.0),
                ]
            ),
            min_peers=4,
        ).iter_rows(named=True)
    }
    assert rows["lonely"]["potential"] is None
    assert rows["lonely"]["share_of_wallet"] is None
    assert rows["lonely"]["reason"] == (
        "only 1 buying Hospitality accounts with an employee count (at least 4 needed)"
    )
    assert rows["unsized"]["potential"] is None
    assert "no employee count" in rows["unsized"]["reason"]
    assert rows["large-low"]["reason"] is None


def test_slope_is_kept_non_negative_so_potential_never_falls_with_size():
    # Smaller retailers buy more here: a free fit would make potential fall with size.
    model = SpendBySize(min_peers=3).fit(
        ["Retail"] * 3, np.array([10, 100, 1000]), np.array([9e3, 3e3, 1e3])
    )
    assert model.curves_["slope"][0] == 0.0
    small, large = model.predict(["Retail", "Retail"], np.array([10, 1000]))
    assert large[1] == pytest.approx(small[1])


def test_settings_are_checked_when_fitting():
    with pytest.raises(ValueError, match="quantile"):
        SpendBySize(quantile=0.4, interval=(0.5, 0.9)).fit(["a"], np.array([1]), np.array([1]))


def test_wallet_share_of_a_figure_below_revenue_is_one():
    assert wallet_share(120.0, 100.0) == 1.0
    assert wallet_share(25.0, 100.0) == 0.25
    assert wallet_share(None, 100.0) is None
    assert wallet_share(0.0, 0.0) is None
    assert bounded_potential(-5.0, -1.0) == 0.0


industries = st.sampled_from(["Retail", "Wholesale", "Hospitality", None, ""])
employees = st.one_of(st.none(), st.floats(0, 300_000), st.integers(1, 300_000).map(float))
revenues = st.one_of(
    st.none(), st.floats(-1e4, 1e10, allow_nan=False), st.integers(0, 10_000_000).map(float)
)
rows = st.lists(st.tuples(industries, employees, revenues), min_size=1, max_size=60)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(rows, st.integers(2, 6))
def test_every_estimate_covers_revenue_and_every_share_lies_in_0_1(drawn, min_peers):
    frame = accounts([(str(i), ind, emp, rev) for i, (ind, emp, rev) in enumerate(drawn)])
    result = potential_spend(frame, min_peers=min_peers).join(
        frame.select("account_id", "revenue"), on="account_id"
    )
    assert result.height == frame.height
    for row in result.iter_rows(named=True):
        if row["potential"] is None:
            assert row["reason"]
            assert row["share_of_wallet"] is None
            continue
        bought = max(row["revenue"] or 0.0, 0.0)
        assert bought <= row["potential_low"] <= row["potential"] <= row["potential_high"]
        assert 0.0 <= row["share_low"] <= row["share_of_wallet"] <= row["share_high"] <= 1.0
        assert row["reason"] is None


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
)
def test_wallet_share_is_always_within_0_1_or_absent(revenue, potential):
    share = wallet_share(revenue, potential)
    assert share is None or 0.0 <= share <= 1.0
