"""INSERT many rows through the database cursor: for the scoring run's large outputs.

``bulk_create`` builds a model instance per row; for 200,000 snapshots that is most of a
scoring run. Rows here are plain tuples (made column-wise with Polars), written with
``executemany`` in batches, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH = 5000


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
