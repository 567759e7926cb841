"""Qualification: a weighted, versioned scorecard that says who deserves to be a key account.

A :class:`Scorecard` is a list of :class:`Criterion`. Each criterion turns one feature column
into a score from 0 to 100:

* **quantitative** criteria (revenue, growth, order regularity, CLV…) are scaled either by
  percentile rank within the portfolio (``scaling="percentile"``) or by fixed bands
  (``scaling=Thresholds(...)``);
* **qualitative** criteria are people's 1-5 ratings (strategic value, market influence…),
  mapped linearly: 1 → 0, 3 → 50, 5 → 100.

The total is the weighted mean of the criterion scores an account has. A missing value
(null or NaN) is never read as zero: that criterion drops out of the account's total, the
remaining weights are re-scaled to sum to one, the criterion is listed in ``missing`` and
``coverage`` says what share of the scorecard's weight the total rests on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

import polars as pl

from tenure.insights.segmentation._inputs import (
    require_accounts,
    require_columns,
    require_numeric,
)

__all__ = [
    "DEFAULT_QUALIFICATION",
    "Criterion",
    "CriterionKind",
    "Scorecard",
    "Thresholds",
    "score_qualification",
]

CriterionKind = Literal["quantitative", "qualitative"]
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED = ("qualification_score", "coverage", "missing")


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Thresholds:
    """Fixed score bands for a quantitative criterion.

    A value below ``edges[0]`` scores ``scores[0]``; a value in ``[edges[i-1], edges[i])``
    scores ``scores[i]``; a value at or above ``edges[-1]`` scores ``scores[-1]``. Edges are
    inclusive at the bottom of each band. Lower-is-better criteria use falling scores.

    Parameters
    ----------
    edges : sequence of float
        Strictly increasing band edges, at least one.
    scores : sequence of float
        One more score than edges, each in ``[0, 100]``.

    Examples
    --------
    Growth as a fraction: below -10 % scores 0, from +30 % up scores 100.

    >>> Thresholds(edges=(-0.10, 0.0, 0.10, 0.30), scores=(0, 25, 50, 75, 100)).scores
    (0.0, 25.0, 50.0, 75.0, 100.0)
    """

    edges: tuple[float, ...]
    scores: tuple[float, ...]

    def __post_init__(self) -> None:
        """Check the edges increase, scores lie in [0, 100], one more score than edges."""
        edges = tuple(_number(e, "Thresholds edge") for e in self.edges)
        scores = tuple(_number(s, "Thresholds score") for s in self.scores)
        if not edges:
            raise ValueError("Thresholds needs at least one edge")
        if any(b <= a for a, b in pairwise(edges)):
            raise ValueError(f"Thresholds edges must be strictly increasing, got {edges}")
        if len(scores) != len(edges) + 1:
            raise ValueError(
                f"Thresholds needs one more score than edges: {len(edges)} edge(s) "
                f"and {len(scores)} score(s)"
            )
        if any(not 0 <= s <= 100 for s in scores):
            raise ValueError(f"Thresholds scores must lie in [0, 100], got {scores}")
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "scores", scores)

    def expression(self, value: pl.Expr) -> pl.Expr:
        """Polars expression scoring ``value``; nulls stay null."""
        banded: Any = pl.when(value < self.edges[0]).then(pl.lit(self.scores[0]))
        for edge, score in zip(self.edges[1:], self.scores[1:-1], strict=True):
            banded = banded.when(value < edge).then(pl.lit(score))
        banded = banded.otherwise(pl.lit(self.scores[-1]))
        return pl.when(value.is_not_null()).then(banded)

    def to_dict(self) -> dict[str, list[float]]:
        """Plain dict, ready for JSON."""
        return {"edges": list(self.edges), "scores": list(self.scores)}


Scaling = Literal["percentile", "rating"] | Thresholds


@dataclass(frozen=True)
class Criterion:
    """One line of a qualification scorecard.

    Parameters
    ----------
    key : str
        Identifier (lower case, digits, underscores); names the ``score_<key>`` and
        ``contribution_<key>`` output columns.
    label : str
        What people read, e.g. ``"Strategic value"``.
    weight : float
        Relative weight, ``>= 0``. Only ratios matter; weights need not sum to 100.
    kind : {"quantitative", "qualitative"}
        Computed from data, or a person's 1-5 rating.
    source : str
        Feature column read by the criterion.
    scaling : {"percentile", "rating"} or Thresholds, optional
        How a value becomes 0-100. Quantitative criteria take ``"percentile"`` (default) or
        :class:`Thresholds`; qualitative criteria always use ``"rating"`` (1 → 0, 5 → 100),
        which is their default.
    higher_is_better : bool
        For percentile scaling only: ``False`` ranks the smallest value highest. Threshold
        bands express direction through their scores instead.
    """

    key: str
    label: str
    weight: float
    kind: CriterionKind
    source: str
    scaling: Scaling | None = None
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        """Check the key, label, weight, kind and source; ``ValueError`` if one is wrong."""
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise ValueError(
                f"criterion key must be lower case letters, digits and underscores, "
                f"starting with a letter; got {self.key!r}"
            )
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(f"criterion {self.key!r}: label must be a non-empty string")
        weight = _number(self.weight, f"criterion {self.key!r}: weight")
        if weight < 0:
            raise ValueError(f"criterion {self.key!r}: weight must be >= 0, got {weight}")
        object.__setattr__(self, "weight", weight)
        if self.kind not in ("quantitative", "qualitative"):
            raise ValueError(
                f"criterion {self.key!r}: kind must be 'quantitative' or 'qualitative', "
                f"got {self.kind!r}"
            )
        if not isinstance(self.source, str) or not self.source:
            raise ValueError(f"criterion {self.key!r}: source must be a column name")
        scaling = self.scaling
        if scaling is None:
            scaling = "percentile" if self.kind == "quantitative" else "rating"
        if self.kind == "qualitative" and scaling != "rating":
            raise ValueError(
                f"criterion {self.key!r}: qualitative criteria are 1-5 ratings and take "
                f"scaling='rating', got {scaling!r}"
            )
        if self.kind == "quantitative" and not (
            scaling == "percentile" or isinstance(scaling, Thresholds)
        ):
            raise ValueError(
                f"criterion {self.key!r}: quantitative criteria take scaling='percentile' "
                f"or Thresholds(...), got {scaling!r}"
            )
        if not self.higher_is_better and scaling != "percentile":
            raise ValueError(
                f"criterion {self.key!r}: higher_is_better=False applies to percentile "
                "scaling only; give Thresholds falling scores instead"
            )
        object.__setattr__(self, "scaling", scaling)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, ready for JSON."""
        scaling = self.scaling.to_dict() if isinstance(self.scaling, Thresholds) else self.scaling
        return {
            "key": self.key,
            "label": self.label,
            "weight": self.weight,
            "kind": self.kind,
            "source": self.source,
            "scaling": scaling,
            "higher_is_better": self.higher_is_better,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criterion:
        """Rebuild a criterion from :meth:`to_dict` output; unknown fields are refused."""
        known = {"key", "label", "weight", "kind", "source", "scaling", "higher_is_better"}
        _check_fields(data, known, {"key", "label", "weight", "kind", "source"}, "criterion")
        scaling = data.get("scaling")
        if isinstance(scaling, Mapping):
            _check_fields(scaling, {"edges", "scores"}, {"edges", "scores"}, "thresholds")
            scaling = Thresholds(tuple(scaling["edges"]), tuple(scaling["scores"]))
        return cls(
            key=data["key"],
            label=data["label"],
            weight=data["weight"],
            kind=data["kind"],
            source=data["source"],
            scaling=scaling,
            higher_is_better=data.get("higher_is_better", True),
        )


def _check_fields(data: object, known: set[str], required: set[str], what: str) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{what}: unknown field(s) {unknown}; expected {sorted(known)}")
    absent = sorted(required - set(data))
    if absent:
        raise ValueError(f"{what}: missing field(s) {absent}")


@dataclass(frozen=True)
class Scorecard:
    """A versioned set of qualification criteria.

    Parameters
    ----------
    criteria : sequence of Criterion
        At least one; keys unique; weights not all zero.
    version : str
        Label stored with every score so a result can be traced to the scorecard behind it.
    """

    criteria: tuple[Criterion, ...]
    version: str
    _keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the criteria and their keys; ``ValueError`` if one is wrong."""
        criteria = tuple(self.criteria)
        if not criteria:
            raise ValueError("a scorecard needs at least one criterion")
        if not all(isinstance(c, Criterion) for c in criteria):
            raise ValueError("scorecard criteria must be Criterion instances")
        keys = tuple(c.key for c in criteria)
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"scorecard criterion keys must be unique; repeated: {repeated}")
        if sum(c.weight for c in criteria) <= 0:
            raise ValueError("scorecard weights are all zero; at least one must be positive")
        if not isinstance(self.version, str) or not self.version.strip():
            raise ValueError("scorecard version must be a non-empty string")
        object.__setattr__(self, "criteria", criteria)
        object.__setattr__(self, "_keys", keys)

    @property
    def keys(self) -> tuple[str, ...]:
        """Criterion keys in scorecard order."""
        return self._keys

    def weight_shares(self) -> dict[str, float]:
        """Each criterion's weight over the total: its share when no value is missing."""
        total = sum(c.weight for c in self.criteria)
        return {c.key: c.weight / total for c in self.criteria}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, ready for JSON (the CRM stores each version like this)."""
        return {"version": self.version, "criteria": [c.to_dict() for c in self.criteria]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        """Rebuild a scorecard from :meth:`to_dict` output, validating as the constructor does."""
        _check_fields(data, {"version", "criteria"}, {"version", "criteria"}, "scorecard")
        criteria = data["criteria"]
        if isinstance(criteria, str | bytes) or not isinstance(criteria, Sequence):
            raise ValueError("scorecard: criteria must be a list")
        return cls(
            criteria=tuple(Criterion.from_dict(c) for c in criteria), version=data["version"]
        )


#: Default scorecard; weights sum to 100 so each weight reads as a percentage.
#: Expected feature columns: ``revenue`` (trailing-12-month revenue), ``growth`` (fractional
#: change of trailing-12-month revenue on the year before, 0.25 = +25 %), ``order_regularity``
#: (higher = more regular ordering, e.g. share of months with an order), and 1-5 ratings
#: ``strategic_value``, ``market_influence``, ``market_position``, ``growth_potential``,
#: ``geography_fit``.
DEFAULT_QUALIFICATION = Scorecard(
    version="default-1",
    criteria=(
        Criterion("revenue", "Revenue (trailing 12 months)", 25, "quantitative", "revenue"),
        Criterion(
            "growth",
            "Revenue growth",
            15,
            "quantitative",
            "growth",
            scaling=Thresholds(edges=(-0.10, 0.0, 0.10, 0.30), scores=(0, 25, 50, 75, 100)),
        ),
        Criterion("order_regularity", "Order regularity", 10, "quantitative", "order_regularity"),
        Criterion("strategic_value", "Strategic value", 15, "qualitative", "strategic_value"),
        Criterion("market_influence", "Market influence", 10, "qualitative", "market_influence"),
        Criterion("market_position", "Market position", 10, "qualitative", "market_position"),
        Criterion("growth_potential", "Growth potential", 10, "qualitative", "growth_potential"),
        Criterion("geography_fit", "Geography fit", 5, "qualitative", "geography_fit"),
    ),
)


def _criterion_score(features: pl.DataFrame, criterion: Criterion, account_col: str) -> pl.Expr:
    """0-100 score of one criterion; null where the value is missing."""
    value = pl.col(criterion.source).cast(pl.Float64).fill_nan(None)
    if criterion.scaling == "rating":
        ratings = features.get_column(criterion.source).cast(pl.Float64).fill_nan(None)
        outside = features.filter((ratings < 1) | (ratings > 5))
        if outside.height:
            raise ValueError(
                f"criterion {criterion.key!r}: ratings in {criterion.source!r} must lie in "
                f"1-5; accounts {outside.get_column(account_col).head(5).to_list()} "
                f"have {outside.get_column(criterion.source).head(5).to_list()}"
            )
        return (value - 1.0) / 4.0 * 100.0
    if isinstance(criterion.scaling, Thresholds):
        return criterion.scaling.expression(value)
    # Percentile rank among accounts that have a value: lowest 0, highest 100, ties share
    # their average rank, so a lone account or an all-equal column scores 50.
    count = value.count()
    percentile = (
        pl.when(count > 1)
        .then((value.rank("average") - 1.0) / (count - 1).cast(pl.Float64) * 100.0)
        .otherwise(pl.lit(50.0))
    )
    percentile = pl.when(value.is_not_null()).then(percentile)
    return percentile if criterion.higher_is_better else 100.0 - percentile


def score_qualification(
    features: pl.DataFrame,
    scorecard: Scorecard = DEFAULT_QUALIFICATION,
    *,
    account_col: str = "account_id",
) -> pl.DataFrame:
    """Score every account against a qualification scorecard.

    Parameters
    ----------
    features : polars.DataFrame
        One row per account with every ``source`` column the scorecard names (numeric;
        nulls and NaN mean "not known"). Percentiles are taken within this frame, so pass
        the whole portfolio, not a filtered slice.
    scorecard : Scorecard
        Criteria, weights and scaling; :data:`DEFAULT_QUALIFICATION` by default.
    account_col : str
        Account key; unique, not null.

    Returns
    -------
    polars.DataFrame
        In input row order: ``account_col``; ``qualification_score`` (0-100, null when no
        criterion with weight is available); ``coverage`` (share of the scorecard's weight
        that was available, 0-1); ``missing`` (list of criterion keys without a value); then
        ``contribution_<key>`` for each criterion (its re-weighted share times its score,
        null when missing; they sum to ``qualification_score``) and ``score_<key>`` (the
        criterion's 0-100 score, null when missing).

    Raises
    ------
    ValueError
        If a column is missing or not numeric, accounts repeat, or a rating is outside 1-5.
    """
    context = "score_qualification"
    if not isinstance(scorecard, Scorecard):
        raise TypeError(f"{context}: scorecard must be a Scorecard, got {type(scorecard)}")
    sources = [c.source for c in scorecard.criteria]
    require_columns(features, [account_col, *sources], context=context)
    require_accounts(features, account_col, context=context)
    for source in dict.fromkeys(sources):
        require_numeric(features, source, context=context)
    outputs = [*_RESERVED, *(f"{p}_{k}" for k in scorecard.keys for p in ("score", "contribution"))]
    if account_col in outputs:
        raise ValueError(f"{context}: account_col {account_col!r} clashes with an output column")

    criteria = scorecard.criteria
    scored = features.select(
        account_col,
        *(_criterion_score(features, c, account_col).alias(f"score_{c.key}") for c in criteria),
    )
    present = [pl.col(f"score_{c.key}").is_not_null() for c in criteria]
    available = pl.sum_horizontal(
        [
            pl.when(p).then(pl.lit(c.weight)).otherwise(pl.lit(0.0))
            for p, c in zip(present, criteria, strict=True)
        ]
    )
    scored = scored.with_columns(available.alias("_available"))
    contributions = [
        pl.when(pl.col(f"score_{c.key}").is_not_null() & (pl.col("_available") > 0))
        .then(c.weight / pl.col("_available") * pl.col(f"score_{c.key}"))
        .alias(f"contribution_{c.key}")
        for c in criteria
    ]
    scored = scored.with_columns(contributions)
    total_weight = sum(c.weight for c in criteria)
    missing = pl.concat_list(
        [pl.when(pl.col(f"score_{c.key}").is_null()).then(pl.lit(c.key)) for c in criteria]
    ).list.drop_nulls()
    return scored.select(
        account_col,
        pl.when(pl.col("_available") > 0)
        .then(pl.sum_horizontal([f"contribution_{c.key}" for c in criteria]))
        .alias("qualification_score"),
        (pl.col("_available") / total_weight).alias("coverage"),
        missing.alias("missing"),
        *(f"contribution_{c.key}" for c in criteria),
        *(f"score_{c.key}" for c in criteria),
    )
