"""A/B/C tiers from cumulative revenue share (ABC analysis on the Pareto curve).

The rule, in the order it is applied:

1. Accounts are ranked by revenue, largest first; equal revenue is ordered by account key
   (ascending) so the ``rank`` column is deterministic.
2. ``share_before`` is the share of positive revenue held by accounts with **strictly more**
   revenue. Equal revenue therefore always gives the same ``share_before`` and the same
   tier: a tie at a cut-off lifts every tied account into the higher tier, never splits
   them by their key.
3. An account is **A** while ``share_before < a_share``, so the account that crosses the
   A cut-off is itself A (with the defaults, A holds at least 80 % of revenue). It is **B**
   while ``share_before < b_share``, and **C** otherwise.
4. Zero and negative revenue is **always C**, whatever the cut-offs.

Shares are compared with a tolerance of ``1e-9`` so floating-point noise cannot move an
account across a cut-off: a ``share_before`` within ``1e-9`` below a cut-off counts as
having reached it.
"""

from __future__ import annotations

import math

import polars as pl

from tenure.insights.segmentation._inputs import (
    require_accounts,
    require_columns,
    revenue_as_float,
)

__all__ = ["SHARE_TOLERANCE", "TIERS", "abc_tiers", "validate_cutoffs"]

#: Tier labels from best to worst.
TIERS: tuple[str, str, str] = ("A", "B", "C")

#: Distance below a cut-off that still counts as reaching it (absorbs rounding in sums).
SHARE_TOLERANCE = 1e-9


def validate_cutoffs(a_share: float, b_share: float) -> None:
    """Raise ``ValueError`` unless ``0 < a_share < b_share <= 1``.

    Parameters
    ----------
    a_share : float
        Cumulative revenue share covered by tier A.
    b_share : float
        Cumulative revenue share covered by tiers A and B together.
    """
    for name, value in (("a_share", a_share), ("b_share", b_share)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    if not 0 < a_share < b_share <= 1:
        raise ValueError(
            "tier cut-offs must satisfy 0 < a_share < b_share <= 1; "
            f"got a_share={a_share!r}, b_share={b_share!r}"
        )


def abc_tiers(
    frame: pl.DataFrame,
    *,
    account_col: str = "account_id",
    revenue_col: str = "revenue",
    a_share: float = 0.80,
    b_share: float = 0.95,
) -> pl.DataFrame:
    """Assign each account tier A, B or C by cumulative share of revenue.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per account.
    account_col : str
        Account key; unique, not null. Orders ties in ``rank`` (not in tier: equal revenue
        always shares a tier).
    revenue_col : str
        Revenue for the period, usually trailing twelve months (numeric, no nulls).
    a_share : float
        Cut-off for tier A, default 0.80.
    b_share : float
        Cut-off for tiers A and B together, default 0.95. ``b_share=1`` leaves only zero and
        negative revenue in C.

    Returns
    -------
    polars.DataFrame
        Sorted by ``rank``, with columns ``account_col``, ``revenue_col`` (as given),
        ``rank`` (``Int64``, 1 = largest), ``revenue_share``, ``share_before`` (share held by
        accounts with strictly more revenue: the basis of the tier), ``cumulative_share``
        (share held by this account and those ranked above it) and ``tier`` (``"A"``,
        ``"B"`` or ``"C"``). Share columns are null, and every tier is C, when no account has
        positive revenue.

    Raises
    ------
    ValueError
        If a column is missing or malformed, or the cut-offs are not ``0 < a < b <= 1``.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"account_id": list("abcde"), "revenue": [50, 30, 10, 6, 4]})
    >>> abc_tiers(frame)["tier"].to_list()
    ['A', 'A', 'B', 'B', 'C']
    """
    validate_cutoffs(a_share, b_share)
    context = "abc_tiers"
    require_columns(frame, [account_col, revenue_col], context=context)
    require_accounts(frame, account_col, context=context)
    revenue = revenue_as_float(frame, revenue_col, context=context)
    ranked = (
        frame.select(account_col, revenue_col)
        .with_columns(revenue.alias("_revenue"), revenue.clip(lower_bound=0.0).alias("_positive"))
        .sort(["_revenue", account_col], descending=[True, False], maintain_order=True)
    )
    # Revenue strictly above each row, then the smallest such sum among equal revenue, so
    # tied accounts share the figure of the first of them (computed before the window: a
    # cum_sum inside .over() would restart in every group).
    ranked = ranked.with_columns(
        (pl.col("_positive").cum_sum() - pl.col("_positive")).alias("_before")
    ).with_columns(pl.col("_before").min().over("_revenue"))
    base = float(ranked.get_column("_positive").sum()) if ranked.height else 0.0
    if base > 0:
        share_before = pl.col("_before") / base
        revenue_share = pl.col("_positive") / base
        cumulative = (pl.col("_positive").cum_sum() / base).clip(upper_bound=1.0)
    else:
        share_before = revenue_share = cumulative = pl.lit(None, dtype=pl.Float64)
    tier = (
        pl.when(pl.col("_positive") <= 0)
        .then(pl.lit("C"))
        .when(pl.col("share_before") < a_share - SHARE_TOLERANCE)
        .then(pl.lit("A"))
        .when(pl.col("share_before") < b_share - SHARE_TOLERANCE)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C"))
    )
    return (
        ranked.with_columns(
            pl.int_range(1, ranked.height + 1, dtype=pl.Int64).alias("rank"),
            revenue_share.alias("revenue_share"),
            share_before.alias("share_before"),
            cumulative.alias("cumulative_share"),
        )
        .with_columns(tier.alias("tier"))
        .select(
            account_col,
            revenue_col,
            "rank",
            "revenue_share",
            "share_before",
            "cumulative_share",
            "tier",
        )
    )
