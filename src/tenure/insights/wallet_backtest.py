"""Would the growth suggestions have come true? Precision@k against popularity.

:func:`backtest_opportunities` hides each account's latest year, ranks categories from the
year before with :func:`tenure.insights.wallet.opportunities`, and checks the ranking
against what the account then started buying.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from tenure.insights.wallet import (
    OpportunityPolicy,
    opportunities,
    rank_without_removed,
    whitespace,
)


@dataclass(frozen=True)
class BacktestResult:
    """Precision@k and hit rate of the ranking against the popularity baseline."""

    k: int
    accounts: int
    precision_at_k: float
    hit_rate: float
    baseline_precision_at_k: float
    baseline_hit_rate: float

    def as_dict(self) -> dict[str, float | int]:
        """Return the figures as a plain dictionary (for JSON and templates)."""
        return dict(self.__dict__)


def backtest_opportunities(
    earlier: pl.DataFrame,
    later: pl.DataFrame,
    groups: pl.DataFrame,
    *,
    k: int = 3,
    account_col: str = "account_id",
    category_col: str = "product_category",
    revenue_col: str = "revenue",
) -> BacktestResult:
    """Rank categories from ``earlier`` spend; score against what was first bought ``later``.

    Only accounts that bought at least one new category later, and categories not bought
    earlier, count (nothing else can be a hit). The baseline ranks the categories most
    accounts buy overall. Precision@k is hits over k suggestions, averaged over accounts;
    hit rate is the share of accounts with at least one hit in their top k.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    space = whitespace(
        earlier, groups, account_col=account_col, category_col=category_col, revenue_col=revenue_col
    )
    before = earlier.filter(pl.col(revenue_col) > 0).select(account_col, category_col).unique()
    new = (
        later.filter(pl.col(revenue_col) > 0)
        .select(account_col, category_col)
        .unique()
        .join(before, on=[account_col, category_col], how="anti")
    )
    evaluated = new.select(account_col).unique()
    if evaluated.height == 0:
        return BacktestResult(k, 0, math.nan, math.nan, math.nan, math.nan)
    ranked = opportunities(
        space, policy=OpportunityPolicy(min_confidence=0.0, min_peers=1, min_lift=0.0), top=k
    )
    # Popularity is one list for everyone: the same walk as the peers' lists, one group.
    baseline = rank_without_removed(
        space.groups.select(account_col, pl.lit(0).alias("_everyone")),
        space.base.with_columns(pl.lit(0).alias("_everyone")),
        space.bought.select(account_col, category_col),
        key="_everyone",
        account_col=account_col,
        category_col=category_col,
        top=k,
        order=(["base_share", category_col], [True, False]),
    )
    model = _score(ranked, new, evaluated, k, account_col, category_col)
    base = _score(baseline, new, evaluated, k, account_col, category_col)
    return BacktestResult(k, evaluated.height, model[0], model[1], base[0], base[1])


def _score(
    suggested: pl.DataFrame,
    new: pl.DataFrame,
    evaluated: pl.DataFrame,
    k: int,
    account_col: str,
    category_col: str,
) -> tuple[float, float]:
    hits = (
        suggested.join(new, on=[account_col, category_col], how="inner")
        .group_by(account_col)
        .agg(pl.len().alias("hits"))
    )
    # Sorted, so the mean adds up in the same order on every run (to the last bit).
    per_account = (
        evaluated.join(hits, on=account_col, how="left")
        .with_columns(pl.col("hits").fill_null(0))
        .sort(account_col)
    )
    hits_per_account = per_account["hits"].to_numpy().astype(float)
    return float(np.mean(hits_per_account / k)), float(np.mean(hits_per_account > 0))
