"""The growth step of ``tenure score`` alone, sparse (Tenure's) or dense (the obvious way).

``bench_scoring.py`` runs this in a fresh process per implementation, on the spend and
accounts it saved from its own run, so each figure is that implementation's own time and
peak memory:

    python benchmarks/growth_step.py sparse DIR     # DIR/spend.parquet, DIR/accounts.parquet
    python benchmarks/growth_step.py dense DIR

Each prints one JSON line (seconds, peak RSS, suggestions shown) and writes the shown
suggestions to ``DIR/shown-<kind>.parquet`` so the caller can check both agree.

The dense implementation is what Tenure did before wide catalogues: a grid of every
account × every category, joined and filtered. It is kept here only, as the alternative
the sparse one is measured against.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import polars as pl

from tenure.insights.wallet import (
    Z_95,
    OpportunityPolicy,
    opportunities,
    peer_groups,
    whitespace,
)

KEY = ["account_id", "product_category"]


def _wilson_lower(successes: pl.Expr, trials: pl.Expr) -> pl.Expr:
    p = successes / trials
    centre = p + Z_95 * Z_95 / (2 * trials)
    margin = Z_95 * ((p * (1 - p) / trials + Z_95 * Z_95 / (4 * trials * trials)).sqrt())
    return (centre - margin) / (1 + Z_95 * Z_95 / trials)


def dense_whitespace(spend: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Every account × every category with its evidence (the grid, materialised)."""
    bought = (
        spend.filter(pl.col("revenue") > 0)
        .group_by(KEY)
        .agg(pl.col("revenue").cast(pl.Float64).sum().alias("_spend"))
        .join(groups.select("account_id", "peer_group"), on="account_id", how="inner")
    )
    group_size = groups.group_by("peer_group").agg(pl.len().alias("_group_size"))
    per_group = bought.group_by("peer_group", "product_category").agg(
        pl.len().alias("_buyers"), pl.col("_spend").median().alias("peer_median_spend")
    )
    base = bought.group_by("product_category").agg((pl.len() / groups.height).alias("base_share"))
    grid = (
        groups.select("account_id", "peer_group", "peer_label")
        .join(base.select("product_category"), how="cross")
        .join(bought.select(*KEY, "_spend"), on=KEY, how="left")
        .join(per_group, on=["peer_group", "product_category"], how="left")
        .join(group_size, on="peer_group", how="left")
        .join(base, on="product_category", how="left")
    )
    own = pl.col("_spend").is_not_null().cast(pl.Int64)
    return (
        grid.with_columns(
            pl.col("_spend").is_not_null().alias("bought"),
            (pl.col("_group_size") - 1).alias("peers"),
            (pl.col("_buyers").fill_null(0) - own).alias("peers_buying"),
        )
        .with_columns(
            pl.when(pl.col("peers") > 0)
            .then(pl.col("peers_buying") / pl.col("peers"))
            .otherwise(None)
            .alias("peer_share"),
        )
        .with_columns((pl.col("peer_share") / pl.col("base_share")).alias("lift"))
        .sort(KEY)
    )


def dense_opportunities(grid: pl.DataFrame, policy: OpportunityPolicy) -> pl.DataFrame:
    """Every candidate of the grid scored and ranked per account."""
    candidates = grid.filter(~pl.col("bought") & (pl.col("peers_buying") > 0))
    scored = candidates.with_columns(
        _wilson_lower(
            pl.col("peers_buying").cast(pl.Float64), pl.col("peers").cast(pl.Float64)
        ).alias("confidence"),
    ).with_columns(
        (
            (pl.col("confidence") >= policy.min_confidence)
            & (pl.col("peers") >= policy.min_peers)
            & (pl.col("lift").fill_null(0) >= policy.min_lift)
        ).alias("shown"),
    )
    return scored.sort(
        ["account_id", "confidence", "peer_median_spend", "product_category"],
        descending=[False, True, True, False],
        nulls_last=True,
    ).with_columns(pl.int_range(1, pl.len() + 1).over("account_id").alias("rank"))


def peak_rss_mb() -> int:
    """This process's peak resident memory: the kernel's high-water mark of its address space
    (``ru_maxrss`` would carry over the parent's across ``exec`` on Linux)."""
    status = Path("/proc/self/status").read_text()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kib / 1024)


def run(kind: str, folder: Path) -> dict[str, float | int | str]:
    """Time one implementation on the saved inputs; write what it shows."""
    spend = pl.read_parquet(folder / "spend.parquet")
    accounts = pl.read_parquet(folder / "accounts.parquet")
    policy = OpportunityPolicy()
    started = time.perf_counter()
    groups = peer_groups(accounts)
    if kind == "dense":
        ranked = dense_opportunities(dense_whitespace(spend, groups), policy)
    else:
        ranked = opportunities(whitespace(spend, groups), policy=policy)
    shown = ranked.filter(pl.col("shown")).select(*KEY, "rank", "confidence")
    seconds = time.perf_counter() - started
    shown.write_parquet(folder / f"shown-{kind}.parquet")
    return {
        "kind": kind,
        "seconds": round(seconds, 3),
        "peak_rss_mb": peak_rss_mb(),
        "shown": shown.height,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("sparse", "dense"):
        sys.exit("usage: growth_step.py sparse|dense DIR")
    print(json.dumps(run(sys.argv[1], Path(sys.argv[2]))))
