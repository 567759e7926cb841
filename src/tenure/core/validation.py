"""Turn Django's model validation into the domain errors services raise."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, models, router

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
    database, whose IntegrityError rolls the whole write back. Django checks a foreign key
    with one query per row; here each key is checked for every row in one query (an import
    of 10,000 interactions made 20,000 queries), and a row whose key points nowhere is then
    validated whole by Django, so its message is the one Django gives.
    """
    if not instances:
        return
    keys = _batched_keys(type(instances[0]))
    suspect = _rows_with_bad_keys(instances, keys)
    skip = [field.name for field in keys]
    for number, instance in enumerate(instances, start=1):
        try:
            instance.clean_fields(exclude=None if number - 1 in suspect else skip)
        except ValidationError as error:
            problem = domain_error_from(error)
            raise DomainError(
                f"{label} {number}: {problem.message}", field=problem.field
            ) from error


def _batched_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    """The foreign keys whose whole check is an existence query (no validators, no choices)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and not field.remote_field.parent_link
        and not field.validators
        and not field.choices
    ]


def _rows_with_bad_keys(
    instances: Sequence[models.Model], keys: list[models.ForeignKey]
) -> set[int]:
    """Positions of the rows with a key that is missing where required, or points nowhere."""
    suspect: set[int] = set()
    for field in keys:
        wanted: dict[object, list[int]] = {}
        for position, instance in enumerate(instances):
            value = getattr(instance, field.attname)
            if value in field.empty_values:
                if not field.blank:
                    suspect.add(position)
                continue
            try:
                value = field.to_python(value)
            except ValidationError:
                suspect.add(position)
                continue
            setattr(instance, field.attname, value)
            wanted.setdefault(value, []).append(position)
        if not wanted:
            continue
        target = field.remote_field.model
        key = field.target_field.attname
        using = router.db_for_read(target, instance=instances[0])
        values = list(wanted)
        # SQLite caps the parameters of one statement.
        size = connections[using].ops.bulk_batch_size([field], values) or len(values)
        found: set[object] = set()
        for start in range(0, len(values), size):
            found.update(
                target._base_manager.using(using)
                .filter(**{f"{key}__in": values[start : start + size]})
                .complex_filter(field.get_limit_choices_to())
                .values_list(key, flat=True)
            )
        for value, positions in wanted.items():
            if value not in found:
                suspect.update(positions)
    return suspect
