"""Writes and settings of health and risk: scorecard versions, churn settings, the saved model."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings

from tenure.core.models import settings_in_force
from tenure.core.scorecards import active_scorecard, scorecard_version_publish
from tenure.health.models import ChurnSettings, HealthScorecard
from tenure.insights.health import DEFAULT_HEALTH, Scorecard
from tenure.insights.risk import RISK_FEATURES, ChurnDefinition, ChurnRiskModel

#: A saved model older than this (in days of data) is retrained by the next scoring run.
RETRAIN_AFTER_DAYS = 90


def health_scorecard_current() -> tuple[HealthScorecard, Scorecard]:
    """The active health scorecard, creating the default version on first use."""
    return active_scorecard(HealthScorecard, DEFAULT_HEALTH)


def health_scorecard_publish(
    *, definition: dict[str, Any], version: str, note: str = ""
) -> HealthScorecard:
    """Publish a new health scorecard version and make it the active one (see
    :func:`~tenure.core.scorecards.scorecard_version_publish` for what is refused)."""
    return scorecard_version_publish(
        HealthScorecard, Scorecard, definition=definition, version=version, note=note
    )


def churn_definition_current() -> ChurnDefinition:
    """The churn rule and horizon in force (the newest settings, saved on first use)."""
    row = settings_in_force(ChurnSettings)
    return ChurnDefinition(
        interval_multiple=row.interval_multiple,
        min_silence_days=row.min_silence_days,
        fallback_interval_days=row.fallback_interval_days,
        revenue_drop=row.revenue_drop,
        horizon_days=row.horizon_days,
    )


def risk_model_path() -> Path:
    """Where the trained churn model is kept: ``TENURE_HOME/models/churn-risk.json``."""
    return Path(settings.HOME) / "models" / "churn-risk.json"


def _saved_as_of(path: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(json.loads(path.read_text())["about"]["trained_as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def risk_model_save(
    model: ChurnRiskModel,
    *,
    definition: ChurnDefinition,
    about: dict[str, Any],
    keep_newer: bool = False,
) -> Path | None:
    """Write the model with the definition it was trained for (atomically: temp + rename).

    With ``keep_newer`` a saved model trained on later data stays (re-scoring a past date
    trains a model for that date but does not replace today's); ``None`` is returned then.
    """
    path = risk_model_path()
    saved = _saved_as_of(path) if keep_newer else None
    if saved is not None and saved > dt.date.fromisoformat(about["trained_as_of"]):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"model": model.to_dict(), "definition": definition.to_dict(), "about": about}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload))
    os.replace(temporary, path)
    return path


def risk_model_load(
    *, as_of: dt.date, definition: ChurnDefinition
) -> tuple[ChurnRiskModel, dict[str, Any]] | None:
    """The saved model if it fits ``as_of`` and ``definition``, else ``None``.

    It fits when it was trained for the same churn definition and features, on data up to
    a day no later than ``as_of`` (a model trained on later outcomes would leak them into a
    past date's scores) and no more than :data:`RETRAIN_AFTER_DAYS` before it.
    """
    path = risk_model_path()
    if not path.exists():
        return None
    try:
        payload = json.loads(path.read_text())
        about = payload["about"]
        trained = dt.date.fromisoformat(about["trained_as_of"])
        same_rule = ChurnDefinition.from_dict(payload["definition"]) == definition
        same_features = tuple(payload["model"]["features"]) == RISK_FEATURES
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (same_rule and same_features):
        return None
    if not 0 <= (as_of - trained).days <= RETRAIN_AFTER_DAYS:
        return None
    try:
        model = ChurnRiskModel.from_dict(payload["model"])
    except (ValueError, KeyError):
        return None
    return model, about


def risk_model_version(about: dict[str, Any]) -> str:
    """A short label for the model a score came from."""
    return f"lgbm-{about.get('trained_as_of', '?')}"
