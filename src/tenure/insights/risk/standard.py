"""The standard churn label: no order in the next *H* days, among recent buyers.

Tenure's own definition (:func:`tenure.insights.risk.churn_labels`) is built from silence
against each account's rhythm, so part of predicting it is predicting that a silence goes
on. Outside readers compare churn models on a plainer target, used across the
non-contractual churn literature (e.g. Buckinx & Van den Poel 2005, *European Journal of
Operational Research* 164(1), partial defection as "no purchase in the next period"):

* **eligible** at a cut-off *c*: the account ordered in the ``lookback_days`` before *c*
  (a year by default) — it was a customer then;
* **positive** (``no_order`` = 1): no order dated in ``[c, c + horizon_days)``.

The label needs only each account's last order date as known before *c* and as known at
the end of the horizon, so it is computed from the same feature frames as the definition's.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

__all__ = ["DEFAULT_LOOKBACK_DAYS", "no_order_labels"]

#: Eligibility window before the cut-off: accounts that ordered within it.
DEFAULT_LOOKBACK_DAYS = 365


def no_order_labels(
    at_cutoff: pl.DataFrame,
    at_horizon: pl.DataFrame,
    *,
    cutoff: dt.date,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    account_col: str = "account_key",
) -> pl.DataFrame:
    """Label the accounts that ordered in the year before ``cutoff`` by whether they stop.

    Parameters
    ----------
    at_cutoff
        One row per account with ``last_order_date`` counting lines dated before
        ``cutoff`` (features as of the day before).
    at_horizon
        The same with lines dated before ``cutoff + horizon_days`` (features as of the
        horizon's last day).
    cutoff
        First day of the outcome window.
    lookback_days
        An account is eligible when its last order before ``cutoff`` is at most this many
        days before it.
    account_col
        Account key in both frames.

    Returns
    -------
    polars.DataFrame
        One row per eligible account: ``account_col`` and ``no_order`` (Int8, 1 when the
        account placed no order in the horizon).

    Examples
    --------
    >>> before = pl.DataFrame({"k": ["a", "b", "c"], "last_order_date": [
    ...     dt.date(2025, 5, 1), dt.date(2025, 6, 20), dt.date(2023, 1, 1)]})
    >>> after = pl.DataFrame({"k": ["a", "b", "c"], "last_order_date": [
    ...     dt.date(2025, 5, 1), dt.date(2025, 8, 2), dt.date(2023, 1, 1)]})
    >>> no_order_labels(before, after, cutoff=dt.date(2025, 7, 1), account_col="k").rows()
    [('a', 1), ('b', 0)]
    """
    if isinstance(lookback_days, bool) or not isinstance(lookback_days, int) or lookback_days < 1:
        raise ValueError(f"lookback_days must be a whole number >= 1, got {lookback_days!r}")
    for name, frame in (("at_cutoff", at_cutoff), ("at_horizon", at_horizon)):
        missing = [c for c in (account_col, "last_order_date") if c not in frame.columns]
        if missing:
            raise ValueError(f"no_order_labels ({name}): missing column(s) {', '.join(missing)}")
    earliest = cutoff - dt.timedelta(days=lookback_days)
    before = pl.col("last_order_date").cast(pl.Date)
    eligible = at_cutoff.filter(
        before.is_not_null() & (before >= earliest) & (before < cutoff)
    ).select(account_col)
    later = at_horizon.select(account_col, pl.col("last_order_date").cast(pl.Date).alias("_last"))
    # The horizon frame's last order is on or after the cut-off exactly when one was placed.
    return (
        eligible.join(later, on=account_col, how="left")
        .select(
            account_col,
            (pl.col("_last").is_null() | (pl.col("_last") < cutoff))
            .cast(pl.Int8)
            .alias("no_order"),
        )
        .sort(account_col)
    )
