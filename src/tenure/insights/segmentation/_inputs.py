"""Checks on the frames that enter segmentation, so a wrong column fails loudly and early."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = [
    "require_accounts",
    "require_columns",
    "require_numeric",
    "revenue_as_float",
]

_SHOWN = 5


def _preview(values: Iterable[object]) -> str:
    items = [repr(v) for v in values]
    more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


def require_columns(frame: pl.DataFrame, columns: Iterable[str], *, context: str) -> None:
    """Raise ``ValueError`` naming every column of ``columns`` that ``frame`` lacks."""
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"{context}: expected a polars.DataFrame, got {type(frame).__name__}")
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{context}: missing column(s) {_preview(missing)}; "
            f"the frame has {_preview(frame.columns)}"
        )


def require_numeric(frame: pl.DataFrame, column: str, *, context: str) -> None:
    """Raise ``ValueError`` unless ``column`` holds numbers (integer, float or decimal).

    An all-null column of type ``Null`` passes: it is a column with every value missing.
    """
    dtype = frame.schema[column]
    if dtype != pl.Null and not dtype.is_numeric():
        raise ValueError(f"{context}: column {column!r} must be numeric, got {dtype}")


def require_accounts(frame: pl.DataFrame, account_col: str, *, context: str) -> None:
    """Raise ``ValueError`` if the account key has nulls or repeats.

    Segmentation works on one row per account; aggregating order lines is the caller's job.
    """
    ids = frame.get_column(account_col)
    if ids.null_count():
        raise ValueError(f"{context}: column {account_col!r} has {ids.null_count()} null(s)")
    repeated = ids.filter(ids.is_duplicated()).unique(maintain_order=True)
    if repeated.len():
        raise ValueError(
            f"{context}: expected one row per account, but {account_col!r} repeats "
            f"{_preview(repeated.to_list())}"
        )


def revenue_as_float(frame: pl.DataFrame, revenue_col: str, *, context: str) -> pl.Series:
    """Return the revenue column as finite ``Float64``; nulls, NaN and infinities are refused.

    Missing revenue is refused rather than read as zero: an account with no sales should
    arrive with an explicit ``0`` (``frame.with_columns(pl.col("revenue").fill_null(0))``).
    """
    require_numeric(frame, revenue_col, context=context)
    revenue = frame.get_column(revenue_col).cast(pl.Float64)
    if revenue.null_count():
        raise ValueError(
            f"{context}: column {revenue_col!r} has {revenue.null_count()} null(s); "
            "fill accounts without sales with 0 explicitly"
        )
    if not revenue.is_finite().all():
        raise ValueError(f"{context}: column {revenue_col!r} has NaN or infinite values")
    return revenue
