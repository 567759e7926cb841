"""Where the order lines live: the connection, the ``order_lines`` schema, atomic writes.

The ledger is an analytical store apart from the CRM store. ``settings.LEDGER_URL`` picks
the backend: a DuckDB file by default, or any backend Ibis connects to (``postgres://…``,
``pyspark:///warehouse/dir`` for a local Spark session, …). Every query over the ledger is an
Ibis expression; the few statements here that are not (DDL, a bulk COPY into a staging
table) only create tables and move bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb
import ibis
import ibis.expr.types as ir
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from tenure.core.errors import DomainError

ORDER_LINES = "order_lines"
#: A line is identified by the system it came from, its order and its position in the order.
NATURAL_KEY = ("source", "order_id", "line_number")
#: Money is fixed-scale; quantity keeps three decimals for goods sold by weight or length.
SCHEMA = ibis.schema(
    {
        "account_key": "!string",
        "order_id": "!string",
        "line_number": "!int32",
        "order_date": "!date",
        "product_id": "!string",
        "product_category": "!string",
        "quantity": "decimal(18, 3)",
        "unit_price": "decimal(18, 2)",
        "amount": "!decimal(18, 2)",
        "currency": "!string",
        "source": "!string",
        "imported_at": "!timestamp('UTC')",
    }
)
COLUMNS = tuple(SCHEMA.names)
#: What an import stages before the anti-join: every column but the import's timestamp.
STAGED_COLUMNS = tuple(name for name in COLUMNS if name != "imported_at")

# Spark's file tables take no NOT NULL; the import validates instead.
_SPARK_DDL = """
CREATE TABLE IF NOT EXISTS {name} (
  account_key STRING, order_id STRING, line_number INT, order_date DATE,
  product_id STRING, product_category STRING, quantity DECIMAL(18, 3),
  unit_price DECIMAL(18, 2), amount DECIMAL(18, 2), currency STRING, source STRING,
  imported_at TIMESTAMP
) USING parquet LOCATION '{location}'
"""


#: How long a command waits for another process to release the DuckDB file. DuckDB lets
#: one process open the file at a time: a second `tenure score` or `tenure import` waits
#: for the first, then gives up with a message (it ended in a traceback).
LOCK_WAIT_SECONDS = 120.0
_LOCK_RETRY_SECONDS = 0.5


class LedgerBusy(DomainError):
    """Another process holds the ledger file for longer than we wait."""


def connect(
    url: str | None = None,
    *,
    wait_seconds: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BaseBackend:
    """Connect to the ledger.

    Parameters
    ----------
    url
        An Ibis connection URL; ``settings.LEDGER_URL`` (``TENURE_LEDGER_URL``) when omitted.
        ``duckdb:///path/ledger.duckdb`` (the folder is created), ``postgres://user@host/db``
        (``…/db/schema`` for a schema of its own), or ``pyspark:///warehouse/dir`` for a
        local Spark session whose query parameters are Spark settings
        (``?spark.master=local[2]``).

    wait_seconds
        How long to wait while another process holds a DuckDB file (`LOCK_WAIT_SECONDS`).
    on_wait
        Told once, in words, that the connection is waiting for the lock.

    Returns
    -------
    BaseBackend
        The Ibis backend. Call `ensure_schema` before the first import.

    Raises
    ------
    LedgerBusy
        The DuckDB file stayed locked by another process for ``wait_seconds``.
    """
    if url is None:
        from django.conf import settings

        url = str(settings.LEDGER_URL)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "duckdb":
        path = unquote(parts.netloc + parts.path)
        if path and path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        wait = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
        return _connect_duckdb(url, path, wait, on_wait)
    if scheme in {"pyspark", "spark"}:
        return _connect_spark(unquote(parts.path), dict(parse_qsl(parts.query)))
    return ibis.connect(url)


def _connect_duckdb(
    url: str, path: str, wait: float, on_wait: Callable[[str], None] | None
) -> BaseBackend:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return ibis.connect(url)
        except duckdb.IOException as error:
            message = str(error)
            if "lock" not in message.lower():
                raise
            holder = re.search(r"\(PID (\d+)\)", message)
            who = f"process {holder.group(1)}" if holder else "another process"
            if time.monotonic() >= deadline:
                raise LedgerBusy(
                    f"the ledger {path} is in use by {who} (another `tenure score` or "
                    f"`tenure import`?); waited {wait:.0f} s. Run this again when it has "
                    "finished.",
                    field="ledger",
                ) from None
            if not told and on_wait is not None:
                on_wait(f"  waiting up to {wait:.0f} s for the ledger, in use by {who}…")
                told = True
            time.sleep(min(_LOCK_RETRY_SECONDS, max(deadline - time.monotonic(), 0.0)))


def _connect_spark(warehouse: str, conf: dict[str, str]) -> BaseBackend:
    from pyspark.sql import SparkSession

    settings = {
        "spark.master": "local[*]",
        "spark.app.name": "tenure-ledger",
        "spark.ui.enabled": "false",
        # The ledger's queries are aggregations over one table: the default 200 shuffle
        # partitions only add scheduling overhead on one machine.
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.session.timeZone": "UTC",
    }
    if warehouse:
        Path(warehouse).mkdir(parents=True, exist_ok=True)
        settings["spark.sql.warehouse.dir"] = str(Path(warehouse).absolute())
    settings.update(conf)
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    con = ibis.pyspark.connect(builder.getOrCreate())
    # Without a Hive metastore Spark's catalog lives in the session: a new process must
    # register the warehouse's table again, or `tenure score` after `tenure import` finds
    # no `order_lines`. The DDL is idempotent and reads nothing but the folder.
    ensure_schema(con)
    return con


def ensure_schema(con: BaseBackend) -> None:
    """Create the ``order_lines`` table if it does not exist yet.

    On PostgreSQL a unique index on the natural key also guards against two imports racing.
    On Spark the table is a Parquet table at ``<warehouse>/order_lines``, so a later
    session finds the same lines again.
    """
    if con.name == "pyspark":
        location = f"{_spark_warehouse(con)}/{ORDER_LINES}"
        # An existing folder, so that Spark does not warn of a missing one for a new ledger.
        filesystem, folder = _hadoop_filesystem(con, location)
        filesystem.mkdirs(folder)
        con.raw_sql(_SPARK_DDL.format(name=ORDER_LINES, location=location))
        return
    if ORDER_LINES not in con.list_tables():
        con.create_table(ORDER_LINES, schema=SCHEMA)
    if con.name == "postgres":
        # No such index on DuckDB: its ART index lives in memory and slows bulk inserts,
        # and DuckDB lets one process write a file at a time anyway.
        key = ", ".join(NATURAL_KEY)
        con.raw_sql(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {ORDER_LINES}_natural_key ON {ORDER_LINES} ({key})"
        ).close()


def order_lines(con: BaseBackend) -> ir.Table:
    """The ``order_lines`` table as an Ibis expression."""
    return con.table(ORDER_LINES)


@contextlib.contextmanager
def ledger_transaction(con: BaseBackend) -> Iterator[None]:
    """Run the block in one ledger transaction: all of its writes land, or none.

    DuckDB and PostgreSQL give a real transaction (Ibis's own statements inside it become
    savepoints on PostgreSQL). Spark has none: there a block should hold a single INSERT,
    which Spark's file commit protocol makes all-or-nothing for Parquet tables.
    """
    if con.name == "duckdb":
        raw = con.con
        raw.begin()
        try:
            yield
        except BaseException:
            raw.rollback()
            raise
        raw.commit()
    elif con.name == "postgres":
        with con.con.transaction():
            yield
    else:
        yield


def stage_parquet(
    con: BaseBackend,
    folder: Path,
    *,
    name: str,
    progress: Callable[[int], None] | None = None,
) -> ir.Table:
    """Make Parquet files of validated lines queryable next to the ledger.

    DuckDB and Spark read the files where they are (a temporary view). PostgreSQL gets a
    temporary table filled by ``COPY`` in batches, so memory stays flat whatever the size.
    Other backends receive the lines as an in-memory Arrow table.

    Parameters
    ----------
    con
        The ledger connection.
    folder
        A folder of Parquet files holding at least the `STAGED_COLUMNS`.
    name
        Name of the view or temporary table; drop it with `drop_staged`.
    progress
        Called with the number of rows copied so far, where the copy is incremental.

    Returns
    -------
    ir.Table
        The staged lines, `STAGED_COLUMNS` only.
    """
    paths = sorted(folder.glob("*.parquet"))
    if con.name == "duckdb":
        return con.read_parquet(f"{folder}/*.parquet", table_name=name).select(*STAGED_COLUMNS)
    if con.name == "pyspark":
        staged = _spark_stage_files(con, folder, name)
        # Spark reads the URI itself: Ibis's read_parquet takes ``file:/…`` for a relative
        # path.
        con._session.read.parquet(staged).createOrReplaceTempView(name)
        return con.table(name).select(*STAGED_COLUMNS)
    if con.name == "postgres":
        staged_schema = ibis.schema({column: SCHEMA[column] for column in STAGED_COLUMNS})
        con.create_table(name, schema=staged_schema, temp=True)
        _copy_into_postgres(con, paths, name=name, progress=progress)
        return con.table(name)
    table = pa.concat_tables(pq.read_table(path, columns=list(STAGED_COLUMNS)) for path in paths)
    return con.create_table(name, obj=table, temp=True)


#: Spark setting naming the folder where imports stage their validated lines; every
#: executor must read it (HDFS, S3, a shared mount). Default: ``<warehouse>/_tenure_staging``.
SPARK_STAGING_SETTING = "spark.tenure.staging.dir"


def _spark_warehouse(con: BaseBackend) -> str:
    session = con._session  # Ibis offers no public accessor to the Spark session.
    return str(session.conf.get("spark.sql.warehouse.dir")).rstrip("/")


def _spark_staging_folder(con: BaseBackend, name: str) -> str:
    root = con._session.conf.get(SPARK_STAGING_SETTING, None)
    root = str(root).rstrip("/") if root else f"{_spark_warehouse(con)}/_tenure_staging"
    return f"{root}/{name}"


def _hadoop_filesystem(con: BaseBackend, target: str) -> tuple[Any, Any]:
    """Hadoop's file system for ``target`` and its path: it speaks whatever the cluster
    stores on (``file:``, ``hdfs:``, ``s3a:``, ``abfs:``), as Spark itself does."""
    context = con._session.sparkContext
    path = context._jvm.org.apache.hadoop.fs.Path(target)
    return path.getFileSystem(context._jsc.hadoopConfiguration()), path


def _spark_stage_files(con: BaseBackend, folder: Path, name: str) -> str:
    """Copy the validated Parquet files where every executor reads them, and say where.

    The import validates into the driver's local scratch folder, which executors on other
    machines cannot see; the staging folder lies beside the warehouse, which they must
    reach anyway to read and write the ledger.
    """
    target = _spark_staging_folder(con, name)
    filesystem, folder_path = _hadoop_filesystem(con, target)
    filesystem.mkdirs(folder_path)
    for path in sorted(folder.glob("*.parquet")):
        _, local = _hadoop_filesystem(con, path.absolute().as_uri())
        filesystem.copyFromLocalFile(False, True, local, folder_path)
    return target


def _copy_into_postgres(
    con: BaseBackend, paths: list[Path], *, name: str, progress: Callable[[int], None] | None
) -> None:
    columns = ", ".join(STAGED_COLUMNS)
    copied = 0
    with (
        con.con.cursor() as cursor,
        cursor.copy(f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        for path in paths:
            for batch in pq.ParquetFile(path).iter_batches(
                batch_size=200_000, columns=list(STAGED_COLUMNS)
            ):
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                # CSV text is the one COPY format whose dates and decimals need no conversion.
                copy.write(frame.write_csv(include_header=False).encode())
                copied += frame.height
                if progress is not None:
                    progress(copied)


def drop_staged(con: BaseBackend, name: str) -> None:
    """Remove what `stage_parquet` created."""
    if con.name == "pyspark":
        # Ibis's drop_view on Spark emits `DROP VIEW IF EXISTS` without the name.
        con._session.catalog.dropTempView(name)
        filesystem, folder_path = _hadoop_filesystem(con, _spark_staging_folder(con, name))
        filesystem.delete(folder_path, True)
    elif con.name == "duckdb":
        con.drop_view(name, force=True)
    else:
        con.drop_table(name, force=True)


def utc_now() -> dt.datetime:
    """The import's timestamp, timezone-aware."""
    return dt.datetime.now(dt.UTC)
