"""``tenure backtest``'s results kept for the track-record page: write one, read the latest.

The command writes a record through :func:`backtest_record_save`; the page reads
:func:`latest_backtests` (the newest record per scorecard version and model).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from tenure.health.models import BacktestRecord
from tenure.insights.risk import ChurnRiskModel

__all__ = ["backtest_record_save", "latest_backtests", "risk_model_label"]

#: The metrics columns a record keeps, in the order the page shows them.
METRIC_COLUMNS = (
    "outcome",
    "score",
    "n",
    "positives",
    "roc_auc",
    "pr_auc",
    "top_decile_lift",
    "brier",
)


def risk_model_label() -> str:
    """The risk model's kind and settings as a short label, e.g. ``lgbm-1a2b3c4d``.

    Two backtests share a label when they trained the same features with the same
    hyper-parameters, so the page can show the latest backtest of each model; the seed and
    thread count do not change what model it is.
    """
    settings = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in vars(ChurnRiskModel()).items()
        if key not in ("seed", "num_threads")
    }
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    return f"lgbm-{digest[:8]}"


@transaction.atomic
def backtest_record_save(
    *,
    as_of: dt.date,
    scorecard_version: str,
    model_version: str,
    plan: dict[str, Any],
    metrics: pl.DataFrame,
    calibration_png: Path,
    lift_png: Path,
) -> BacktestRecord:
    """Keep a backtest's pooled metrics and its two figures.

    Raises
    ------
    ValueError
        When the metrics lack a column the page shows or hold no pooled ("all") row: a
        record the page could not read is not written.
    """
    missing = {"cutoff", *METRIC_COLUMNS} - set(metrics.columns)
    if missing:
        raise ValueError(f"the backtest metrics lack the column(s) {', '.join(sorted(missing))}")
    pooled = metrics.filter(pl.col("cutoff") == "all").select(METRIC_COLUMNS)
    if pooled.is_empty():
        raise ValueError("the backtest metrics hold no pooled row (cutoff 'all')")
    return BacktestRecord.objects.create(
        as_of=as_of,
        scorecard_version=scorecard_version,
        model_version=model_version,
        plan=plan,
        metrics=pooled.to_dicts(),
        calibration_png=calibration_png.read_bytes(),
        lift_png=lift_png.read_bytes(),
    )


def latest_backtests() -> list[BacktestRecord]:
    """The newest backtest of each scorecard version and model, newest first."""
    seen: set[tuple[str, str]] = set()
    newest: list[int] = []
    # Keys first, so the figures' bytes are read for the records shown only.
    for pk, scorecard, model in BacktestRecord.objects.order_by("-created_at", "-pk").values_list(
        "pk", "scorecard_version", "model_version"
    ):
        if (scorecard, model) not in seen:
            seen.add((scorecard, model))
            newest.append(pk)
    return list(BacktestRecord.objects.filter(pk__in=newest).order_by("-created_at", "-pk"))
