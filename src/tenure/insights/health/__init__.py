"""Account health: a transparent, configurable 0–100 scorecard with its contributions.

- :class:`Scorecard` (groups of :class:`Measure` s with weights and threshold bands;
  :data:`DEFAULT_HEALTH`), serialisable to and from a dict for versioned storage;
- :func:`health_inputs` derives the ratio inputs; :func:`score_health` scores accounts,
  re-weighting and flagging missing measures (:func:`missing_flags`);
- :func:`score_basis` says when a score rests on the carrier group (revenue) alone;
- :func:`suggest_weights` learns the measures' shares from a backtest
  (:func:`with_weights` turns them into a scorecard version);
- :func:`health_change` explains a move between two snapshots;
- :func:`relationship_summary` measures on how many people and threads an account rests.

Nothing here imports Django. See ``docs/health.md``.
"""

from .relationship import relationship_summary
from .score import MISSING_REASONS, health_inputs, missing_flags, score_basis, score_health
from .scorecard import DEFAULT_HEALTH, SEVERITIES, Measure, MeasureGroup, Scorecard
from .trend import HealthChange, health_change
from .weights import WeightSuggestion, suggest_weights, with_weights

__all__ = [
    "DEFAULT_HEALTH",
    "MISSING_REASONS",
    "SEVERITIES",
    "HealthChange",
    "Measure",
    "MeasureGroup",
    "Scorecard",
    "WeightSuggestion",
    "health_change",
    "health_inputs",
    "missing_flags",
    "relationship_summary",
    "score_basis",
    "score_health",
    "suggest_weights",
    "with_weights",
]
