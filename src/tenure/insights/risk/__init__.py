"""Churn risk: what churn is, point-in-time features, a calibrated model and its reasons.

- :class:`ChurnDefinition` and :func:`churn_labels` say who churned (configurable: silence
  for a multiple of the usual order interval, or trailing revenue down by a share);
- :func:`risk_features` turns per-account inputs known at a date into the model's columns;
- :func:`no_order_labels` is the standard label (no order in the horizon, among the year's
  buyers) and :class:`LogisticBaseline` the linear baseline, for the backtest;
- :func:`plan_for_history` fits horizon, history and cut-offs to a short ledger;
- :class:`ChurnRiskModel` is a LightGBM classifier calibrated on a held-out fold, whose
  per-feature contributions become plain-words drivers (:func:`describe`).

Nothing here imports Django. See ``docs/risk.md``.
"""

from .baseline import LogisticBaseline
from .calibration import IsotonicCalibrator, PlattCalibrator
from .definition import DEFAULT_CHURN, ChurnDefinition, churn_labels, churned_as_of
from .drivers import CONTEXT_FEATURES, describe
from .features import CRM_FEATURES, LEDGER_FEATURES, RISK_FEATURES, risk_features
from .model import ChurnRiskModel, Driver
from .plan import HistoryPlan, plan_for_history
from .standard import DEFAULT_LOOKBACK_DAYS, no_order_labels

__all__ = [
    "CONTEXT_FEATURES",
    "CRM_FEATURES",
    "DEFAULT_CHURN",
    "DEFAULT_LOOKBACK_DAYS",
    "LEDGER_FEATURES",
    "RISK_FEATURES",
    "ChurnDefinition",
    "ChurnRiskModel",
    "Driver",
    "HistoryPlan",
    "IsotonicCalibrator",
    "LogisticBaseline",
    "PlattCalibrator",
    "churn_labels",
    "churned_as_of",
    "describe",
    "no_order_labels",
    "plan_for_history",
    "risk_features",
]
