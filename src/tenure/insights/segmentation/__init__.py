"""Segmentation: who carries the revenue, which tier each account is in, who qualifies.

* :mod:`~tenure.insights.segmentation.pareto`: the Pareto curve and concentration figures
  (top-x % shares, Gini, HHI).
* :mod:`~tenure.insights.segmentation.tiers`: A/B/C tiers from cumulative revenue share.
* :mod:`~tenure.insights.segmentation.qualification`: the weighted qualification scorecard.
* :mod:`~tenure.insights.segmentation.keylist`: proposed changes to the key-account list.

Everything here takes and returns Polars frames or frozen dataclasses and never imports
Django. See ``docs/segmentation.md`` for the rules on ties, zero and negative revenue and
missing data.
"""

from tenure.insights.segmentation.keylist import KeyListPolicy, review_key_list
from tenure.insights.segmentation.pareto import (
    TOP_FRACTIONS,
    Concentration,
    concentration,
    pareto_curve,
    top_count,
)
from tenure.insights.segmentation.qualification import (
    DEFAULT_QUALIFICATION,
    Criterion,
    CriterionKind,
    Scorecard,
    Thresholds,
    score_qualification,
)
from tenure.insights.segmentation.tiers import (
    SHARE_TOLERANCE,
    TIERS,
    abc_tiers,
    validate_cutoffs,
)

__all__ = [
    "DEFAULT_QUALIFICATION",
    "SHARE_TOLERANCE",
    "TIERS",
    "TOP_FRACTIONS",
    "Concentration",
    "Criterion",
    "CriterionKind",
    "KeyListPolicy",
    "Scorecard",
    "Thresholds",
    "abc_tiers",
    "concentration",
    "pareto_curve",
    "review_key_list",
    "score_qualification",
    "top_count",
    "validate_cutoffs",
]
