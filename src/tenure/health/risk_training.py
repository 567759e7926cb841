"""Training and backtesting the churn model on rolling cut-offs, point in time.

At a cut-off *c* the features are what was known at the end of the day before (ledger
lines dated before *c*; CRM facts dated before *c*) and the label is whether the account
churned in the ``horizon_days`` from *c* (:func:`tenure.insights.risk.churn_labels`). A
model used at *c* is trained only on cut-offs whose horizon ended before *c*, so it never
learns from an outcome that was not known yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from tenure.health.point_in_time import History
from tenure.insights.risk import (
    DEFAULT_CHURN,
    RISK_FEATURES,
    ChurnDefinition,
    ChurnRiskModel,
    churn_labels,
    risk_features,
)

#: The CRM windows the risk model's features are named after.
RISK_NAMES = {
    "strategic_recent": "strategic_90d",
    "interactions_recent": "interactions_90d",
    "negative_recent": "negative_90d",
    "issues_recent": "issues_90d",
}
#: Cut-offs need this much ledger history before them to say anything (the default; a
#: short ledger gets less, see :func:`tenure.insights.risk.plan_for_history`).
MIN_HISTORY_DAYS = 180
Progress = Callable[[str], None]


def model_inputs(state: pl.DataFrame, *, as_of: dt.date) -> pl.DataFrame:
    """The model's feature frame (``account_id``, ``account_key`` + features) from a state."""
    renamed = state.rename({k: v for k, v in RISK_NAMES.items() if k in state.columns})
    features = risk_features(renamed, as_of=as_of, account_col="account_id")
    return state.select("account_id", "account_key").join(features, on="account_id")


def labelled_rows(
    history: History, cutoff: dt.date, definition: ChurnDefinition = DEFAULT_CHURN
) -> pl.DataFrame:
    """Accounts eligible at ``cutoff`` with their features and churn label.

    Returns
    -------
    polars.DataFrame
        ``cutoff``, ``account_id``, ``account_key``, the features, ``churned`` (0/1) and
        the state's ``days_since_last_order`` for the recency baseline.
    """
    known = cutoff - dt.timedelta(days=1)
    outcome = known + dt.timedelta(days=definition.horizon_days)
    labels = churn_labels(history.ledger(known), history.ledger(outcome), definition)
    state = history.state(known)
    inputs = model_inputs(state, as_of=known)
    return (
        inputs.join(labels.select("account_key", "churned"), on="account_key", how="inner")
        .with_columns(
            pl.lit(cutoff).alias("cutoff"), pl.col("churned").cast(pl.Int8).alias("churned")
        )
        .sort("account_id")
    )


def rolling_cutoffs(
    last: dt.date, *, count: int, step_days: int, earliest: dt.date | None = None
) -> list[dt.date]:
    """``count`` cut-offs ending at ``last``, ``step_days`` apart, oldest first."""
    days = [last - dt.timedelta(days=step_days * k) for k in range(count)]
    if earliest is not None:
        days = [d for d in days if d >= earliest]
    return sorted(days)


def _ledger_day(history: History, which: str) -> dt.date | None:
    if history.lines is None:
        return None
    lines = history.lines
    column = lines.order_date.min() if which == "first" else lines.order_date.max()
    value = lines.aggregate(day=column).to_pyarrow()["day"][0].as_py()
    return value if isinstance(value, dt.date) else None


def ledger_start(history: History) -> dt.date | None:
    """The first order date in the ledger."""
    return _ledger_day(history, "first")


def ledger_end(history: History) -> dt.date | None:
    """The last order date in the ledger."""
    return _ledger_day(history, "last")


@dataclass(frozen=True)
class TrainedRisk:
    """A fitted model and how it was trained."""

    model: ChurnRiskModel
    definition: ChurnDefinition
    cutoffs: tuple[dt.date, ...]
    rows: int
    churned: int
    trained_as_of: dt.date
    info: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "trained_as_of": self.trained_as_of.isoformat(),
            "cutoffs": [c.isoformat() for c in self.cutoffs],
            "rows": self.rows,
            "churned": self.churned,
            "definition": self.definition.to_dict(),
            **self.info,
        }


