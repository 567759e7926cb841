"""Whitespace and growth opportunities, from peers that resemble each account.

Peers are accounts in the same industry and size band (by employees); when that group is
too small, the whole industry. Everything is computed per peer group, so it scales to
hundreds of thousands of accounts, and every figure can say what it rests on ("12 of 31
wholesale accounts with 50-249 employees buy Packaging").

* :func:`peer_groups` assigns each account its peer group.
* Potential spend and share of wallet are estimated in :mod:`tenure.insights.wallet_potential`
  (per industry, scaled by size, bounded by what the account already buys).
* :func:`whitespace` keeps what each account buys and, per peer group, who buys each
  category: sparse, so thousands of categories (SKUs imported without a category) cost what
  the pairs bought cost, never accounts × categories.
* :func:`opportunities` ranks, per account, the categories its peers buy and it does not,
  with their evidence and a confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

#: Upper edges of the size bands by number of employees (the last band is open).
SIZE_BANDS: tuple[int, ...] = (10, 50, 250, 1000, 5000)
Z_95 = 1.959963984540054


def _require(frame: pl.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; got {frame.columns}")


def size_band_label(index: int) -> str:
    """Human label of a size band: "50-249 employees"."""
    lows = (0, *SIZE_BANDS)
    if index >= len(SIZE_BANDS):
        return f"{SIZE_BANDS[-1]:,}+ employees"
    return f"{lows[index]:,}-{SIZE_BANDS[index] - 1:,} employees"


def peer_groups(
    accounts: pl.DataFrame,
    *,
    account_col: str = "account_id",
    industry_col: str = "industry",
    employees_col: str = "employees",
    min_peers: int = 8,
) -> pl.DataFrame:
    """Assign each account to a peer group: industry × size band, or industry alone.

    Returns ``account_col``, ``peer_group`` (a stable key) and ``peer_label`` (how people
    read it). Accounts without an industry form the group "unknown industry". A group with
    fewer than ``min_peers`` accounts falls back to the whole industry.
    """
    _require(accounts, [account_col, industry_col, employees_col], "peer_groups")
    employees = pl.col(employees_col).cast(pl.Float64)
    band = pl.sum_horizontal([(employees >= edge).cast(pl.Int64) for edge in SIZE_BANDS])
    frame = accounts.select(
        account_col,
        pl.col(industry_col).fill_null("").replace("", "unknown industry").alias("_industry"),
        pl.when(employees.is_null()).then(None).otherwise(band).alias("_band"),
    )
    frame = frame.with_columns(
        pl.len().over("_industry", "_band").alias("_size"),
    ).with_columns(
        pl.when(pl.col("_band").is_not_null() & (pl.col("_size") >= min_peers))
        .then(pl.format("{}|{}", "_industry", "_band"))
        .otherwise(pl.col("_industry"))
        .alias("peer_group"),
    )
    labels = frame.select(
        account_col,
        "peer_group",
        pl.when(pl.col("peer_group").str.contains("|", literal=True))
        .then(
            pl.format(
                "{} accounts with {}",
                "_industry",
                pl.col("_band").map_elements(size_band_label, return_dtype=pl.String),
            )
        )
        .otherwise(pl.format("{} accounts", "_industry"))
        .alias("peer_label"),
    )
    return labels


def _wilson_lower(successes: pl.Expr, trials: pl.Expr, z: float = Z_95) -> pl.Expr:
    """Lower bound of the Wilson score interval (Wilson 1927): small groups get low values."""
    p = successes / trials
    centre = p + z * z / (2 * trials)
    margin = z * ((p * (1 - p) / trials + z * z / (4 * trials * trials)).sqrt())
    return (centre - margin) / (1 + z * z / trials)


@dataclass(frozen=True)
class OpportunityPolicy:
    """When a suggestion is strong enough to show ("upsell only when sure")."""

    min_confidence: float = 0.35
    min_peers: int = 5
    min_lift: float = 1.0

    def __post_init__(self) -> None:
        """Check the settings' ranges; ``ValueError`` if one is out of range."""
        if not 0 <= self.min_confidence <= 1:
            raise ValueError("min_confidence must lie in [0, 1]")
        if self.min_peers < 1:
            raise ValueError("min_peers must be at least 1")


