"""The health scorecard: measures in weighted groups, each mapped to 0–100 by thresholds.

A :class:`Scorecard` holds :class:`MeasureGroup` s (revenue, relationship, engagement,
sentiment, service), each holding :class:`Measure` s. A measure reads one input column and
scores it through fixed bands (:class:`~tenure.insights.segmentation.Thresholds`, the same
bands the qualification scorecard uses). The scorecard also carries the settings the inputs
depend on: the windows, the strategic cadence expected per tier, and how much an open issue
weighs by severity. Versions are plain dicts in JSON (``to_dict``/``from_dict``), stored
in the CRM and never edited once used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tenure.insights.segmentation import Thresholds

__all__ = ["DEFAULT_HEALTH", "SEVERITIES", "Measure", "MeasureGroup", "Scorecard"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
SEVERITIES = ("low", "medium", "high", "critical")


def _check_key(key: object, what: str) -> None:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"{what} key must be lower case letters, digits and underscores: {key!r}")


def _weight(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what}: weight must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{what}: weight must be >= 0, got {value}")
    return float(value)


def _fields(data: object, known: set[str], required: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{what}: unknown field(s) {unknown}; expected {sorted(known)}")
    absent = sorted(required - set(data))
    if absent:
        raise ValueError(f"{what}: missing field(s) {absent}")
    return data


@dataclass(frozen=True)
class Measure:
    """One line of the health scorecard.

    Parameters
    ----------
    key
        Identifier; names the ``score_<key>`` and ``contribution_<key>`` output columns.
    label
        What people read ("Decision makers engaged").
    weight
        Relative weight within its group (only ratios matter).
    source
        Input column (see :func:`tenure.insights.health.health_inputs`).
    thresholds
        Bands turning the value into 0–100; falling scores for lower-is-better measures.
    """

    key: str
    label: str
    weight: float
    source: str
    thresholds: Thresholds

    def __post_init__(self) -> None:
        """Check the key, label, weight, source and bands; ``ValueError`` if one is wrong."""
        _check_key(self.key, "measure")
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(f"measure {self.key!r}: label must be a non-empty string")
        object.__setattr__(self, "weight", _weight(self.weight, f"measure {self.key!r}"))
        if not isinstance(self.source, str) or not self.source:
            raise ValueError(f"measure {self.key!r}: source must be a column name")
        if not isinstance(self.thresholds, Thresholds):
            raise ValueError(f"measure {self.key!r}: thresholds must be Thresholds")

    def score_of(self, value: float | None) -> float | None:
        """Score one value 0–100 as the bands say (``None`` or NaN: unknown)."""
        if value is None or not math.isfinite(value):
            return None
        bands = self.thresholds
        for edge, score in zip(bands.edges, bands.scores, strict=False):
            if value < edge:
                return score
        return bands.scores[-1]

    def to_dict(self) -> dict[str, Any]:
        """Return the measure as plain data, the inverse of :meth:`from_dict`."""
        return {
            "key": self.key,
            "label": self.label,
            "weight": self.weight,
            "source": self.source,
            "thresholds": self.thresholds.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Measure:
        """Build a measure from plain data; ``ValueError`` on a missing or unknown field."""
        keys = {"key", "label", "weight", "source", "thresholds"}
        _fields(data, keys, keys, "measure")
        bands = _fields(data["thresholds"], {"edges", "scores"}, {"edges", "scores"}, "thresholds")
        return cls(
            key=data["key"],
            label=data["label"],
            weight=data["weight"],
            source=data["source"],
            thresholds=Thresholds(tuple(bands["edges"]), tuple(bands["scores"])),
        )


@dataclass(frozen=True)
class MeasureGroup:
    """A weighted group of measures (revenue, relationship, engagement…)."""

    key: str
    label: str
    weight: float
    measures: tuple[Measure, ...]

    def __post_init__(self) -> None:
        """Check the key, weight and measures; ``ValueError`` if one is wrong."""
        _check_key(self.key, "group")
        object.__setattr__(self, "weight", _weight(self.weight, f"group {self.key!r}"))
        measures = tuple(self.measures)
        if not measures or not all(isinstance(m, Measure) for m in measures):
            raise ValueError(f"group {self.key!r} needs at least one Measure")
        if sum(m.weight for m in measures) <= 0:
            raise ValueError(f"group {self.key!r}: measure weights are all zero")
        object.__setattr__(self, "measures", measures)

    def to_dict(self) -> dict[str, Any]:
        """Return the group as plain data, the inverse of :meth:`from_dict`."""
        return {
            "key": self.key,
            "label": self.label,
            "weight": self.weight,
            "measures": [m.to_dict() for m in self.measures],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MeasureGroup:
        """Build a group from plain data; ``ValueError`` on a missing or unknown field."""
        keys = {"key", "label", "weight", "measures"}
        _fields(data, keys, keys, "group")
        measures = data["measures"]
        if isinstance(measures, str | bytes) or not isinstance(measures, Sequence):
            raise ValueError("group: measures must be a list")
        return cls(
            key=data["key"],
            label=data["label"],
            weight=data["weight"],
            measures=tuple(Measure.from_dict(m) for m in measures),
        )


@dataclass(frozen=True)
class Scorecard:
    """A versioned health scorecard.

    Parameters
    ----------
    version
        Stored with every score, so a score can be traced to the scorecard behind it.
    groups
        Measure groups; keys of groups and measures are unique across the scorecard.
    window_days
        Relationship window: decision makers engaged, contacts engaged and contacts who
        left are counted over the last ``window_days``.
    recent_days
        Cadence window: strategic interactions counted over the last ``recent_days``.
    cadence
        Strategic interactions expected per ``recent_days`` by tier (``{"A": 3, ...}``);
        a tier not listed (or 0) leaves the cadence measure out for its accounts.
    severity_weights
        Weight of one open issue by severity (low, medium, high, critical).
    min_coverage
        Least share of the nominal weight that must be known for a score: below it the
        account has no health score (too little is known to say), only flags — unless
        the ``carrier`` group is known.
    carrier
        Key of the group that carries a score on its own below ``min_coverage`` (the
        revenue group by default: a CRM that holds only accounts and orders still gets a
        health score from the ledger, marked as based on that group only). ``None``:
        below the floor there is no score.
    """

    version: str
    groups: tuple[MeasureGroup, ...]
    window_days: int = 180
    recent_days: int = 90
    cadence: Mapping[str, float] = field(default_factory=lambda: {"A": 3, "B": 2, "C": 1})
    severity_weights: Mapping[str, float] = field(
        default_factory=lambda: {"low": 1, "medium": 2, "high": 4, "critical": 8}
    )
    min_coverage: float = 0.4
    carrier: str | None = None

    def __post_init__(self) -> None:
        """Check the version, groups and keys; ``ValueError`` if one is wrong."""
        if not isinstance(self.version, str) or not self.version.strip():
            raise ValueError("scorecard version must be a non-empty string")
        groups = tuple(self.groups)
        if not groups or not all(isinstance(g, MeasureGroup) for g in groups):
            raise ValueError("a health scorecard needs at least one MeasureGroup")
        keys = [g.key for g in groups] + [m.key for g in groups for m in g.measures]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"health scorecard keys must be unique; repeated: {repeated}")
        if sum(g.weight for g in groups) <= 0:
            raise ValueError("health scorecard group weights are all zero")
        for name in ("window_days", "recent_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of days >= 1, got {value!r}")
        cadence = {str(k): _weight(v, f"cadence {k}") for k, v in dict(self.cadence).items()}
        severity = dict(self.severity_weights)
        if set(severity) != set(SEVERITIES):
            raise ValueError(f"severity_weights needs exactly {list(SEVERITIES)}")
        severity = {k: _weight(v, f"severity {k}") for k, v in severity.items()}
        coverage = self.min_coverage
        if isinstance(coverage, bool) or not isinstance(coverage, int | float):
            raise ValueError(f"min_coverage must be a number, got {coverage!r}")
        if not 0 <= coverage <= 1:
            raise ValueError(f"min_coverage must lie in [0, 1], got {coverage}")
        object.__setattr__(self, "min_coverage", float(coverage))
        if self.carrier is not None and self.carrier not in {g.key for g in groups}:
            raise ValueError(f"carrier {self.carrier!r} is not a group of this scorecard")
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "cadence", cadence)
        object.__setattr__(self, "severity_weights", severity)

    @property
    def measures(self) -> tuple[Measure, ...]:
        """Every measure, group by group."""
        return tuple(m for g in self.groups for m in g.measures)

    def nominal_shares(self) -> dict[str, float]:
        """Each measure's share of the score when nothing is missing (they sum to 1)."""
        total = sum(g.weight for g in self.groups)
        shares = {}
        for group in self.groups:
            inner = sum(m.weight for m in group.measures)
            for m in group.measures:
                shares[m.key] = group.weight / total * m.weight / inner
        return shares

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, ready for JSON."""
        return {
            "version": self.version,
            "window_days": self.window_days,
            "recent_days": self.recent_days,
            "cadence": dict(self.cadence),
            "severity_weights": dict(self.severity_weights),
            "min_coverage": self.min_coverage,
            "carrier": self.carrier,
            "groups": [g.to_dict() for g in self.groups],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        """Rebuild from :meth:`to_dict` output, validating as the constructor does."""
        known = {
            "version",
            "window_days",
            "recent_days",
            "cadence",
            "severity_weights",
            "min_coverage",
            "carrier",
            "groups",
        }
        _fields(data, known, {"version", "groups"}, "health scorecard")
        groups = data["groups"]
        if isinstance(groups, str | bytes) or not isinstance(groups, Sequence):
            raise ValueError("health scorecard: groups must be a list")
        defaults = cls.__dataclass_fields__
        return cls(
            version=data["version"],
            groups=tuple(MeasureGroup.from_dict(g) for g in groups),
            window_days=data.get("window_days", defaults["window_days"].default),
            recent_days=data.get("recent_days", defaults["recent_days"].default),
            cadence=data.get("cadence", {"A": 3, "B": 2, "C": 1}),
            severity_weights=data.get(
                "severity_weights", {"low": 1, "medium": 2, "high": 4, "critical": 8}
            ),
            min_coverage=data.get("min_coverage", defaults["min_coverage"].default),
            # Versions stored before the carrier existed get the ledger's group when they
            # have one, so their accounts are scored from day one as the default's are.
            carrier=data.get(
                "carrier", "revenue" if any(g.get("key") == "revenue" for g in groups) else None
            ),
        )


def _bands(edges: tuple[float, ...], scores: tuple[float, ...]) -> Thresholds:
    return Thresholds(edges=edges, scores=scores)


#: The default scorecard. Group weights sum to 100 so each reads as a percentage.
DEFAULT_HEALTH = Scorecard(
    version="health-1",
    groups=(
        MeasureGroup(
            "revenue",
            "Revenue",
            35,
            (
                Measure(
                    "revenue_trend",
                    "Revenue trend (12 months on the 12 before)",
                    35,
                    "growth",
                    _bands((-0.5, -0.25, -0.10, 0.0, 0.10), (0, 20, 45, 65, 85, 100)),
                ),
                Measure(
                    "order_recency",
                    "Time since the last order against the usual interval",
                    35,
                    "recency_ratio",
                    _bands((1.0, 1.5, 2.0, 3.0), (100, 80, 50, 20, 0)),
                ),
                Measure(
                    "probability_alive",
                    "Probability still buying (BG/NBD)",
                    30,
                    "probability_alive",
                    _bands((0.3, 0.5, 0.7, 0.9), (0, 25, 50, 75, 100)),
                ),
            ),
        ),
        MeasureGroup(
            "relationship",
            "Relationship",
            25,
            (
                Measure(
                    "decision_makers",
                    "Decision makers engaged",
                    40,
                    "decision_makers_engaged",
                    _bands((1, 2), (0, 60, 100)),
                ),
                Measure(
                    "threading",
                    "People engaged (single-threaded scores low)",
                    35,
                    "engaged_contacts",
                    _bands((1, 2, 3, 4), (0, 25, 60, 85, 100)),
                ),
                Measure(
                    "departures",
                    "Contacts who left",
                    25,
                    "contacts_left",
                    _bands((1, 2), (100, 50, 0)),
                ),
            ),
        ),
        MeasureGroup(
            "engagement",
            "Engagement",
            20,
            (
                Measure(
                    "strategic_recency",
                    "Days since the last strategic interaction",
                    50,
                    "days_since_strategic",
                    _bands((31, 61, 91, 181), (100, 80, 50, 20, 0)),
                ),
                Measure(
                    "cadence",
                    "Strategic cadence kept (against the tier's expectation)",
                    50,
                    "cadence_ratio",
                    _bands((0.34, 0.67, 1.0), (0, 40, 70, 100)),
                ),
            ),
        ),
        MeasureGroup(
            "sentiment",
            "Sentiment",
            10,
            (
                Measure(
                    "nps", "Latest NPS", 60, "nps", _bands((-30, 0, 30, 50), (0, 30, 60, 85, 100))
                ),
                Measure(
                    "tone",
                    "Negative interactions (recent window)",
                    40,
                    "negative_recent",
                    _bands((1, 2), (100, 40, 0)),
                ),
            ),
        ),
        MeasureGroup(
            "service",
            "Service",
            10,
            (
                Measure(
                    "open_issues",
                    "Open issues, weighted by severity",
                    60,
                    "open_issue_weight",
                    _bands((1, 3, 6, 10), (100, 70, 40, 15, 0)),
                ),
                Measure(
                    "overdue_actions",
                    "Overdue plan actions",
                    40,
                    "overdue_actions",
                    _bands((1, 2, 4), (100, 60, 30, 0)),
                ),
            ),
        ),
    ),
    carrier="revenue",
)
