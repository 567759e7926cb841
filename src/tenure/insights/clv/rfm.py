"""From transactions to the per-customer summary the CLV models read.

The conventions are those of the CDNOW analyses (Fader, Hardie & Lee 2005) and of
``lifetimes``/``pymc-marketing``: purchases on the same day are one purchase; ``frequency``
counts repeat purchases (purchase days after the first); ``recency`` is the time from the
first to the last purchase day; ``T`` is the time from the first purchase day to the end
date, both as whole days divided by the length of the time unit; ``monetary_value`` is the
mean value of the repeat purchase days (the first purchase is left out, because the
Gamma-Gamma model describes repeat spending and first orders often differ).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import polars as pl

__all__ = ["rfm_summary"]

_DAYS = {"D": 1.0, "W": 7.0}
_CONTEXT = "rfm_summary"


def _as_date(value: date, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"{_CONTEXT}: {name} must be a datetime.date, got {type(value).__name__}")
    return value


def _validated(
    transactions: pl.DataFrame, customer_col: str, date_col: str, value_col: str | None
) -> pl.DataFrame:
    if not isinstance(transactions, pl.DataFrame):
        raise TypeError(
            f"{_CONTEXT}: expected a polars.DataFrame, got {type(transactions).__name__}"
        )
    needed = [customer_col, date_col] + ([value_col] if value_col is not None else [])
    missing = [c for c in dict.fromkeys(needed) if c not in transactions.columns]
    if missing:
        raise ValueError(
            f"{_CONTEXT}: missing column(s) {', '.join(map(repr, missing))}; "
            f"the frame has {', '.join(map(repr, transactions.columns))}"
        )
    dtype = transactions.schema[date_col]
    if dtype == pl.Date:
        day = pl.col(date_col)
    elif isinstance(dtype, pl.Datetime):
        # A timezone-aware timestamp falls on the calendar day of its own timezone.
        day = pl.col(date_col).dt.date()
    else:
        raise ValueError(f"{_CONTEXT}: column {date_col!r} must be a Date or Datetime, got {dtype}")
    columns = [pl.col(customer_col).alias("customer"), day.alias("day")]
    if value_col is not None:
        value_dtype = transactions.schema[value_col]
        if not value_dtype.is_numeric():
            raise ValueError(f"{_CONTEXT}: column {value_col!r} must be numeric, got {value_dtype}")
        # Money may arrive as Decimal; the models compute in float64 (CONVENTIONS 12).
        columns.append(pl.col(value_col).cast(pl.Float64).alias("value"))
    else:
        columns.append(pl.lit(0.0).alias("value"))
    frame = transactions.select(columns)
    for name, original in (("customer", customer_col), ("day", date_col), ("value", value_col)):
        nulls = frame.get_column(name).null_count()
        if nulls:
            raise ValueError(f"{_CONTEXT}: column {original!r} has {nulls} null value(s)")
    if value_col is not None and not frame.get_column("value").is_finite().all():
        raise ValueError(f"{_CONTEXT}: column {value_col!r} has NaN or infinite values")
    return frame


def _purchase_days(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by(["customer", "day"]).agg(pl.col("value").sum())


def rfm_summary(
    transactions: pl.DataFrame,
    *,
    customer_col: str,
    date_col: str,
    value_col: str | None = None,
    observation_end: date,
    time_unit: Literal["D", "W"] = "W",
    calibration_end: date | None = None,
) -> pl.DataFrame:
    """Summarise transactions into ``frequency``, ``recency``, ``T`` and ``monetary_value``.

    Parameters
    ----------
    transactions
        One row per transaction (or order line); other columns are ignored.
    customer_col
        Customer (account) key.
    date_col
        Purchase date, ``Date`` or ``Datetime`` (a timestamp counts on its calendar day).
    value_col
        Purchase value; when ``None`` the output has no ``monetary_value`` column.
    observation_end
        Last day observed. Transactions after it are ignored; a purchase on it counts.
    time_unit
        ``"D"`` (days) or ``"W"`` (weeks of 7 days) for ``recency``, ``T`` and
        ``duration_holdout``. Purchases are merged per day whatever the unit, so a weekly
        summary keeps fractional weeks (30.43 weeks for 213 days), as in the CDNOW data.
    calibration_end
        If given, the summary covers purchases up to and including this day (``T`` is
        measured to it) and three holdout columns describe
        ``(calibration_end, observation_end]``: ``frequency_holdout`` (purchase days),
        ``monetary_value_holdout`` (their mean value, 0 without purchases) and
        ``duration_holdout``. Customers whose first purchase falls in the holdout are left
        out, as the models cannot score them.

    Returns
    -------
    polars.DataFrame
        One row per customer, sorted by ``customer_col``.

    Raises
    ------
    ValueError
        For missing columns, wrong types, nulls, or ``calibration_end`` after
        ``observation_end``.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> tx = pl.DataFrame({
    ...     "account": ["a", "a", "a", "b"],
    ...     "day": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 15), date(2024, 1, 8)],
    ...     "amount": [10.0, 5.0, 20.0, 7.0],
    ... })
    >>> rfm_summary(tx, customer_col="account", date_col="day", value_col="amount",
    ...             observation_end=date(2024, 1, 29))
    shape: (2, 5)
    ┌─────────┬───────────┬─────────┬─────┬────────────────┐
    │ account ┆ frequency ┆ recency ┆ T   ┆ monetary_value │
    │ ---     ┆ ---       ┆ ---     ┆ --- ┆ ---            │
    │ str     ┆ i64       ┆ f64     ┆ f64 ┆ f64            │
    ╞═════════╪═══════════╪═════════╪═════╪════════════════╡
    │ a       ┆ 1         ┆ 2.0     ┆ 4.0 ┆ 20.0           │
    │ b       ┆ 0         ┆ 0.0     ┆ 3.0 ┆ 0.0            │
    └─────────┴───────────┴─────────┴─────┴────────────────┘
    """
    if time_unit not in _DAYS:
        raise ValueError(f"{_CONTEXT}: time_unit must be 'D' or 'W', got {time_unit!r}")
    unit = _DAYS[time_unit]
    end = _as_date(observation_end, "observation_end")
    cut = end if calibration_end is None else _as_date(calibration_end, "calibration_end")
    if cut > end:
        raise ValueError(f"{_CONTEXT}: calibration_end {cut} is after observation_end {end}")
    frame = _validated(transactions, customer_col, date_col, value_col)
    days = _purchase_days(frame.filter(pl.col("day") <= end))
    calibration = days.filter(pl.col("day") <= cut)

    first_day = pl.col("day").min()
    summary = (
        calibration.group_by("customer")
        .agg(
            (pl.len() - 1).cast(pl.Int64).alias("frequency"),
            ((pl.col("day").max() - first_day).dt.total_days() / unit).alias("recency"),
            ((pl.lit(cut) - first_day).dt.total_days() / unit).alias("T"),
            # Mean of the repeat purchase days: total less the first day's, over the rest.
            pl.when(pl.len() > 1)
            .then((pl.col("value").sum() - pl.col("value").sort_by("day").first()) / (pl.len() - 1))
            .otherwise(0.0)
            .alias("monetary_value"),
        )
        .with_columns(pl.col("recency", "T").cast(pl.Float64))
    )
    if calibration_end is not None:
        holdout = (
            days.filter(pl.col("day") > cut)
            .group_by("customer")
            .agg(
                pl.len().cast(pl.Int64).alias("frequency_holdout"),
                pl.col("value").mean().alias("monetary_value_holdout"),
            )
        )
        summary = summary.join(holdout, on="customer", how="left").with_columns(
            pl.col("frequency_holdout").fill_null(0),
            pl.col("monetary_value_holdout").fill_null(0.0),
            pl.lit((end - cut).days / unit, dtype=pl.Float64).alias("duration_holdout"),
        )
    if value_col is None:
        summary = summary.drop([c for c in summary.columns if c.startswith("monetary_value")])
    return summary.sort("customer").rename({"customer": customer_col})