@dataclass(frozen=True)
class Whitespace:
    """Accounts × categories, kept sparse: what is bought, and per peer group who buys what.

    A cell an account does not buy is not stored: its evidence is the same for every
    member of the peer group who does not buy the category, so it is read from
    ``per_group``. Memory and work grow with the number of (account, category) pairs
    bought, not with accounts × categories (a catalogue of 4,000 SKUs without categories
    would otherwise be tens of millions of cells).

    Attributes
    ----------
    bought : pl.DataFrame
        ``account_col``, ``category_col``, ``spend`` (positive), ``peer_group``.
    groups : pl.DataFrame
        ``account_col``, ``peer_group``, ``peer_label`` of every account.
    group_sizes : pl.DataFrame
        ``peer_group``, ``group_size``.
    per_group : pl.DataFrame
        ``peer_group``, ``category_col``, ``buyers``, ``peer_median_spend``: only the
        categories some member buys.
    base : pl.DataFrame
        ``category_col``, ``base_share`` (share of all accounts buying it).
    """

    bought: pl.DataFrame
    groups: pl.DataFrame
    group_sizes: pl.DataFrame
    per_group: pl.DataFrame
    base: pl.DataFrame
    account_col: str = "account_id"
    category_col: str = "product_category"

    def cells(self, accounts: Sequence[object]) -> pl.DataFrame:
        """Every category for the given accounts, one row per cell, with its evidence.

        Dense in the categories, so meant for a few accounts at a time (a page, an
        explanation, a test). Returns ``account_col``, ``category_col``, ``bought``,
        ``peers``, ``peers_buying``, ``peer_share``, ``peer_median_spend``, ``base_share``,
        ``lift`` (peer share over base share) and ``peer_label``; peers exclude the
        account itself.
        """
        a, c = self.account_col, self.category_col
        wanted = pl.DataFrame({a: list(accounts)}, schema={a: self.groups.schema[a]})
        members = self.groups.join(wanted, on=a, how="semi")
        grid = (
            members.join(self.base.select(c), how="cross")
            .join(self.bought.select(a, c, "spend"), on=[a, c], how="left")
            .join(self.per_group, on=["peer_group", c], how="left")
            .join(self.group_sizes, on="peer_group", how="left")
            .join(self.base, on=c, how="left")
        )
        own = pl.col("spend").is_not_null().cast(pl.Int64)
        return (
            _evidence(grid.with_columns(pl.col("buyers").fill_null(0) - own), bought=own > 0)
            .select(a, c, *_EVIDENCE)
            .sort(a, c)
        )


_EVIDENCE = (
    "bought",
    "peers",
    "peers_buying",
    "peer_share",
    "peer_median_spend",
    "base_share",
    "lift",
    "peer_label",
)


def _evidence(frame: pl.DataFrame, *, bought: pl.Expr) -> pl.DataFrame:
    """Add peers, peer share and lift (the account itself is never its own peer).

    ``buyers`` counts the other members buying; ``group_size`` and ``base_share`` as in
    :class:`Whitespace`.
    """
    return (
        frame.with_columns(
            bought.alias("bought"),
            (pl.col("group_size").cast(pl.Int64) - 1).alias("peers"),
            pl.col("buyers").cast(pl.Int64).alias("peers_buying"),
        )
        .with_columns(
            pl.when(pl.col("peers") > 0)
            .then(pl.col("peers_buying") / pl.col("peers"))
            .otherwise(None)
            .alias("peer_share"),
        )
        .with_columns((pl.col("peer_share") / pl.col("base_share")).alias("lift"))
    )


def whitespace(
    spend: pl.DataFrame,
    groups: pl.DataFrame,
    *,
    account_col: str = "account_id",
    category_col: str = "product_category",
    revenue_col: str = "revenue",
) -> Whitespace:
    """Summarise what each account buys, and per peer group who buys each category.

    Parameters
    ----------
    spend : pl.DataFrame
        ``account_col``, ``category_col``, ``revenue_col``: one row (or several, summed)
        per account and category; only positive spend counts as bought.
    groups : pl.DataFrame
        ``account_col``, ``peer_group``, ``peer_label`` (from :func:`peer_groups`). Spend
        of accounts not in ``groups`` is left out.

    Returns
    -------
    Whitespace
        Sparse: its size grows with the pairs bought, whatever the number of categories.
        :meth:`Whitespace.cells` lists the full rows for a few accounts.
    """
    _require(spend, [account_col, category_col, revenue_col], "whitespace")
    _require(groups, [account_col, "peer_group", "peer_label"], "whitespace")
    bought = (
        spend.filter(pl.col(revenue_col) > 0)
        .group_by(account_col, category_col)
        .agg(pl.col(revenue_col).cast(pl.Float64).sum().alias("spend"))
        .join(groups.select(account_col, "peer_group"), on=account_col, how="inner")
    )
    n_accounts = groups.height
    return Whitespace(
        bought=bought,
        groups=groups.select(account_col, "peer_group", "peer_label"),
        group_sizes=groups.group_by("peer_group").agg(pl.len().alias("group_size")),
        per_group=bought.group_by("peer_group", category_col).agg(
            pl.len().alias("buyers"), pl.col("spend").median().alias("peer_median_spend")
        ),
        base=bought.group_by(category_col).agg((pl.len() / n_accounts).alias("base_share")),
        account_col=account_col,
        category_col=category_col,
    )


