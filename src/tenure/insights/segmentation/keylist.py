"""Key-account list review: who could join the list, who could leave it, and why.

This module only *proposes*. It never changes the list; a person accepts or rejects each
proposal in the CRM, and the next review starts from whatever they decided.

Promotion candidates are non-key accounts that are

* in tier A, or
* in tier B with a qualification score at or above ``promote_min_score``, or growth at or
  above ``promote_min_growth``,

unless they also meet a demotion condition (score below ``demote_below_score``): proposing
an account that the next review would propose to remove helps nobody.

Demotion candidates are key accounts that fell to tier C, or whose qualification score is
below ``demote_below_score``.

A missing score or growth (null or NaN) never qualifies and never disqualifies: the
condition is simply not met, and no reason mentions it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from tenure.insights.segmentation._inputs import (
    require_accounts,
    require_columns,
    require_numeric,
)
from tenure.insights.segmentation.tiers import TIERS

__all__ = ["KeyListPolicy", "review_key_list"]


@dataclass(frozen=True)
class KeyListPolicy:
    """Rules for proposing changes to the key-account list.

    Parameters
    ----------
    max_key_accounts : int
        Most key accounts the team can serve at once (default 30).
    max_additions_per_period : int
        Most promotions accepted in one review period (default 5), so the team can absorb
        new accounts.
    promote_min_score : float
        Qualification score (0-100) at or above which a tier-B account qualifies (default 75).
    promote_min_growth : float
        Growth, as a fraction (0.30 = +30 %), at or above which a tier-B account qualifies
        (default 0.30).
    demote_below_score : float
        Qualification score below which a key account is proposed for removal (default 40).
        Must not exceed ``promote_min_score``; the gap keeps accounts from flip-flopping.
    tier_basis : str
        How the tiers were made, quoted in reasons (default "trailing-12-month revenue").
    """

    max_key_accounts: int = 30
    max_additions_per_period: int = 5
    promote_min_score: float = 75.0
    promote_min_growth: float = 0.30
    demote_below_score: float = 40.0
    tier_basis: str = "trailing-12-month revenue"

    def __post_init__(self) -> None:
        """Check the limits and score thresholds; ``ValueError`` if one is out of range."""
        for name in ("max_key_accounts", "max_additions_per_period"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        for name in ("promote_min_score", "promote_min_growth", "demote_below_score"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value!r}")
        for name in ("promote_min_score", "demote_below_score"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"{name} must lie in [0, 100], got {getattr(self, name)!r}")
        if self.demote_below_score > self.promote_min_score:
            raise ValueError(
                f"demote_below_score ({self.demote_below_score}) must not exceed "
                f"promote_min_score ({self.promote_min_score}), or accounts would flip-flop"
            )
        if not isinstance(self.tier_basis, str) or not self.tier_basis.strip():
            raise ValueError("tier_basis must be a non-empty string")


def _number(value: float) -> str:
    """Up to six decimals, trailing zeros dropped: 30.000000000000004 → "30"."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _shown(value: float, threshold: float, *, at_least: bool, sign: bool = False) -> str:
    """Round ``value`` for reading, keeping enough digits that the comparison still holds.

    One decimal, trailing zero dropped (82.0 → "82", 12.5 → "12.5"); more only when one
    decimal would contradict the comparison: 39.97 against "< 40" shows as "39.97", never
    as "40".
    """
    for digits in range(1, 7):
        rounded = round(value, digits)
        if (rounded >= threshold) if at_least else (rounded < threshold):
            break
    text = _number(rounded)
    return f"+{text}" if sign and rounded > 0 else text


