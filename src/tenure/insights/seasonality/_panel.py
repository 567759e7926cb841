"""Monthly revenue of many accounts as one dense matrix on a shared calendar.

Every seasonality function works on a :class:`MonthlyPanel`: one row per account, one
column per calendar month, ``NaN`` before the account's first month with revenue. Built
from a long Polars frame (``account_id``, ``month``, ``revenue``) with
:func:`monthly_panel`, or from per-account lists with :func:`panel_from_series`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

__all__ = ["FloatArray", "MonthlyPanel", "add_months", "monthly_panel", "panel_from_series"]

FloatArray = NDArray[np.float64]

_CONTEXT = "monthly_panel"


def add_months(month: dt.date, count: int) -> dt.date:
    """Return the first day of the month ``count`` months after ``month`` (negative: back)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthlyPanel:
    """Monthly revenue of ``n`` accounts over ``m`` consecutive calendar months.

    Attributes
    ----------
    account_ids : list
        The account keys, one per row of ``values``.
    first_month : datetime.date
        The first day of the month of column 0.
    values : numpy.ndarray
        Shape ``(n, m)``, float64. ``NaN`` before an account's first month with non-zero
        revenue (it was not a customer yet); ``0.0`` for months without revenue after that.
    """

    account_ids: list[object]
    first_month: dt.date
    values: FloatArray

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[0] != len(self.account_ids):
            raise ValueError(
                f"values must have shape (len(account_ids), months), got {self.values.shape}"
            )
        if self.first_month.day != 1:
            raise ValueError("first_month must be the first day of a month")

    @property
    def months(self) -> int:
        """Number of calendar months (columns)."""
        return int(self.values.shape[1])

    @property
    def calendar_months(self) -> NDArray[np.int64]:
        """The calendar month (1–12) of every column."""
        return (np.arange(self.months) + self.first_month.month - 1) % 12 + 1

    @property
    def history_months(self) -> NDArray[np.int64]:
        """Months from each account's first month with revenue to the panel's last month."""
        return np.asarray((~np.isnan(self.values)).sum(axis=1), dtype=np.int64)

    def month(self, column: int) -> dt.date:
        """Return the first day of the calendar month of ``column`` (may lie beyond the panel)."""
        return add_months(self.first_month, column)

    def head(self, months: int) -> MonthlyPanel:
        """Return the panel cut after its first ``months`` months (for backtests)."""
        if not 0 < months <= self.months:
            raise ValueError(f"months must lie in 1..{self.months}, got {months}")
        return MonthlyPanel(
            self.account_ids, self.first_month, _mask_leading(self.values[:, :months])
        )


def _mask_leading(values: FloatArray) -> FloatArray:
    """``NaN`` before each row's first non-zero, finite value; the rest untouched."""
    started = np.logical_or.accumulate(np.nan_to_num(values) != 0.0, axis=1)
    return np.where(started, np.nan_to_num(values), np.nan)


