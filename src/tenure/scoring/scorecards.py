"""The active version of a versioned scorecard (qualification or health)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self, TypeVar

from tenure.scoring.health_models import HealthScorecard
from tenure.scoring.models import QualificationScorecard


class _Versioned(Protocol):
    """What the analytics' scorecards share: a version, and a round trip through JSON."""

    @property
    def version(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self: ...


Card = TypeVar("Card", bound=_Versioned)
Row = TypeVar("Row", HealthScorecard, QualificationScorecard)


def active_scorecard(model: type[Row], default: Card) -> tuple[Row, Card]:
    """The active row of ``model`` and its scorecard, of ``default``'s class; ``default`` is
    saved as the active version on first use."""
    row = model.objects.filter(is_active=True).first()
    if row is None:
        row, _ = model.objects.get_or_create(
            version=default.version,
            defaults={"definition": default.to_dict(), "is_active": True},
        )
    return row, type(default).from_dict(row.definition)