def cutoff_plan(accounts: int, *, target_rows: int = 40_000) -> tuple[int, int]:
    """How many training cut-offs, how far apart: enough rows to learn from, few reads.

    A small portfolio needs many monthly cut-offs (up to 24) to collect enough churn
    cases; a large one gets four quarterly cut-offs, which still span the seasons and keep
    the ledger reads few (quarterly steps make outcome days coincide with feature days).
    """
    count = int(np.clip(np.ceil(target_rows / max(accounts, 1)), 4, 24))
    return count, (90 if count <= 4 else 30)


def train_risk(
    history: History,
    *,
    as_of: dt.date,
    definition: ChurnDefinition = DEFAULT_CHURN,
    count: int | None = None,
    step_days: int | None = None,
    max_rows: int | None = 250_000,
    sample_accounts: int | None = 60_000,
    seed: int = 7,
    num_threads: int = 0,
    min_history_days: int = MIN_HISTORY_DAYS,
    progress: Progress = lambda _: None,
) -> TrainedRisk:
    """Train on the latest ``count`` cut-offs whose horizon has ended by ``as_of``.

    The latest cut-off is ``as_of + 1 day - horizon``: its outcome window ends on
    ``as_of``. With ``step_days`` dividing the horizon, outcome days coincide with other
    cut-offs' feature days and the ledger is read fewer times. ``count`` and ``step_days``
    default to :func:`cutoff_plan` for the portfolio's size. A portfolio larger than
    ``sample_accounts`` is trained on a seeded sample of that many accounts: tens of
    thousands of accounts over four cut-offs are plenty to learn from, and the ledger is
    then read for them only.
    """
    if sample_accounts is not None:
        history = history.sample(sample_accounts, seed=seed)
    planned = cutoff_plan(history.events.accounts.height)
    count = planned[0] if count is None else count
    step_days = planned[1] if step_days is None else step_days
    last = as_of + dt.timedelta(days=1) - dt.timedelta(days=definition.horizon_days)
    start = ledger_start(history)
    earliest = None if start is None else start + dt.timedelta(days=min_history_days)
    cutoffs = rolling_cutoffs(last, count=count, step_days=step_days, earliest=earliest)
    if not cutoffs:
        raise ValueError("the ledger's history is too short to train the risk model")
    frames = []
    for cutoff in cutoffs:
        rows = labelled_rows(history, cutoff, definition)
        progress(f"  risk training cut-off {cutoff}: {rows.height:,} accounts")
        frames.append(rows)
    data = pl.concat(frames, how="vertical")
    if max_rows is not None and data.height > max_rows:
        data = data.sample(n=max_rows, seed=seed).sort("cutoff", "account_id")
    model = ChurnRiskModel(seed=seed, num_threads=num_threads).fit(
        data.select(RISK_FEATURES), data["churned"], groups=data["cutoff"].to_numpy()
    )
    return TrainedRisk(
        model=model,
        definition=definition,
        cutoffs=tuple(cutoffs),
        rows=data.height,
        churned=int(data["churned"].sum()),
        trained_as_of=as_of,
    )


def truth_labels(truth: pl.DataFrame, cutoff: dt.date, horizon_days: int) -> pl.DataFrame:
    """Recorded churn within the horizon from a ground-truth table.

    ``truth`` has ``account_key`` and ``churn_date`` (null: never churned). Accounts whose
    recorded churn came before the cut-off are marked ``None`` (not eligible).
    """
    end = cutoff + dt.timedelta(days=horizon_days)
    day = pl.col("churn_date")
    return truth.select(
        "account_key",
        pl.when(day.is_not_null() & (day < cutoff))
        .then(None)
        .otherwise(day.is_not_null() & (day < end))
        .cast(pl.Int8)
        .alias("truth"),
    )
