"""Revenue concentration: the Pareto curve, top-share figures, Gini and HHI.

Every function takes one row per account. The rules for awkward revenue are the same
everywhere in this module:

* **Zero revenue** accounts are real accounts: they count in ``n`` (so they raise the Gini
  coefficient and dilute the top-x % figures) but hold no share.
* **Negative revenue** (credit notes exceeded sales in the period) is clipped to zero for
  every share, for Gini and for HHI, and the account still counts in ``n``. A negative share
  has no meaning in a concentration measure, and letting it through would push cumulative
  shares above 100 %. The net total is still reported, as ``total_revenue``.
* **Missing revenue** (null, NaN) is refused with a ``ValueError``: fill accounts without
  sales with an explicit ``0``.
* When no account has positive revenue, shares are undefined: share columns are null and
  the figures in :class:`Concentration` are ``None``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from tenure.insights.segmentation._inputs import (
    require_accounts,
    require_columns,
    revenue_as_float,
)

__all__ = ["TOP_FRACTIONS", "Concentration", "concentration", "pareto_curve", "top_count"]

#: The account fractions reported by :func:`concentration` (top 1, 5, 10 and 20 %).
TOP_FRACTIONS: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20)


def top_count(fraction: float, n_accounts: int) -> int:
    """Count the accounts in the top ``fraction`` of ``n_accounts``.

    Fractional counts round **up** (ceil), with at least one account: the top 1 % of 50
    accounts is the single largest account, the top 20 % of 7 accounts is 2 accounts
    (1.4 rounded up). So "top x %" always means *at least* x % of the accounts.

    Parameters
    ----------
    fraction : float
        Share of accounts, ``0 < fraction <= 1``.
    n_accounts : int
        Number of accounts in the portfolio, ``>= 0``.

    Returns
    -------
    int
        ``ceil(fraction * n_accounts)`` clamped to ``[1, n_accounts]``; ``0`` if there are no
        accounts.
    """
    if not (math.isfinite(fraction) and 0 < fraction <= 1):
        raise ValueError(f"fraction must satisfy 0 < fraction <= 1, got {fraction!r}")
    if n_accounts < 0:
        raise ValueError(f"n_accounts must be >= 0, got {n_accounts!r}")
    if n_accounts == 0:
        return 0
    # round() first so 0.07 * 100 = 7.000000000000001 counts as 7 accounts, not 8.
    return min(n_accounts, max(1, math.ceil(round(fraction * n_accounts, 9))))


def _ranked(frame: pl.DataFrame, account_col: str, revenue_col: str, context: str) -> pl.DataFrame:
    """Validate and sort by revenue descending, ties by account key ascending."""
    require_columns(frame, [account_col, revenue_col], context=context)
    require_accounts(frame, account_col, context=context)
    revenue = revenue_as_float(frame, revenue_col, context=context)
    return (
        frame.select(account_col, revenue_col)
        .with_columns(revenue.clip(lower_bound=0.0).alias("_positive"))
        .sort([revenue_col, account_col], descending=[True, False], maintain_order=True)
    )


def pareto_curve(
    frame: pl.DataFrame,
    *,
    account_col: str = "account_id",
    revenue_col: str = "revenue",
) -> pl.DataFrame:
    """Rank accounts by revenue and accumulate their shares (the Pareto or Lorenz curve).

    Parameters
    ----------
    frame : polars.DataFrame
        One row per account.
    account_col : str
        Account key; unique, not null. Breaks ties in revenue (ascending).
    revenue_col : str
        Revenue for the period (numeric, no nulls). Negative values are clipped to zero for
        shares; see the module notes.

    Returns
    -------
    polars.DataFrame
        Sorted by ``rank``, with columns ``account_col``, ``revenue_col`` (as given),
        ``rank`` (1 = largest, ``Int64``), ``revenue_share`` (share of positive revenue),
        ``cumulative_account_share`` (``rank / n``) and ``cumulative_revenue_share`` (share
        held by this account and every account ranked above it). Share columns are null
        when no account has positive revenue.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"account_id": ["a", "b", "c"], "revenue": [20, 70, 10]})
    >>> pareto_curve(frame)["cumulative_revenue_share"].round(6).to_list()
    [0.7, 0.9, 1.0]
    """
    ranked = _ranked(frame, account_col, revenue_col, "pareto_curve")
    n = ranked.height
    base = float(ranked.get_column("_positive").sum()) if n else 0.0
    share = pl.col("_positive") / base if base > 0 else pl.lit(None, dtype=pl.Float64)
    return ranked.with_columns(
        pl.int_range(1, n + 1, dtype=pl.Int64).alias("rank"),
        share.alias("revenue_share"),
        (pl.int_range(1, n + 1, dtype=pl.Int64) / max(n, 1)).alias("cumulative_account_share"),
        (pl.col("_positive").cum_sum() / base if base > 0 else pl.lit(None, dtype=pl.Float64))
        # A running sum can land a hair above 1.0; a share never does.
        .clip(upper_bound=1.0)
        .alias("cumulative_revenue_share"),
    ).select(
        account_col,
        revenue_col,
        "rank",
        "revenue_share",
        "cumulative_account_share",
        "cumulative_revenue_share",
    )


@dataclass(frozen=True)
class Concentration:
    """How concentrated a portfolio's revenue is.

    Attributes
    ----------
    n_accounts : int
        Accounts in the frame, including zero and negative revenue.
    n_positive : int
        Accounts with revenue above zero.
    total_revenue : float
        Net revenue, negative accounts included (what the ledger says).
    positive_revenue : float
        Sum of revenue clipped at zero: the base of every share below.
    top_1pct_share, top_5pct_share, top_10pct_share, top_20pct_share : float or None
        Share of positive revenue held by the largest 1/5/10/20 % of accounts, counted with
        :func:`top_count` (ceil, at least one account).
    gini : float or None
        Gini coefficient of clipped revenue over all ``n_accounts``, in ``[0, (n-1)/n]``:
        0 when every account has the same revenue, ``(n-1)/n`` when one account has it all.
    hhi : float or None
        Herfindahl-Hirschman index of revenue shares in percent, squared and summed: the
        0-10,000 scale of antitrust practice (10,000 = one account has everything;
        ``10,000 / n`` = ``n`` equal accounts).

    The share, Gini and HHI fields are ``None`` when no account has positive revenue.
    """

    n_accounts: int
    n_positive: int
    total_revenue: float
    positive_revenue: float
    top_1pct_share: float | None
    top_5pct_share: float | None
    top_10pct_share: float | None
    top_20pct_share: float | None
    gini: float | None
    hhi: float | None

    def as_dict(self) -> dict[str, int | float | None]:
        """Plain dict of the fields, ready for JSON."""
        return asdict(self)


def _gini(ascending: np.ndarray) -> float:
    """Gini of non-negative values sorted ascending, with a positive sum.

    Uses ``sum((2i - n - 1) x_i) / (n * sum(x))`` (i = 1..n), the mean absolute difference
    over twice the mean; the weights sum to zero, so equal values give exactly 0.
    """
    n = ascending.size
    weights = 2.0 * np.arange(1, n + 1, dtype=np.float64) - n - 1.0
    return float(np.dot(weights, ascending) / (n * ascending.sum()))


def concentration(
    frame: pl.DataFrame,
    *,
    account_col: str = "account_id",
    revenue_col: str = "revenue",
) -> Concentration:
    """Summarise revenue concentration: top-x % shares, Gini and HHI.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per account.
    account_col : str
        Account key; unique, not null.
    revenue_col : str
        Revenue for the period (numeric, no nulls). Negative values count as accounts but
        are clipped to zero for shares, Gini and HHI.

    Returns
    -------
    Concentration
        Frozen dataclass of the figures; see its attributes for definitions and scales.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"account_id": [1, 2, 3, 4], "revenue": [30, 30, 20, 20]})
    >>> concentration(frame).hhi
    2600.0
    """
    ranked = _ranked(frame, account_col, revenue_col, "concentration")
    descending = ranked.get_column("_positive").to_numpy().astype(np.float64)
    n = int(descending.size)
    base = float(descending.sum())
    total = float(revenue_as_float(frame, revenue_col, context="concentration").sum())
    n_positive = int((descending > 0).sum())
    if base <= 0:
        return Concentration(n, n_positive, total, base, None, None, None, None, None, None)
    cumulative = np.cumsum(descending)
    tops = [min(1.0, float(cumulative[top_count(f, n) - 1] / base)) for f in TOP_FRACTIONS]
    return Concentration(
        n_accounts=n,
        n_positive=n_positive,
        total_revenue=total,
        positive_revenue=base,
        top_1pct_share=tops[0],
        top_5pct_share=tops[1],
        top_10pct_share=tops[2],
        top_20pct_share=tops[3],
        gini=_gini(descending[::-1]),
        # sum((100 x_i / base)^2) written as one division, so whole-number revenue is exact.
        hhi=float(10_000.0 * np.dot(descending, descending) / base**2),
    )