def opportunities(
    space: Whitespace,
    *,
    policy: OpportunityPolicy | None = None,
    excluded: pl.DataFrame | None = None,
    top: int | None = None,
    weak: bool = False,
) -> pl.DataFrame:
    """Categories to offer each account, best first, with their evidence and confidence.

    Confidence is the lower bound of the 95 % Wilson interval of the share of peers buying
    the category: 9 of 10 peers gives 0.60, 2 of 2 only 0.34. A suggestion is ``shown`` when
    the confidence, the number of peers and the lift clear the policy. ``excluded`` (account,
    category) pairs — declined recently — are left out.

    Parameters
    ----------
    space : Whitespace
        From :func:`whitespace`.
    policy : OpportunityPolicy, optional
        The thresholds of ``shown``; the default policy when omitted.
    excluded : pl.DataFrame, optional
        ``account_col`` and ``category_col`` of pairs never to suggest.
    top : int, optional
        Keep each account's ``top`` best candidates only.
    weak : bool, default False
        Also list candidates below the policy's confidence. They can never be shown and
        rank below every candidate that can, so leaving them out changes no rank; on a
        wide catalogue they are nearly all of accounts × categories.

    Returns
    -------
    pl.DataFrame
        One row per account and candidate category (not bought, bought by at least one
        peer), sorted by account and ``rank`` (1 = best: highest confidence, then highest
        peer median spend, then category name): the columns of :meth:`Whitespace.cells`,
        ``confidence``, ``shown`` and ``rank``.

    Notes
    -----
    For an account that does not buy a category, peers, peers buying, confidence and
    lift depend only on its peer group, so each group's candidates are ranked once. An
    account's list is its group's list without what it buys or has excluded; its first
    ``top`` entries lie within the group's first ``top`` + (number removed) entries, so
    the work grows with accounts × ``top`` plus the pairs bought, never with accounts ×
    categories.
    """
    policy = policy or OpportunityPolicy()
    if top is not None and top < 1:
        raise ValueError("top must be at least 1")
    a, c = space.account_col, space.category_col
    floor = 0.0 if weak else policy.min_confidence
    ranked = (
        _evidence(
            space.per_group.join(space.group_sizes, on="peer_group").join(space.base, on=c),
            bought=pl.lit(value=False),
        )
        .filter(pl.col("peers") > 0)
        .with_columns(
            _wilson_lower(
                pl.col("peers_buying").cast(pl.Float64), pl.col("peers").cast(pl.Float64)
            ).alias("confidence"),
        )
        .filter(pl.col("confidence") >= floor)
    )
    removed = space.bought.select(a, c)
    if excluded is not None and excluded.height:
        _require(excluded, [a, c], "opportunities: excluded")
        removed = pl.concat(
            [removed, excluded.select(pl.col(a).cast(removed.schema[a]), pl.col(c).cast(pl.String))]
        ).unique()
    candidates = rank_without_removed(
        space.groups,
        ranked,
        removed,
        key="peer_group",
        account_col=a,
        category_col=c,
        top=top,
        order=(["confidence", "peer_median_spend", c], [True, True, False]),
    )
    return candidates.with_columns(
        (
            (pl.col("confidence") >= policy.min_confidence)
            & (pl.col("peers") >= policy.min_peers)
            & (pl.col("lift").fill_null(0) >= policy.min_lift)
        ).alias("shown"),
    ).select(a, c, *_EVIDENCE, "confidence", "shown", "rank")


def rank_without_removed(
    members: pl.DataFrame,
    ranked: pl.DataFrame,
    removed: pl.DataFrame,
    *,
    key: str,
    account_col: str,
    category_col: str,
    top: int | None,
    order: tuple[list[str], list[bool]],
) -> pl.DataFrame:
    """Rank each member's categories: its group's list without its removed pairs.

    The list of the member's ``key`` group is sorted by ``order`` (columns, descending
    flags); what is left after ``removed`` (``account_col``, ``category_col`` pairs) is
    numbered 1, 2, … as ``rank`` (at most ``top`` of them).

    Only the first ``top`` + (member's removed pairs) entries of its group's list are
    ever looked at: past them, ``top`` unremoved ones have been found.
    """
    a, c = account_col, category_col
    by, descending = order
    listed = ranked.sort([key, *by], descending=[False, *descending], nulls_last=True).with_columns(
        pl.int_range(1, pl.len() + 1).over(key).alias("_pos")
    )
    lengths = listed.group_by(key).agg(pl.len().alias("_listed"))
    counts = removed.group_by(a).agg(pl.len().alias("_removed"))
    need = pl.col("_listed")
    if top is not None:
        need = pl.min_horizontal(need, pl.col("_removed").fill_null(0) + top)
    slots = (
        members.join(lengths, on=key, how="inner")
        .join(counts, on=a, how="left")
        .with_columns(need.alias("_need"))
        .filter(pl.col("_need") > 0)
        .select(*members.columns, pl.int_ranges(1, pl.col("_need") + 1).alias("_pos"))
        .explode("_pos")
    )
    found = (
        slots.join(listed, on=[key, "_pos"], how="inner")
        .join(removed, on=[a, c], how="anti")
        .sort(a, "_pos")
        .with_columns(pl.int_range(1, pl.len() + 1).over(a).alias("rank"))
    )
    if top is not None:
        found = found.filter(pl.col("rank") <= top)
    return found.drop("_pos")
