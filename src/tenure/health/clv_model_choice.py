"""Which transaction model suits this installation: decided on a holdout of its own ledger.

Before the run's CLV fit, the ledger is cut a few months before its last order day; BG/NBD
and Pareto/NBD are fitted on the accounts' purchase days up to the cut and predict each
account's purchase days after it. The identified model with the smaller per-account mean
absolute error is tried first on the whole history (still subject to the identification
checks and the named fallback). The decision and the errors are kept with the run.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import ibis.expr.types as ir
import polars as pl

from tenure.health.clv_inputs import WEEK, clv_inputs
from tenure.insights.clv import choose_on_holdout
from tenure.ledger import features as ledger_features

__all__ = ["MAX_ACCOUNTS", "holdout_preference"]

#: Pareto/NBD takes seconds per ten thousand accounts; above this the run keeps BG/NBD first.
MAX_ACCOUNTS = 50_000
#: The holdout is a third of the history, at most 26 weeks and at least 8.
MAX_HOLDOUT_WEEKS = 26
MIN_HOLDOUT_WEEKS = 8


def holdout_preference(
    lines: ir.Table, inputs: pl.DataFrame, *, as_of: dt.date
) -> tuple[str | None, dict[str, Any]]:
    """The model to try first, and what the holdout check found (or why it was skipped).

    Parameters
    ----------
    lines
        The ledger's order lines.
    inputs
        The purchase-day summary as of ``as_of`` (``clv_inputs``).
    as_of
        The ledger day the run counts to.
    """
    buyers = inputs.filter(pl.col("frequency").is_not_null())
    if buyers.height > MAX_ACCOUNTS:
        return None, {"skipped": f"more than {MAX_ACCOUNTS:,} accounts with orders"}
    span = float(buyers.select(pl.col("T").max()).item() or 0.0)
    holdout_weeks = min(MAX_HOLDOUT_WEEKS, int(span / 3))
    if holdout_weeks < MIN_HOLDOUT_WEEKS:
        return None, {"skipped": f"history of {span:.0f} weeks is too short for a holdout"}
    cut = as_of - dt.timedelta(days=int(holdout_weeks * WEEK))
    calibration = ledger_features.to_polars(clv_inputs(lines, as_of=cut)).filter(
        pl.col("frequency").is_not_null()
    )
    joined = calibration.select("account_key", "frequency", "recency", "T").join(
        buyers.select("account_key", pl.col("frequency").alias("frequency_now")),
        on="account_key",
        how="inner",
    )
    holdout = joined["frequency_now"] - joined["frequency"]
    if joined.filter(pl.col("frequency") > 0).height == 0 or holdout.sum() <= 0:
        return None, {"skipped": "no repeat purchase in the calibration period or the holdout"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen = choose_on_holdout(
            joined["frequency"], joined["recency"], joined["T"], holdout, float(holdout_weeks)
        )
    about = {
        "calibration_end": cut.isoformat(),
        "holdout_weeks": holdout_weeks,
        "accounts": joined.height,
        "holdout_mae": chosen.holdout_mae,
        "chosen": chosen.name,
        "identified": {name: d.identified for name, d in chosen.candidates.items()},
    }
    return (None if chosen.fallback else chosen.name), about
