"""Health scores of a state frame, against one scorecard version.

Used by the scoring run's preparation (:mod:`tenure.health.prepare`) and by the backtest's
health baseline (:mod:`tenure.health.risk_training`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from tenure.health.engagement_features import ENGAGEMENT_COLUMNS, engagement_features
from tenure.health.point_in_time import History
from tenure.insights.health import Scorecard, health_inputs, score_health


def health_frame(
    state: pl.DataFrame, scorecard: Scorecard, *, sentiment: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Score a state (one row per account) against ``scorecard``.

    Returns the :func:`~tenure.insights.health.score_health` columns plus each measure's
    input value as ``value_<measure key>``, keyed by ``account_id``.
    """
    frame = state
    if sentiment is not None and sentiment.height:
        frame = frame.drop("nps", strict=False).join(
            sentiment.select("account_id", "nps"), on="account_id", how="left"
        )
    elif "nps" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("nps"))
    inputs = health_inputs(frame, scorecard)
    sources = list(dict.fromkeys(m.source for m in scorecard.measures))
    inputs = inputs.with_columns(
        pl.lit(None, pl.Float64).alias(s) for s in sources if s not in inputs.columns
    ).select("account_id", *(pl.col(s).cast(pl.Float64) for s in sources))
    values = inputs.select(
        "account_id", *(pl.col(m.source).alias(f"value_{m.key}") for m in scorecard.measures)
    )
    return score_health(inputs, scorecard).join(values, on="account_id", how="left")


def scorecard_state(
    history: History, state: pl.DataFrame, scorecard: Scorecard, as_of: dt.date
) -> pl.DataFrame:
    """``state`` with the CRM features counted over the scorecard's own windows."""
    if (scorecard.window_days, scorecard.recent_days) == (history.window_days, history.recent_days):
        return state
    engagement = engagement_features(
        history.events,
        as_of=as_of,
        window_days=scorecard.window_days,
        recent_days=scorecard.recent_days,
    )
    return state.drop(*ENGAGEMENT_COLUMNS).join(engagement, on="account_id", how="left")
