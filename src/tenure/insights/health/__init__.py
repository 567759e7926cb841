"""Account health: a transparent, configurable 0–100 scorecard with its contributions.

- :class:`Scorecard` (groups of :class:`Measure` s with weights and threshold bands;
  :data:`DEFAULT_HEALTH`), serialisable to and from a dict for versioned storage;
- :func:`health_inputs` derives the ratio inputs; :func:`score_health` scores accounts,
  re-weighting and flagging missing measures (:func:`missing_flags`);
- :func:`health_change` explains a move between two snapshots;
- :func:`relationship_summary` measures on how many people and threads an account rests.

Nothing here imports Django. See ``docs/health.md``.
"""

from .relationship import relationship_summary
from .score import MISSING_REASONS, health_inputs, missing_flags, score_health
from .scorecard import DEFAULT_HEALTH, SEVERITIES, Measure, MeasureGroup, Scorecard
from .trend import HealthChange, health_change

__all__ = [
    "DEFAULT_HEALTH",
    "MISSING_REASONS",
    "SEVERITIES",
    "HealthChange",
    "Measure",
    "MeasureGroup",
    "Scorecard",
    "health_change",
    "health_inputs",
    "missing_flags",
    "relationship_summary",
    "score_health",
]
