"""Bulk writes that stay all-or-none and name every bad row (imports, upserts).

Rows are checked the way ``full_clean`` would check them, without one query per row:
fields are validated and the models' check constraints evaluated in Python (falling back to
the database for what cannot be read). The database still has the last word: a refusal
there becomes a ``RowsRefused`` and the transaction rolls back.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, F, Field, Model, Q
from django.db.models.expressions import BaseExpression
from django.utils import timezone

from tenure.core.errors import DomainError


@dataclass(frozen=True)
class RowProblem:
    """Why one row of a bulk write was refused (or skipped); ``index`` counts rows from 0."""

    index: int | None
    field: str | None
    message: str


class RowsRefused(DomainError):
    """A bulk write was refused: ``problems`` names every bad row, and nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: -1 if p.index is None else p.index)
        first = self.problems[0]
        where = "" if first.index is None else f"row {first.index + 1}: "
        super().__init__(
            f"{len(self.problems)} problem(s), nothing written; first: {where}{first.message}",
            field=first.field,
        )


@dataclass(frozen=True)
class UpsertResult:
    """What a bulk upsert did; ``notes`` says why rows were skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: tuple[RowProblem, ...] = ()
    positions: UpsertResult | None = None


CHUNK = 900  # under SQLite's oldest limit of query parameters


@dataclass
class Planned:
    """An object a bulk upsert will write: new (``changed is None``) or with changed fields."""

    index: int
    instance: Any
    changed: set[str] | None
    problems: list[RowProblem] = dataclasses.field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.changed is None


def problems_from(index: int | None, error: ValidationError) -> list[RowProblem]:
    if not hasattr(error, "error_dict"):
        return [RowProblem(index, None, "; ".join(error.messages))]
    return [
        RowProblem(index, None if name == NON_FIELD_ERRORS else name, "; ".join(e.messages))
        for name, errors in error.error_dict.items()
        for e in errors
    ]


def unknown_fields(index: int, fields: dict[str, Any], allowed: frozenset[str]) -> list[RowProblem]:
    unknown = sorted(set(fields) - allowed)
    if not unknown:
        return []
    return [RowProblem(index, unknown[0], f"unknown field(s): {', '.join(unknown)}")]


@functools.cache
def required_fields(model: type[Model]) -> frozenset[str]:
    """Fields a new object must be given: not blank, no default, not a relation."""
    return frozenset(
        f.name
        for f in model._meta.concrete_fields
        if f.editable and not (f.blank or f.has_default() or f.is_relation or f.primary_key)
    )


def plan_row(index: int, instance: Model, fields: dict[str, Any], *, new: bool) -> Planned:
    """Set ``fields``; check what a new object is given or an old one changes.

    The same rules as ``full_clean``, without a query per row: field validation, then the
    model's check constraints evaluated in Python. Foreign keys and uniqueness are the
    caller's to resolve, with one query for all rows.
    """
    changed = None if new else {n for n, v in fields.items() if getattr(instance, n) != v}
    for name in fields if changed is None else changed:
        setattr(instance, name, fields[name])
    planned = Planned(index, instance, changed)
    checked = set(fields) | required_fields(type(instance)) if changed is None else changed
    exclude = [f.name for f in instance._meta.concrete_fields if f.name not in checked]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        planned.problems = problems_from(index, error)
        return planned
    for constraint, names in _check_constraints(type(instance)):
        if checked.intersection(names) and not _satisfies(instance, constraint):
            field = next((name for name in names if name not in {"id", "pk"}), None)
            message = str(constraint.get_violation_error_message())
            planned.problems.append(RowProblem(index, field, message))
    return planned


class _Unreadable(Exception):
    """A condition this module cannot evaluate in Python; the database is asked instead."""


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, options: value in options,
}


@functools.cache
def _check_constraints(model: type[Model]) -> tuple[tuple[CheckConstraint, tuple[str, ...]], ...]:
    """The model's check constraints, each with the fields its condition reads, in order."""

    def names(condition: Any) -> Iterator[str]:
        for child in getattr(condition, "children", []):
            if isinstance(child, Q):
                yield from names(child)
            else:
                key, value = child
                yield key.split("__")[0]
                if isinstance(value, F):
                    yield value.name  # type: ignore[attr-defined]  # django-stubs omit F.name

    return tuple(
        (constraint, tuple(dict.fromkeys(names(constraint.condition))))
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
    )


