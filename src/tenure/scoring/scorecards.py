"""The active version of a versioned scorecard (qualification or health)."""

from __future__ import annotations

from typing import Any, TypeVar

Card = TypeVar("Card")


def active_scorecard(model: Any, default: Card) -> tuple[Any, Card]:
    """The active row of ``model`` and its scorecard, of ``default``'s class; ``default`` is
    saved as the active version on first use."""
    row = model.objects.filter(is_active=True).first()
    if row is None:
        row, _ = model.objects.get_or_create(
            version=default.version,  # type: ignore[attr-defined]
            defaults={"definition": default.to_dict(), "is_active": True},  # type: ignore[attr-defined]
        )
    return row, type(default).from_dict(row.definition)  # type: ignore[attr-defined]
