"""The churn model's settings fitted to the ledger's length, for ``tenure score``.

:func:`tenure.insights.risk.plan_for_history` decides; this reads the ledger's first and
last days and applies the chosen horizon to the churn definition in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.conf import settings

from tenure.health.point_in_time import History
from tenure.health.risk_training import MIN_HISTORY_DAYS, ledger_start
from tenure.insights.risk import ChurnDefinition, HistoryPlan, plan_for_history


def configured_min_history() -> int:
    """Days of orders needed before a training cut-off, as configured (180 by default)."""
    return int(getattr(settings, "TENURE_RISK_MIN_HISTORY_DAYS", MIN_HISTORY_DAYS))


def training_plan(
    history: History,
    *,
    as_of: dt.date,
    definition: ChurnDefinition,
    min_history_days: int | None = None,
) -> tuple[HistoryPlan, ChurnDefinition]:
    """The plan for training at ``as_of`` (no folds) and the definition with its horizon.

    ``min_history_days`` defaults to the ``TENURE_RISK_MIN_HISTORY_DAYS`` setting.

    Raises
    ------
    ValueError
        If the ledger is empty or too short even for the shortest settings.
    """
    start = ledger_start(history)
    if start is None:
        raise ValueError("the ledger holds no order lines")
    plan = plan_for_history(
        start,
        as_of,
        horizon_days=definition.horizon_days,
        min_history_days=min_history_days or configured_min_history(),
        folds=0,
    )
    return plan, replace(definition, horizon_days=plan.horizon_days)