def _satisfies(instance: Model, constraint: CheckConstraint) -> bool:
    """Whether ``instance`` meets ``constraint`` — as in SQL, an unknown (NULL) result passes."""
    try:
        return _truth(constraint.condition, instance) is not False
    except _Unreadable:
        try:
            constraint.validate(type(instance), instance)
        except ValidationError:
            return False
        return True


def _truth(condition: Q | BaseExpression, instance: Model) -> bool | None:
    """SQL's three-valued truth of a ``Q`` condition for an object in memory."""
    if not isinstance(condition, Q):
        raise _Unreadable(condition)
    results = [_child_truth(child, instance) for child in condition.children]
    if condition.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        value = True if True in results else (None if None in results else False)
    else:
        raise _Unreadable(condition.connector)
    return None if value is None else (not value if condition.negated else value)


def _child_truth(child: object, instance: Model) -> bool | None:
    if isinstance(child, Q):
        return _truth(child, instance)
    if not isinstance(child, tuple):  # an expression passed to Q() as such
        raise _Unreadable(child)
    key, expected = child
    return _lookup_truth(key, expected, instance)


def _lookup_truth(key: str, expected: Any, instance: Model) -> bool | None:
    name, _, lookup = key.partition("__")
    lookup = lookup or "exact"
    value = _attribute(instance, name)
    if lookup == "exact" and expected is None:
        lookup, expected = "isnull", True
    if lookup == "isnull":
        return (value is None) == bool(expected)
    if isinstance(expected, F):
        expected = _attribute(instance, expected.name)  # type: ignore[attr-defined]  # as above
    elif hasattr(expected, "resolve_expression") or lookup not in _COMPARISONS:
        raise _Unreadable(key)
    if value is None or expected is None:
        return None
    try:
        return _COMPARISONS[lookup](value, expected)
    except TypeError as error:
        raise _Unreadable(key) from error


def _attribute(instance: Model, name: str) -> Any:
    if "__" in name:
        raise _Unreadable(name)
    try:
        field = instance._meta.pk if name == "pk" else instance._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise _Unreadable(name) from error
    if not isinstance(field, Field):  # a reverse relation
        raise _Unreadable(name)
    return getattr(instance, field.attname)


def write_or_refuse(write: Callable[[], None]) -> None:
    """Run a bulk ``write`` in a savepoint, turning a refusal by the database into a domain error.

    Rows were checked beforehand, so this guards against what only the database can see:
    another user writing the same rows at the same moment.
    """
    try:
        with transaction.atomic():
            write()
    except IntegrityError as error:
        message = f"the database refused the rows: {error}"
        raise RowsRefused([RowProblem(None, None, message)]) from error


def bulk_update_planned(planned: Iterable[Planned]) -> None:
    """Save changed objects, one UPDATE per set of changed fields, stamping ``updated_at``."""
    now = timezone.now()
    groups: dict[frozenset[str], list[Any]] = defaultdict(list)
    for item in planned:
        if item.changed:
            item.instance.updated_at = now
            groups[frozenset(item.changed)].append(item.instance)
    for fields, instances in groups.items():
        type(instances[0]).objects.bulk_update(
            instances, [*sorted(fields), "updated_at"], batch_size=500
        )


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def upsert_counts(planned: list[Planned], notes: list[RowProblem] | None = None) -> UpsertResult:
    created = sum(1 for item in planned if item.is_new)
    updated = sum(1 for item in planned if item.changed)
    notes = notes or []
    return UpsertResult(
        created=created,
        updated=updated,
        unchanged=len(planned) - created - updated,
        skipped=len(notes),
        notes=tuple(notes),
    )
