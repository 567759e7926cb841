"""The worked example in docs/segmentation.md, pinned so the page cannot drift from the code."""

from __future__ import annotations

import polars as pl
import pytest

from tenure.insights.segmentation import (
    KeyListPolicy,
    abc_tiers,
    concentration,
    review_key_list,
)

ACCOUNTS = ["acme", "borealis", "cobalt", "dunmore", "elbe", "fjord", "granite", "harbor", "ivy"]
REVENUE = [420_000, 260_000, 120_000, 80_000, 50_000, 40_000, 30_000, 0, -10_000]


def revenue() -> pl.DataFrame:
    return pl.DataFrame({"account_id": ACCOUNTS, "revenue": REVENUE})


def test_docs_tier_table() -> None:
    tiers = abc_tiers(revenue())
    assert tiers["account_id"].to_list() == ACCOUNTS
    assert tiers["tier"].to_list() == ["A", "A", "A", "B", "B", "B", "C", "C", "C"]
    assert tiers["share_before"].to_list() == pytest.approx(
        [0, 0.42, 0.68, 0.80, 0.88, 0.93, 0.97, 1.0, 1.0]
    )
    assert tiers["cumulative_share"].to_list() == pytest.approx(
        [0.42, 0.68, 0.80, 0.88, 0.93, 0.97, 1.0, 1.0, 1.0]
    )


def test_docs_concentration_figures() -> None:
    result = concentration(revenue())
    assert (result.n_accounts, result.n_positive) == (9, 7)
    assert (result.total_revenue, result.positive_revenue) == (990_000.0, 1_000_000.0)
    assert result.top_10pct_share == pytest.approx(0.42)
    assert result.top_20pct_share == pytest.approx(0.68)
    # clipped, ascending (thousands): 0, 0, 30, 40, 50, 80, 120, 260, 420; weights 2i - 10:
    # (-120 - 80 + 160 + 480 + 1560 + 3360) / (9 * 1000) = 5360 / 9000
    assert result.gini == pytest.approx(5360 / 9000)
    assert round(result.gini or 0, 3) == 0.596
    # 42^2 + 26^2 + 12^2 + 8^2 + 5^2 + 4^2 + 3^2
    assert result.hhi == pytest.approx(2698)


def test_docs_key_list_review() -> None:
    frame = abc_tiers(revenue()).select(
        "account_id",
        "tier",
        is_key=pl.col("account_id").is_in(["acme", "borealis", "granite", "harbor"]),
        qualification_score=pl.Series([88.0, 71.0, 64.0, 81.5, 52.0, 58.0, 35.0, None, 20.0]),
        growth=pl.Series([0.04, -0.02, 0.12, 0.05, 0.64, 0.10, -0.30, None, -0.50]),
    )
    policy = KeyListPolicy(max_key_accounts=6, max_additions_per_period=2)
    result = review_key_list(frame, policy)

    assert result.select("account_id", "action", "rank", "over_cap").rows() == [
        ("cobalt", "promote", 1, False),
        ("dunmore", "promote", 2, False),
        ("elbe", "promote", 3, True),
        ("granite", "demote", 1, False),
        ("harbor", "demote", 2, False),
    ]
    assert result["reasons"].to_list() == [
        ["tier A by trailing-12-month revenue"],
        ["qualification score 81.5 ≥ 75"],
        ["growth +64 % ≥ 30 %"],
        ["fell to tier C by trailing-12-month revenue", "qualification score 35 < 40"],
        ["fell to tier C by trailing-12-month revenue"],
    ]
    assert result["cap_reason"][2] == ("only 2 places left on the key-account list (4 of 6 taken)")
