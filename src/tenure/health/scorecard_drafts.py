"""Draft health scorecard versions: stored without taking effect, adopted by a director.

``tenure backtest --suggest-weights --draft VERSION`` stores learnt weights this way; the
admin's *adopt* action (or :func:`health_scorecard_adopt`) puts a draft in force. Drafts are
versions like any other: never edited, and the one in force is the single active row.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save
from tenure.health.models import HealthScorecard
from tenure.insights.health import Scorecard


def health_scorecard_draft(
    *, definition: dict[str, Any], version: str, note: str = ""
) -> HealthScorecard:
    """Store a scorecard version that is not in force.

    Raises
    ------
    DomainError
        If the definition is not a valid scorecard or the version exists already.
    """
    try:
        Scorecard.from_dict({**definition, "version": version})
    except (ValueError, TypeError, KeyError) as error:
        raise DomainError(f"the scorecard is not valid: {error}", field="definition") from error
    if HealthScorecard.objects.filter(version=version).exists():
        raise DomainError(f"version {version} exists; versions are never edited", field="version")
    row = HealthScorecard(
        version=version, definition={**definition, "version": version}, is_active=False, note=note
    )
    validate_and_save(row)
    return row


@transaction.atomic
def health_scorecard_adopt(version: str) -> HealthScorecard:
    """Put a stored version in force; the version in force until now is kept, inactive.

    Raises
    ------
    DomainError
        If no version has that name.
    """
    row = HealthScorecard.objects.select_for_update().filter(version=version).first()
    if row is None:
        raise DomainError(f"no health scorecard version {version!r}", field="version")
    if not row.is_active:
        HealthScorecard.objects.filter(is_active=True).update(is_active=False)
        row.is_active = True
        row.save(update_fields=["is_active", "updated_at"])
    return row
