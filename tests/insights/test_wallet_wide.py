"""Whitespace and opportunities on wide catalogues: sparse work, same ranking.

A retail log without a category column makes every SKU a category: thousands of them. The
whitespace must grow with the (account, category) pairs bought, never with accounts ×
categories, and rank exactly as the definition says (checked against a brute force over
every cell on small random catalogues).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from tenure.insights.wallet import OpportunityPolicy, opportunities, peer_groups, whitespace

Z = 1.959963984540054


def wilson(successes: int, trials: int) -> float:
    p = successes / trials
    centre = p + Z * Z / (2 * trials)
    margin = Z * math.sqrt(p * (1 - p) / trials + Z * Z / (4 * trials * trials))
    return (centre - margin) / (1 + Z * Z / trials)


def catalogue(seed: int = 3) -> tuple[pl.DataFrame, pl.DataFrame]:
    """300 accounts, 2,000 SKUs: twelve random long-tail SKUs each, and three clear patterns.

    Retail r30-r149 buy TOYS and r60-r149 PAPER; wholesale w60-w149 buy PACKAGING.
    """
    rng = np.random.default_rng(seed)
    retail = [f"r{i:03d}" for i in range(150)]
    wholesale = [f"w{i:03d}" for i in range(150)]
    accounts = pl.DataFrame(
        {
            "account_id": retail + wholesale,
            "industry": ["Retail"] * 150 + ["Wholesale"] * 150,
            "employees": [100] * 300,
        }
    )
    rows = [(a, f"SKU{k:04d}", 10.0) for a in retail + wholesale for k in rng.choice(2000, 12)]
    rows += [(a, "TOYS", 40.0) for a in retail[30:]]
    rows += [(a, "PAPER", 25.0) for a in retail[60:]]
    rows += [(a, "PACKAGING", 60.0) for a in wholesale[60:]]
    spend = pl.DataFrame(rows, schema=["account_id", "product_category", "revenue"], orient="row")
    return accounts, spend


def test_wide_catalogue_is_kept_sparse_and_suggests_the_clear_patterns():
    accounts, spend = catalogue()
    space = whitespace(spend, peer_groups(accounts))
    pairs = spend.select("account_id", "product_category").unique().height
    categories = spend["product_category"].n_unique()
    assert categories > 1500  # a wide catalogue: 300 × 1,500+ would be 450,000+ cells
    # Sparse: one row per pair bought, per (group, category) bought, per category.
    assert space.bought.height == pairs
    assert space.per_group.height <= pairs
    assert space.base.height == categories

    ranked = opportunities(space)
    # Only the three patterns clear the confidence floor: retail accounts without TOYS (30)
    # or PAPER (60), wholesale accounts without PACKAGING (60). No cell of the long tail.
    assert ranked.height == 30 + 60 + 60
    assert ranked["shown"].all()
    r000 = ranked.filter(pl.col("account_id") == "r000").to_dicts()
    assert [(r["product_category"], r["rank"]) for r in r000] == [("TOYS", 1), ("PAPER", 2)]
    toys = r000[0]
    assert (toys["peers"], toys["peers_buying"]) == (149, 120)
    assert toys["confidence"] == pytest.approx(wilson(120, 149))
    assert toys["base_share"] == pytest.approx(120 / 300)
    assert toys["lift"] == pytest.approx((120 / 149) / (120 / 300))
    assert toys["peer_median_spend"] == 40.0
    # r030 buys TOYS: PAPER comes first, bought by 90 of its 149 peers.
    r030 = ranked.filter(pl.col("account_id") == "r030").to_dicts()
    assert [(r["product_category"], r["rank"], r["peers_buying"]) for r in r030] == [
        ("PAPER", 1, 90)
    ]
    w000 = ranked.filter(pl.col("account_id") == "w000")["product_category"].to_list()
    assert w000 == ["PACKAGING"]
    assert ranked.filter(pl.col("account_id") == "w100").height == 0  # buys PACKAGING

    declined = pl.DataFrame({"account_id": ["r000"], "product_category": ["TOYS"]})
    again = opportunities(space, excluded=declined).filter(pl.col("account_id") == "r000")
    assert again.select("product_category", "rank").rows() == [("PAPER", 1)]


def test_top_k_walks_only_k_plus_what_each_account_buys():
    accounts, spend = catalogue()
    space = whitespace(spend, peer_groups(accounts))
    everything = OpportunityPolicy(min_confidence=0.0, min_peers=1, min_lift=0.0)
    top = opportunities(space, policy=everything, top=3)
    assert top.height == 300 * 3
    assert top["rank"].max() == 3
    full = opportunities(space, policy=everything).filter(pl.col("rank") <= 3)
    assert top.equals(full)


def test_a_billion_cell_catalogue_is_handled_from_its_pairs():
    # 20,000 accounts × 50,000 SKUs is 10⁹ cells (8 GB for a single float column); ten
    # SKUs each is 200,000 pairs, which is all the sparse whitespace ever holds.
    rng = np.random.default_rng(11)
    n = 20_000
    accounts = pl.DataFrame(
        {
            "account_id": np.arange(n),
            "industry": rng.choice(["Retail", "Wholesale", "Hospitality"], n),
            "employees": rng.choice([20, 100, 400], n),
        }
    )
    skus = rng.zipf(1.3, n * 10) % 50_000
    spend = pl.DataFrame(
        {
            "account_id": np.repeat(np.arange(n), 10),
            "product_category": [f"SKU{k:05d}" for k in skus],
            "revenue": np.ones(n * 10),
        }
    )
    space = whitespace(spend, peer_groups(accounts))
    assert space.bought.height <= n * 10
    ranked = opportunities(space, top=5, weak=True)
    assert ranked.height == n * 5
    assert ranked.group_by("account_id").len()["len"].max() == 5


def brute_force(
    spend: pl.DataFrame,
    groups: pl.DataFrame,
    policy: OpportunityPolicy,
    excluded: set[tuple[str, str]],
) -> list[tuple[str, str, int, bool]]:
    """Every cell of accounts × categories, by the definition, with plain Python."""
    group_of = dict(groups.select("account_id", "peer_group").iter_rows())
    members: dict[str, list[str]] = {}
    for account, group in group_of.items():
        members.setdefault(group, []).append(account)
    totals: dict[tuple[str, str], float] = {}
    for account, category, revenue in spend.iter_rows():
        if revenue > 0:  # a credit line is not a purchase
            totals[(account, category)] = totals.get((account, category), 0.0) + revenue
    bought = {key for key in totals if key[0] in group_of}
    categories = sorted({c for _, c in bought})
    out = []
    for account, group in sorted(group_of.items()):
        rows = []
        for category in categories:
            if (account, category) in bought or (account, category) in excluded:
                continue
            buyers = [m for m in members[group] if (m, category) in bought]
            peers = len(members[group]) - 1
            if not buyers or peers == 0:
                continue
            confidence = wilson(len(buyers), peers)
            median = float(np.median([totals[(m, category)] for m in buyers]))
            base = sum(1 for a in group_of if (a, category) in bought) / len(group_of)
            lift = (len(buyers) / peers) / base
            shown = (
                confidence >= policy.min_confidence
                and peers >= policy.min_peers
                and lift >= policy.min_lift
            )
            rows.append((-confidence, -median, category, shown))
        for rank, (_, _, category, shown) in enumerate(sorted(rows), start=1):
            out.append((account, category, rank, shown))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sparse_ranking_equals_the_brute_force_over_every_cell(seed):
    rng = np.random.default_rng(seed)
    n, width = 90, 60
    accounts = pl.DataFrame(
        {
            "account_id": [f"a{i:02d}" for i in range(n)],
            "industry": rng.choice(["Retail", "Wholesale"], n),
            "employees": rng.choice([20, 100], n),
        }
    )
    weights = 1.0 / np.arange(1, width + 1)
    pairs = 600
    spend = pl.DataFrame(
        {
            "account_id": [f"a{i:02d}" for i in rng.integers(0, n, pairs)],
            "product_category": [
                f"c{k:02d}" for k in rng.choice(width, pairs, p=weights / weights.sum())
            ],
            # Whole amounts and a few credits: ties in confidence and in median spend.
            "revenue": rng.choice([1.0, 2.0, 4.0, -2.0], pairs),
        }
    )
    groups = peer_groups(accounts, min_peers=4)
    excluded = set(spend.sample(15, seed=seed).select("account_id", "product_category").rows())
    excluded_frame = pl.DataFrame(
        sorted(excluded), schema=["account_id", "product_category"], orient="row"
    )
    policy = OpportunityPolicy(min_confidence=0.2, min_peers=3, min_lift=1.0)
    expected = brute_force(spend, groups, policy, excluded)
    space = whitespace(spend, groups)
    every = opportunities(space, policy=policy, excluded=excluded_frame, weak=True)
    got = every.select("account_id", "product_category", "rank", "shown").rows()
    assert got == expected
    confident = opportunities(space, policy=policy, excluded=excluded_frame)
    # Without ``weak``: the same rows down to the confidence floor, ranks unchanged.
    assert confident.height <= every.height
    assert confident.equals(every.filter(pl.col("confidence") >= policy.min_confidence))
