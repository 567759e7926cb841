"""Turn Django's model validation into the domain errors services raise."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from tenure.core.errors import DomainError


def domain_error_from(error: ValidationError) -> DomainError:
    """The first message of a ``ValidationError``, with the field it belongs to."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            message = "; ".join(str(m) for e in errors for m in e.messages)
            return DomainError(message, field=None if field == NON_FIELD_ERRORS else field)
    return DomainError("; ".join(error.messages))


def validate_and_save(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Validate fields and database constraints, then save; raise ``DomainError`` if invalid.

    Checking constraints before the INSERT gives the user a message that names the rule,
    while the constraint in the database still guards against races and raw writes.
    """
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise domain_error_from(error) from error
    instance.save()


def check_rows(instances: Sequence[models.Model], *, label: str = "row") -> None:
    """Validate many unsaved instances field by field, naming the first bad one.

    Used by bulk writes (imports, the demo): uniqueness and constraints are left to the
    database, whose IntegrityError rolls the whole write back.
    """
    for number, instance in enumerate(instances, start=1):
        try:
            instance.clean_fields()
        except ValidationError as error:
            problem = domain_error_from(error)
            raise DomainError(
                f"{label} {number}: {problem.message}", field=problem.field
            ) from error
