"""Segmentation of the portfolio: from revenue features to tiers, scores and proposals.

This module joins the ledger's per-account features to the CRM's accounts and runs the pure
``tenure.insights.segmentation`` functions over them. It returns frames; ``snapshots``
writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tenure.insights.segmentation import (
    Concentration,
    KeyListPolicy,
    Scorecard,
    abc_tiers,
    concentration,
    pareto_curve,
    review_key_list,
    score_qualification,
)

MONEY_COLUMNS = ("revenue_total", "revenue_t12m", "revenue_prev12m", "avg_order_value")
PARETO_POINTS = 200


@dataclass(frozen=True)
class PortfolioResult:
    """Everything a scoring run computes for the portfolio, before it is written."""

    accounts: pl.DataFrame
    monthly: pl.DataFrame
    concentration: Concentration
    tier_table: list[dict[str, object]]
    pareto: list[tuple[float, float]]
    unmatched_keys: int


def segment_portfolio(
    *,
    crm_accounts: pl.DataFrame,
    features: pl.DataFrame,
    monthly: pl.DataFrame,
    ratings: pl.DataFrame,
    scorecard: Scorecard,
    policy: KeyListPolicy,
    a_share: float,
    b_share: float,
    added_this_period: int,
    as_of: dt.date,
) -> PortfolioResult:
    """Tiers, qualification and key-list proposals for every CRM account.

    ``crm_accounts`` has ``account_id``, ``external_id`` and ``is_key``; ``features`` and
    ``monthly`` come from the ledger keyed by ``account_key``; ``ratings`` has
    ``account_id``, ``criterion`` and ``score`` (1–5). Accounts without order lines get zero
    revenue (tier C); ledger keys without a CRM account are counted, not scored.
    """
    features = _as_float(features, MONEY_COLUMNS)
    joined = crm_accounts.join(
        features, left_on="external_id", right_on="account_key", how="left"
    ).with_columns(
        pl.col("revenue_t12m").fill_null(0.0),
        pl.col("revenue_prev12m").fill_null(0.0),
        pl.col("revenue_total").fill_null(0.0),
        pl.col("orders").fill_null(0),
        pl.col("product_breadth").fill_null(0),
    )
    known = set(crm_accounts["external_id"].drop_nulls().to_list())
    unmatched = features.filter(~pl.col("account_key").is_in(list(known))).height

    monthly = monthly.join(
        crm_accounts.select("account_id", "external_id"),
        left_on="account_key",
        right_on="external_id",
        how="inner",
    ).with_columns(pl.col("revenue").cast(pl.Float64))
    regularity = _order_regularity(monthly, as_of)
    joined = joined.join(regularity, on="account_id", how="left")

    tiers = abc_tiers(
        joined.select("account_id", pl.col("revenue_t12m").alias("revenue")),
        account_col="account_id",
        revenue_col="revenue",
        a_share=a_share,
        b_share=b_share,
    ).select(
        "account_id",
        "tier",
        pl.col("rank").alias("revenue_rank"),
        "revenue_share",
        pl.col("cumulative_share"),
    )
    qualification = score_qualification(
        _qualification_inputs(joined, ratings, scorecard), scorecard, account_col="account_id"
    )
    contribution_cols = [c for c in qualification.columns if c.startswith("contribution_")]
    qualification = qualification.select(
        "account_id",
        "qualification_score",
        pl.col("coverage").alias("qualification_coverage"),
        pl.struct(contribution_cols).alias("qualification_contributions"),
    )
    accounts = joined.join(tiers, on="account_id").join(qualification, on="account_id")
    proposals = review_key_list(
        accounts.select("account_id", "is_key", "tier", "qualification_score", "growth"),
        policy,
        account_col="account_id",
        added_this_period=added_this_period,
    ).select(
        "account_id",
        pl.col("action").alias("keylist_action"),
        pl.col("reasons").alias("keylist_reasons"),
        pl.col("over_cap").alias("keylist_over_cap"),
        "cap_reason",
    )
    accounts = accounts.join(proposals, on="account_id", how="left")

    revenue = accounts.select("account_id", pl.col("revenue_t12m").alias("revenue"))
    curve = pareto_curve(revenue, account_col="account_id", revenue_col="revenue")
    return PortfolioResult(
        accounts=accounts,
        monthly=monthly,
        concentration=concentration(revenue, account_col="account_id", revenue_col="revenue"),
        tier_table=_tier_table(accounts),
        pareto=_downsample(curve),
        unmatched_keys=unmatched,
    )


def _as_float(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(pl.col(c).cast(pl.Float64) for c in present)


def _order_regularity(monthly: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Share of the last twelve months with positive revenue."""
    start = dt.date(as_of.year - 1, as_of.month, 1)
    return (
        monthly.filter(pl.col("month") > start)
        .group_by("account_id")
        .agg(((pl.col("revenue") > 0).sum() / 12.0).alias("order_regularity"))
    )


def _qualification_inputs(
    accounts: pl.DataFrame, ratings: pl.DataFrame, scorecard: Scorecard
) -> pl.DataFrame:
    """Feature columns named as the scorecard's criteria read them."""
    frame = accounts.select(
        "account_id",
        pl.col("revenue_t12m").alias("revenue"),
        "growth",
        "order_regularity",
    )
    if ratings.height:
        wide = ratings.pivot(on="criterion", index="account_id", values="score")
        frame = frame.join(wide, on="account_id", how="left")
    for criterion in scorecard.criteria:
        if criterion.source not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(criterion.source))
    return frame


def _tier_table(accounts: pl.DataFrame) -> list[dict[str, object]]:
    total = max(float(accounts["revenue_t12m"].clip(lower_bound=0).sum()), 0.0)
    table = (
        accounts.group_by("tier")
        .agg(
            pl.len().alias("accounts"),
            pl.col("revenue_t12m").clip(lower_bound=0).sum().alias("revenue"),
            pl.col("is_key").sum().alias("key_accounts"),
        )
        .sort("tier")
    )
    return [
        {
            "tier": row["tier"],
            "accounts": int(row["accounts"]),
            "key_accounts": int(row["key_accounts"]),
            "revenue": round(float(row["revenue"]), 2),
            "share": round(float(row["revenue"]) / total, 6) if total else None,
        }
        for row in table.iter_rows(named=True)
    ]


def _downsample(curve: pl.DataFrame) -> list[tuple[float, float]]:
    """At most ``PARETO_POINTS`` points of the curve, always keeping the last."""
    if curve.height == 0 or curve["cumulative_revenue_share"].null_count() == curve.height:
        return []
    step = max(curve.height // PARETO_POINTS, 1)
    picked = curve.gather_every(step)
    if picked["rank"][-1] != curve["rank"][-1]:
        picked = pl.concat([picked, curve.tail(1)])
    return [
        (round(float(x), 5), round(float(y), 5))
        for x, y in picked.select("cumulative_account_share", "cumulative_revenue_share").rows()
    ]