def _promotion_reasons(row: dict[str, Any], policy: KeyListPolicy) -> list[str]:
    tier, score, growth = row["_tier"], row["_score"], row["_growth"]
    reasons = [f"tier A by {policy.tier_basis}"] if tier == "A" else []
    if score is not None and score >= policy.promote_min_score:
        shown = _shown(score, policy.promote_min_score, at_least=True)
        reasons.append(f"qualification score {shown} ≥ {_number(policy.promote_min_score)}")
    if growth is not None and growth >= policy.promote_min_growth:
        pct, min_pct = 100.0 * growth, 100.0 * policy.promote_min_growth
        shown = _shown(pct, min_pct, at_least=True, sign=True)
        reasons.append(f"growth {shown} % ≥ {_number(min_pct)} %")
    return reasons


def _demotion_reasons(row: dict[str, Any], policy: KeyListPolicy) -> list[str]:
    tier, score = row["_tier"], row["_score"]
    reasons = [f"fell to tier C by {policy.tier_basis}"] if tier == "C" else []
    if score is not None and score < policy.demote_below_score:
        shown = _shown(score, policy.demote_below_score, at_least=False)
        reasons.append(f"qualification score {shown} < {_number(policy.demote_below_score)}")
    return reasons


def _cap_reason(position: int, n_key: int, added: int, policy: KeyListPolicy) -> str | None:
    """Why the promotion at ``position`` (1-based) cannot fit, or ``None`` if it fits.

    The reason names the cap that binds: with 6 places left but 5 additions a period, the
    6th candidate and every later one are held back by the additions, not by the places.
    """
    places = policy.max_key_accounts - n_key
    additions = policy.max_additions_per_period - added
    if position <= min(places, additions):
        return None
    if additions < places:
        allowed = policy.max_additions_per_period
        return f"only {_count(allowed, 'addition')} allowed per period ({added} already made)"
    if places <= 0:
        return f"key-account list is full ({n_key} of {policy.max_key_accounts})"
    return (
        f"only {_count(places, 'place')} left on the key-account list "
        f"({n_key} of {policy.max_key_accounts} taken)"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def review_key_list(
    frame: pl.DataFrame,
    policy: KeyListPolicy | None = None,
    *,
    account_col: str = "account_id",
    is_key_col: str = "is_key",
    tier_col: str = "tier",
    score_col: str = "qualification_score",
    growth_col: str = "growth",
    added_this_period: int = 0,
) -> pl.DataFrame:
    """Propose promotions to and demotions from the key-account list, with reasons.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per account: key flag, tier (e.g. from :func:`abc_tiers`), qualification
        score (e.g. from :func:`score_qualification`) and growth.
    policy : KeyListPolicy, optional
        Thresholds and caps; ``KeyListPolicy()`` by default.
    account_col : str
        Account key; unique, not null. Breaks ties in ranking (ascending).
    is_key_col : str
        Boolean, no nulls: is the account on the key-account list now.
    tier_col : str
        ``"A"``, ``"B"`` or ``"C"``, no nulls.
    score_col : str
        Qualification score 0-100; null or NaN when unknown.
    growth_col : str
        Growth as a fraction (0.30 = +30 %); null or NaN when unknown.
    added_this_period : int
        Promotions already accepted this period; they count against
        ``max_additions_per_period``.

    Returns
    -------
    polars.DataFrame
        One row per candidate, promotions first: ``account_col``; ``action``
        (``"promote"`` or ``"demote"``); ``rank`` (1-based within the action); ``tier_col``,
        ``score_col``, ``growth_col`` as given (score and growth as ``Float64``);
        ``reasons`` (list of plain-English strings); ``over_cap`` (``True`` for promotions
        that do not fit the caps) and ``cap_reason`` (why, else null).

        Promotions rank tier A before B, then by score, then growth (both descending,
        missing last), then account key. They fill the caps in rank order: current key
        accounts plus accepted promotions never exceed ``max_key_accounts``, and promotions
        in a period never exceed ``max_additions_per_period``. Proposed demotions do not free
        places: re-run the review once they are accepted. Demotions rank tier C first, then
        by score ascending (missing last), then account key, and are never capped.
    """
    policy = KeyListPolicy() if policy is None else policy
    if isinstance(added_this_period, bool) or not isinstance(added_this_period, int):
        raise ValueError(f"added_this_period must be a whole number, got {added_this_period!r}")
    if added_this_period < 0:
        raise ValueError(f"added_this_period must be >= 0, got {added_this_period}")
    context = "review_key_list"
    columns = [account_col, is_key_col, tier_col, score_col, growth_col]
    require_columns(frame, columns, context=context)
    require_accounts(frame, account_col, context=context)
    if frame.schema[is_key_col] != pl.Boolean:
        raise ValueError(
            f"{context}: {is_key_col!r} must be Boolean, got {frame.schema[is_key_col]}"
        )
    if frame.get_column(is_key_col).null_count():
        raise ValueError(f"{context}: {is_key_col!r} has nulls; every account is key or not")
    for column in (score_col, growth_col):
        require_numeric(frame, column, context=context)
    schema: dict[str, pl.DataType] = {
        account_col: frame.schema[account_col],
        "action": pl.String(),
        "rank": pl.Int64(),
        tier_col: pl.String(),
        score_col: pl.Float64(),
        growth_col: pl.Float64(),
        "reasons": pl.List(pl.String()),
        "over_cap": pl.Boolean(),
        "cap_reason": pl.String(),
    }
    if len(schema) != 9:
        raise ValueError(
            f"{context}: input column names clash with each other or with the output columns "
            "'action', 'rank', 'reasons', 'over_cap', 'cap_reason'"
        )
    tiers = frame.get_column(tier_col).cast(pl.String)
    unknown = tiers.filter(tiers.is_null() | ~tiers.is_in(list(TIERS))).unique().sort().to_list()
    if unknown:
        raise ValueError(f"{context}: {tier_col!r} must be one of {list(TIERS)}; found {unknown}")

    work = frame.select(
        account_col,
        pl.col(is_key_col).alias("_is_key"),
        pl.col(tier_col).cast(pl.String).alias("_tier"),
        pl.col(score_col).cast(pl.Float64).fill_nan(None).alias("_score"),
        pl.col(growth_col).cast(pl.Float64).fill_nan(None).alias("_growth"),
    )
    score, growth, tier = pl.col("_score"), pl.col("_growth"), pl.col("_tier")
    below = (score < policy.demote_below_score).fill_null(False)
    qualifies = (tier == "A") | (
        (tier == "B")
        & (
            (score >= policy.promote_min_score).fill_null(False)
            | (growth >= policy.promote_min_growth).fill_null(False)
        )
    )
    promotions = work.filter(~pl.col("_is_key") & qualifies & ~below).sort(
        ["_tier", "_score", "_growth", account_col],
        descending=[False, True, True, False],
        nulls_last=True,
    )
    demotions = work.filter(pl.col("_is_key") & ((tier == "C") | below)).sort(
        [pl.col("_tier") != "C", "_score", account_col],
        descending=[False, False, False],
        nulls_last=True,
    )

    n_key = int(work.get_column("_is_key").sum())
    records: list[tuple[Any, ...]] = []
    for position, row in enumerate(promotions.iter_rows(named=True), start=1):
        cap = _cap_reason(position, n_key, added_this_period, policy)
        reasons = _promotion_reasons(row, policy)
        records.append(_record(row, account_col, "promote", position, reasons, cap))
    for position, row in enumerate(demotions.iter_rows(named=True), start=1):
        reasons = _demotion_reasons(row, policy)
        records.append(_record(row, account_col, "demote", position, reasons, None))
    return pl.DataFrame(records, schema=schema, orient="row")


def _record(
    row: dict[str, Any],
    account_col: str,
    action: str,
    rank: int,
    reasons: list[str],
    cap_reason: str | None,
) -> tuple[Any, ...]:
    """One output row, in the order of the output schema."""
    return (
        row[account_col],
        action,
        rank,
        row["_tier"],
        row["_score"],
        row["_growth"],
        reasons,
        cap_reason is not None,
        cap_reason,
    )