def monthly_panel(
    frame: pl.DataFrame,
    *,
    account_col: str = "account_id",
    month_col: str = "month",
    revenue_col: str = "revenue",
    last_month: dt.date | None = None,
) -> MonthlyPanel:
    """Pivot long monthly revenue into a :class:`MonthlyPanel`.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per account and month (several rows for one month are summed). Months
        without a row count as zero revenue once the account has started buying.
    account_col, month_col, revenue_col : str
        Column names. ``month_col`` holds dates (any day; truncated to the month).
    last_month : datetime.date, optional
        The panel's last month; default the latest month in ``frame``. Pass the last
        *complete* month to leave out a month still in progress.

    Returns
    -------
    MonthlyPanel
        Accounts sorted by key; an account without any non-zero revenue is kept with an
        all-``NaN`` row (no history).
    """
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"{_CONTEXT}: expected a polars.DataFrame, got {type(frame).__name__}")
    missing = [c for c in (account_col, month_col, revenue_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"{_CONTEXT}: missing column(s) {missing}; the frame has {frame.columns}")
    if frame.schema[month_col] not in (pl.Date, pl.Datetime):
        raise ValueError(f"{_CONTEXT}: column {month_col!r} must hold dates")
    if not frame.schema[revenue_col].is_numeric():
        raise ValueError(f"{_CONTEXT}: column {revenue_col!r} must be numeric")
    data = frame.select(
        pl.col(account_col).alias("account"),
        pl.col(month_col).cast(pl.Date).dt.truncate("1mo").alias("month"),
        pl.col(revenue_col).cast(pl.Float64).alias("revenue"),
    )
    if data["account"].null_count() or data["month"].null_count():
        raise ValueError(f"{_CONTEXT}: {account_col!r} and {month_col!r} cannot be null")
    revenue = data["revenue"]
    if revenue.null_count() or not revenue.is_finite().all():
        raise ValueError(f"{_CONTEXT}: {revenue_col!r} has null, NaN or infinite values")
    accounts = data["account"].unique().sort().to_list()
    if data.height == 0:
        start = last_month.replace(day=1) if last_month else dt.date(2000, 1, 1)
        return MonthlyPanel(accounts, start, np.zeros((0, 1)))
    first: dt.date = data["month"].min()  # type: ignore[assignment]
    last: dt.date = last_month.replace(day=1) if last_month else data["month"].max()  # type: ignore[assignment]
    if last < first:
        raise ValueError(f"{_CONTEXT}: last_month {last} is before the first month {first}")
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    cells = (
        data.filter(pl.col("month") <= last)
        .group_by("account", "month")
        .agg(pl.col("revenue").sum())
        .with_columns(
            pl.col("account").replace_strict(accounts, list(range(len(accounts)))).alias("row"),
            (
                (pl.col("month").dt.year() - first.year) * 12
                + pl.col("month").dt.month()
                - first.month
            ).alias("col"),
        )
    )
    values = np.zeros((len(accounts), months))
    values[cells["row"].to_numpy(), cells["col"].to_numpy()] = cells["revenue"].to_numpy()
    return MonthlyPanel(accounts, first, _mask_leading(values))


def panel_from_series(
    account_ids: Sequence[object],
    first_months: Sequence[dt.date],
    series: Sequence[Sequence[float]],
    *,
    last_month: dt.date | None = None,
) -> MonthlyPanel:
    """Build a panel from per-account monthly lists that may start in different months.

    Parameters
    ----------
    account_ids : sequence
        One key per account.
    first_months : sequence of datetime.date
        The month of each list's first value.
    series : sequence of sequences of float
        Revenue per month from that account's first month, oldest first.
    last_month : datetime.date, optional
        The panel's last month; default the latest month any list reaches. Values after
        it are dropped (a month still in progress, say).
    """
    if not len(account_ids) == len(first_months) == len(series):
        raise ValueError("account_ids, first_months and series must have the same length")
    if not account_ids:
        empty_start = last_month.replace(day=1) if last_month else dt.date(2000, 1, 1)
        return MonthlyPanel([], empty_start, np.zeros((0, 1)))
    starts = [m.year * 12 + m.month - 1 for m in first_months]
    ends = [s + len(v) - 1 for s, v in zip(starts, series, strict=True)]
    origin = min(starts)
    end = (last_month.year * 12 + last_month.month - 1) if last_month else max(ends)
    if end < origin:
        raise ValueError(f"last_month {last_month} is before every series starts")
    values = np.zeros((len(account_ids), end - origin + 1))
    for row, (offset, items) in enumerate(zip(starts, series, strict=True)):
        array = np.asarray(items, dtype=np.float64)[: max(0, end - offset + 1)]
        if not np.isfinite(array).all():
            raise ValueError(f"series of account {account_ids[row]!r} has NaN or infinite values")
        values[row, offset - origin : offset - origin + array.size] = array
    return MonthlyPanel(
        list(account_ids), dt.date(origin // 12, origin % 12 + 1, 1), _mask_leading(values)
    )
