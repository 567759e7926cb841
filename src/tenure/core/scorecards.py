"""Versioned scorecards (qualification, health): one model base, one reading, one publishing.

A version is never edited once published: a past score is explained by the version it was
computed with. One version is active; the analytics' default is saved as the first one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self, TypeVar

from django.db import models, transaction

from tenure.core.errors import DomainError
from tenure.core.models import TimeStampedModel
from tenure.core.validation import validate_and_save


class VersionedScorecard(TimeStampedModel):
    """A version of a scorecard as JSON (``Scorecard.to_dict()`` of ``tenure.insights``).

    Concrete models add their one-active-version constraint (the names differ per table).
    """

    version = models.CharField(max_length=40, unique=True)
    definition = models.JSONField(help_text="Scorecard.to_dict() of tenure.insights.")
    is_active = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class _Versioned(Protocol):
    """What the analytics' scorecards share: a version, and a round trip through JSON."""

    @property
    def version(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self: ...


Card = TypeVar("Card", bound=_Versioned)
Row = TypeVar("Row", bound=VersionedScorecard)


def active_scorecard(model: type[Row], default: Card) -> tuple[Row, Card]:
    """The active row of ``model`` and its scorecard, of ``default``'s class; ``default`` is
    saved as the active version on first use."""
    manager = model._default_manager
    row = manager.filter(is_active=True).first()
    if row is None:
        row, _ = manager.get_or_create(
            version=default.version,
            defaults={"definition": default.to_dict(), "is_active": True},
        )
    return row, type(default).from_dict(row.definition)


@transaction.atomic
def scorecard_version_publish(
    model: type[Row],
    card: type[_Versioned],
    *,
    definition: dict[str, Any],
    version: str,
    note: str = "",
) -> Row:
    """Publish ``definition`` as a new version of ``model`` and make it the active one.

    ``card`` is the analytics' scorecard class the definition must load as.

    Raises
    ------
    DomainError
        If the definition is not a valid scorecard or the version exists already.
    """
    try:
        card.from_dict({**definition, "version": version})
    except (ValueError, TypeError, KeyError) as error:
        raise DomainError(f"the scorecard is not valid: {error}", field="definition") from error
    manager = model._default_manager
    if manager.filter(version=version).exists():
        raise DomainError(f"version {version} exists; versions are never edited", field="version")
    manager.filter(is_active=True).update(is_active=False)
    row = model(
        version=version, definition={**definition, "version": version}, is_active=True, note=note
    )
    validate_and_save(row)
    return row
