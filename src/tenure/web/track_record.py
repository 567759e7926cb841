""" "How good are our scores?": the latest backtests of churn risk and the CLV holdout check.

For directors and analysts (and admins): the figures judge the models, not accounts, and
managers act on the scores rather than audit them. It reads health's kept backtests and
scoring's latest CLV fit, so it is composed here.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenure.access.choices import Role
from tenure.accounts.permissions import AnyUser, role_of
from tenure.health.backtest_records import latest_backtests
from tenure.health.models import BacktestRecord
from tenure.scoring.clv_fit_record import clv_fit_label
from tenure.scoring.models import ScoringRun
from tenure.scoring.selectors import portfolio_latest

_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.ANALYST})
#: Labels and scores in the order the tables show them, in words.
OUTCOMES = {
    "definition": "Churn by the churn settings' definition",
    "no_order": "Standard label: no order in the horizon, among the year's buyers",
    "ground truth": "Recorded churn (ground truth)",
}
SCORES = {
    "model": "Risk model",
    "logistic": "Logistic regression (baseline)",
    "recency": "Recency alone (baseline)",
    "health": "Health score (baseline)",
}


def sees_track_record(user: AnyUser | None) -> bool:
    """Directors, analysts and admins see how good the scores are."""
    return role_of(user) in _ROLES


@dataclass(frozen=True)
class BacktestView:
    """One kept backtest as the page shows it: tables per label, figures as data URIs."""

    record: BacktestRecord
    tables: list[tuple[str, list[dict[str, Any]]]]
    calibration_uri: str
    lift_uri: str


def _png_uri(data: bytes | memoryview) -> str:
    return "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")


def _tables(metrics: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    order = {score: i for i, score in enumerate(SCORES)}
    tables = []
    for outcome, title in OUTCOMES.items():
        rows = sorted(
            (
                {**row, "score_label": SCORES.get(row["score"], row["score"])}
                for row in metrics
                if row["outcome"] == outcome
            ),
            key=lambda row: order.get(row["score"], len(order)),
        )
        if rows:
            tables.append((title, rows))
    return tables


def _clv_fit(run: ScoringRun | None) -> dict[str, Any] | None:
    if run is None or not run.clv_fit:
        return None
    fit = run.clv_fit
    errors = fit.get("standard_errors", {})
    return {
        "run": run,
        "label": clv_fit_label(fit),
        "fit": fit,
        "params": [
            (name, value, errors.get(name)) for name, value in fit.get("params", {}).items()
        ],
        "holdout": fit.get("holdout_choice") or {},
    }


def track_record(request: HttpRequest) -> HttpResponse:
    """The latest backtest of each scorecard version and model, and the CLV fit in use."""
    if not sees_track_record(request.user):
        raise PermissionDenied("How good the scores are is for directors and analysts.")
    backtests = [
        BacktestView(
            record=record,
            tables=_tables(record.metrics),
            calibration_uri=_png_uri(record.calibration_png),
            lift_uri=_png_uri(record.lift_png),
        )
        for record in latest_backtests()
    ]
    # The run the portfolio page shows, so both pages speak of the same fit.
    latest = portfolio_latest()
    return render(
        request,
        "web/track_record.html",
        {"backtests": backtests, "clv": _clv_fit(latest.run if latest else None)},
    )
