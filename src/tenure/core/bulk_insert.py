"""The scoring run's bulk inserts, in one place with one batch size.

:func:`insert_rows` writes plain tuples (made column-wise with Polars) with ``executemany``:
``bulk_create`` builds a model instance per row, and for 200,000 snapshots that is most of
a run. :func:`create_all` is for the few hundred or thousand instances a run makes that
need their primary keys back (suggestions, touchpoints). Both write inside the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db import connection, models

BATCH = 5000
#: Instances per INSERT in :func:`create_all`: under SQLite's limit on query parameters.
INSTANCE_BATCH = 2000
M = TypeVar("M", bound=models.Model)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    json_columns: frozenset[str] = frozenset(),
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order; JSON columns as encoded text)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ", ".join(f"%s{cast}" if c in json_columns else "%s" for c in columns)
    statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    written = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, BATCH)):
            cursor.executemany(statement, batch)
            written += len(batch)
    return written


def create_all(model: type[M], instances: Iterable[M]) -> list[M]:
    """Insert ``instances`` of ``model`` in batches; they come back with their keys."""
    return model._default_manager.bulk_create(instances, batch_size=INSTANCE_BATCH)
