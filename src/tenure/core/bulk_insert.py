"""The scoring run's bulk inserts, in one place with one batch size.

:func:`insert_frame` writes a Polars frame whose columns are the table's: on PostgreSQL in
one ``COPY`` (the frame written as CSV by Polars), elsewhere with ``executemany`` on values
already in the database's own types (dates and times as text), so no Python adapter runs
per value. :func:`insert_rows` writes plain tuples with ``executemany``. ``bulk_create``
builds a model instance per row, and for 200,000 snapshots that is most of a run.
:func:`create_all` is for the few hundred or thousand instances a run makes that need their
primary keys back (suggestions, touchpoints). All write inside the caller's transaction.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, TypeVar

import polars as pl
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


#: Rows per ``COPY`` chunk on PostgreSQL: bounds the CSV text held in memory at once.
COPY_BATCH = 50_000


def insert_frame(model: type[models.Model], frame: pl.DataFrame) -> int:
    """Insert every row of ``frame``, whose column names are ``model``'s table columns.

    JSON columns hold encoded text (PostgreSQL's ``COPY`` parses it into ``jsonb``); dates
    are ``Date``, times time-zone-aware ``Datetime`` (stored in UTC), money ``Decimal`` or
    float. Lists and structs are refused: encode them as JSON first (:func:`json_text`).
    Returns the number of rows written.
    """
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = [c for c in frame.columns if c not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {', '.join(unknown)}")
    nested = [c for c, t in frame.schema.items() if t.is_nested()]
    if nested:
        raise ValueError(f"encode nested column(s) {', '.join(nested)} as JSON text first")
    # SQLite would store 12.0 in an integer column as 12; PostgreSQL's COPY refuses "12.0".
    # Refused here on both, so a test on either engine finds it.
    floats = [c for c, t in frame.schema.items() if t.is_float() and _is_integer(fields[c])]
    if floats:
        raise ValueError(f"integer column(s) {', '.join(floats)} hold floats: cast them first")
    if frame.height == 0:
        return 0
    if connection.vendor == "postgresql":
        _copy_frame(model, frame)
    else:
        _executemany_frame(model, frame)
    return frame.height


def _is_integer(field: models.Field[Any, Any]) -> bool:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    return target.get_internal_type() in _INTEGER_FIELDS


_INTEGER_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def _utc_text(column: str, dtype: pl.Datetime, fmt: str) -> pl.Expr:
    value = pl.col(column)
    if dtype.time_zone is not None:
        value = value.dt.convert_time_zone("UTC")
    return value.dt.strftime(fmt).alias(column)


def _copy_frame(model: type[models.Model], frame: pl.DataFrame) -> None:
    """One ``COPY … FROM STDIN`` in CSV: quoted text (an empty string is ``""``), nulls bare."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in frame.columns)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    text = frame.with_columns(
        _utc_text(c, t, "%Y-%m-%dT%H:%M:%S%.6f+00:00")
        for c, t in frame.schema.items()
        if isinstance(t, pl.Datetime)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for chunk in text.iter_slices(COPY_BATCH):
            buffer = io.BytesIO()
            chunk.write_csv(buffer, include_header=False, quote_style="non_numeric", null_value="")
            copy.write(buffer.getvalue())


def _executemany_frame(model: type[models.Model], frame: pl.DataFrame) -> None:
    """``executemany`` on values in SQLite's own types: text dates and times (naive UTC, as
    Django stores them), floats for money (the column's numeric affinity stores a REAL)."""
    native = frame.with_columns(
        *(
            _utc_text(c, t, "%Y-%m-%d %H:%M:%S%.6f")
            for c, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        ),
        *(pl.col(c).cast(pl.String) for c, t in frame.schema.items() if isinstance(t, pl.Date)),
        *(pl.col(c).cast(pl.Float64) for c, t in frame.schema.items() if isinstance(t, pl.Decimal)),
    )
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(c) for c in frame.columns)}) "
        f"VALUES ({', '.join('%s' for _ in frame.columns)})"
    )
    with connection.cursor() as cursor:
        for chunk in native.iter_slices(BATCH):
            cursor.executemany(statement, chunk.rows())


def json_text(column: str) -> pl.Expr:
    """A list column as JSON text, encoded by Polars (``[]`` for null): ``json.dumps`` per
    row took 2.4 s of a profiled 50,000-account run's 51 s of CPU."""
    wrapped = pl.struct(pl.col(column).alias("v")).struct.json_encode()
    text = wrapped.str.strip_prefix('{"v":').str.strip_suffix("}")
    return pl.when(pl.col(column).is_null()).then(pl.lit("[]")).otherwise(text).alias(column)
