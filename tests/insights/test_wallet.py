"""Peer groups, whitespace, opportunities and their backtest, on built data.

Potential spend and share of wallet: ``test_wallet_potential.py``."""

from __future__ import annotations

import math

import polars as pl
import pytest

from tenure.insights.wallet import (
    OpportunityPolicy,
    opportunities,
    peer_groups,
    whitespace,
)
from tenure.insights.wallet_backtest import backtest_opportunities


def accounts(rows: list[tuple[str, str, int | None, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["account_id", "industry", "employees", "revenue"], orient="row"
    )


def test_peer_groups_use_industry_and_size_band_with_fallback_to_industry():
    frame = accounts(
        [(f"w{i}", "Wholesale", 100, 1.0) for i in range(8)]
        + [("w-big", "Wholesale", 3000, 1.0)]
        + [("r1", "Retail", 20, 1.0), ("x", None, 100, 1.0)]
    )
    groups = dict(peer_groups(frame, min_peers=8).select("account_id", "peer_label").iter_rows())
    assert groups["w0"] == "Wholesale accounts with 50-249 employees"
    assert groups["w-big"] == "Wholesale accounts"  # its band is too small
    assert groups["x"] == "unknown industry accounts"


def spend(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["account_id", "product_category", "revenue"], orient="row")


@pytest.fixture
def peers():
    frame = accounts([(f"a{i}", "Retail", 100, 1.0) for i in range(10)])
    return peer_groups(frame, min_peers=1)


def test_whitespace_counts_peers_without_the_account_itself(peers):
    rows = [(f"a{i}", "Paper", 5.0) for i in range(10)]
    rows += [(f"a{i}", "Toys", 3.0) for i in range(1, 10)]  # everyone but a0 buys toys
    grid = whitespace(spend(rows), peers).cells(["a0"])
    toys = grid.filter((pl.col("account_id") == "a0") & (pl.col("product_category") == "Toys"))
    row = toys.row(0, named=True)
    assert not row["bought"]
    assert row["peers"] == 9
    assert row["peers_buying"] == 9
    assert row["peer_share"] == 1.0
    assert row["base_share"] == pytest.approx(0.9)
    assert row["lift"] == pytest.approx(1 / 0.9)


def test_confidence_is_wilson_lower_bound_and_small_evidence_is_not_shown(peers):
    rows = [(f"a{i}", "Paper", 5.0) for i in range(10)]
    rows += [(f"a{i}", "Toys", 3.0) for i in range(1, 10)]
    rows += [("a1", "Garden", 1.0)]  # one peer of nine buys garden goods
    ranked = opportunities(whitespace(spend(rows), peers), weak=True).filter(
        pl.col("account_id") == "a0"
    )
    by_category = {r["product_category"]: r for r in ranked.iter_rows(named=True)}
    # Wilson 95 % lower bound of 9/9 and of 1/9, computed by hand.
    z = 1.959963984540054

    def wilson(s, n):
        p = s / n
        return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (
            1 + z * z / n
        )

    assert by_category["Toys"]["confidence"] == pytest.approx(wilson(9, 9))
    assert by_category["Garden"]["confidence"] == pytest.approx(wilson(1, 9))
    assert by_category["Toys"]["shown"]
    assert not by_category["Garden"]["shown"]
    assert by_category["Toys"]["rank"] == 1


def test_declined_suggestions_are_left_out(peers):
    rows = [(f"a{i}", "Toys", 3.0) for i in range(1, 10)]
    declined = pl.DataFrame({"account_id": ["a0"], "product_category": ["Toys"]})
    ranked = opportunities(whitespace(spend(rows), peers), excluded=declined)
    assert ranked.filter(pl.col("account_id") == "a0").height == 0


def test_policy_is_validated():
    with pytest.raises(ValueError, match="min_confidence"):
        OpportunityPolicy(min_confidence=1.5)


def test_backtest_beats_popularity_when_peers_predict_what_comes_next():
    # Two industries: retail peers move into Toys, wholesale peers into Packaging. Paper is
    # the most popular category overall, so popularity suggests it to everyone who lacks it.
    frame = accounts(
        [(f"r{i}", "Retail", 100, 1.0) for i in range(10)]
        + [(f"w{i}", "Wholesale", 100, 1.0) for i in range(10)]
        + [(f"x{i}", "Other", 100, 1.0) for i in range(12)]
    )
    groups = peer_groups(frame, min_peers=1)
    earlier = (
        [(f"r{i}", "Toys", 1.0) for i in range(6)]
        + [(f"w{i}", "Packaging", 1.0) for i in range(6)]
        + [(f"x{i}", "Paper", 1.0) for i in range(12)]
        + [(f"r{i}", "Cleaning", 1.0) for i in range(10)]
        + [(f"w{i}", "Cleaning", 1.0) for i in range(10)]
    )
    later = [(f"r{i}", "Toys", 1.0) for i in range(6, 10)] + [
        (f"w{i}", "Packaging", 1.0) for i in range(6, 10)
    ]
    result = backtest_opportunities(spend(earlier), spend(later), groups, k=1)
    assert result.accounts == 8
    assert result.precision_at_k == 1.0
    assert result.hit_rate == 1.0
    assert result.baseline_precision_at_k == 0.0
