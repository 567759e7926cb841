"""The stores a backup copies, vendor by vendor: SQLite, PostgreSQL, the DuckDB ledger.

``core/backup.py`` builds and checks the archive; this module moves the bytes.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

#: How long a backup waits for an import or a scoring run to release the ledger.
LEDGER_WAIT_SECONDS = 60.0


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class Dump:
    """A database copied into the staging folder, with its state at that instant."""

    file: str
    migrations: dict[str, list[str]]
    row_counts: dict[str, int]
    details: dict[str, Any] = field(default_factory=dict)


def database_dump(staging: Path) -> Dump:
    """Copy the CRM store into ``staging``: consistent even while the app writes."""
    if connection.vendor == "sqlite":
        return _sqlite_dump(staging / "database.sqlite3")
    if connection.vendor == "postgresql":
        return _postgres_dump(staging / "database.pgdump")
    raise BackupError(f"backing up a {connection.vendor} database is not supported")


def database_load(dump: Path) -> None:
    """Replace the CRM store's content with ``dump``."""
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_load(dump)
    else:
        _postgres_load(dump)


def database_row_counts(tables: list[str]) -> dict[str, int]:
    """``count(*)`` of each of ``tables`` that exists in the CRM store."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        return {table: _count(cursor, table) for table in tables if table in present}


def target_contents(home: Path) -> list[str]:
    """What a restore would overwrite here, in words; empty when there is nothing."""
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        found.append(f"the CRM store has {len(tables)} tables")
    ledger = ledger_path()
    if ledger is not None and ledger.exists():
        found.append(f"a ledger exists at {ledger}")
    uploads = home / "uploads"
    if uploads.is_dir() and any(uploads.iterdir()):
        found.append(f"{uploads} holds files")
    return found


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
    return int(cursor.fetchone()[0])


def _migrations(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def _sqlite_dump(target: Path) -> Dump:
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1) is one read transaction: a consistent copy, and in WAL mode
        # writers carry on meanwhile.
        source.backup(copy)
        # Stored as a single self-contained file; the restore switches WAL back on.
        copy.execute("PRAGMA journal_mode=DELETE")
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        migrations = (
            _migrations(
                copy.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
            )
            if "django_migrations" in counts
            else {}
        )
    finally:
        copy.close()
        source.close()
    return Dump(file=target.name, migrations=migrations, row_counts=counts)


def _sqlite_load(dump: Path) -> None:
    copy = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the backed-up SQLite database is damaged: {verdict}")
        target = _sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        # The backup API writes through SQLite's own locking, so a target that exists (with
        # --force) is replaced page by page rather than swapped under an open connection.
        database = sqlite3.connect(target, timeout=30)
        try:
            copy.backup(database)
            database.execute("PRAGMA journal_mode=WAL")
        finally:
            database.close()
    finally:
        copy.close()


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_tool(name: str, *, at_least: int = 0) -> Path:
    """The newest ``pg_dump``/``pg_restore`` on PATH or in /usr/lib/postgresql/*/bin.

    pg_dump refuses a server newer than itself, so the newest wins, and ``at_least`` (the
    server's major version) is checked here with a message that says what to install.
    """
    candidates = [shutil.which(name), *glob.glob(f"/usr/lib/postgresql/*/bin/{name}")]
    versions = []
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, timeout=10
            ).stdout
        except OSError:
            continue
        found = re.search(r"(\d+)(?:\.(\d+))?", out)
        if found:
            versions.append(((int(found[1]), int(found[2] or 0)), Path(candidate)))
    if not versions:
        raise BackupError(
            f"{name} was not found: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client)"
        )
    (major, _), path = max(versions, key=lambda item: item[0])
    if major < at_least:
        raise BackupError(
            f"{name} {major} is older than the server ({at_least}): install "
            f"postgresql-client-{at_least}"
        )
    return path


def _pg_environment() -> dict[str, str]:
    """libpq variables for the CRM store: the password never appears on a command line."""
    params = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, variable in {
        "HOST": "PGHOST",
        "PORT": "PGPORT",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "NAME": "PGDATABASE",
    }.items():
        if params.get(key):
            env[variable] = str(params[key])
    for option, variable in {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "options": "PGOPTIONS",
        "passfile": "PGPASSFILE",
        "service": "PGSERVICE",
    }.items():
        value = (params.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _pg_version() -> int:
    """The PostgreSQL server's version number (160004 for 16.4), connecting if need be."""
    from django.db.backends.postgresql.base import DatabaseWrapper  # needs psycopg

    wrapper = connections[DEFAULT_DB_ALIAS]  # what ``connection`` stands for
    assert isinstance(wrapper, DatabaseWrapper)
    wrapper.ensure_connection()
    return wrapper.pg_version


def _postgres_dump(target: Path) -> Dump:
    server_version = _pg_version()
    server_major = int(server_version) // 10000
    pg_dump = pg_tool("pg_dump", at_least=server_major)
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for the dump, the row counts and the migration state, exported to
        # pg_dump: the manifest describes exactly the data in the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                str(pg_dump),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={target}",
            ]
        )
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {table: _count(cursor, table) for table in tables}
        migrations: dict[str, list[str]] = {}
        if "django_migrations" in counts:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = _migrations(cursor.fetchall())
    return Dump(
        file=target.name,
        migrations=migrations,
        row_counts=counts,
        details={"server_version": server_version, "pg_dump": pg_dump.name},
    )


def _postgres_load(dump: Path) -> None:
    pg_restore = pg_tool("pg_restore", at_least=int(_pg_version()) // 10000)
    connections.close_all()
    _run(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            # All or nothing: a failed restore leaves the database as it was.
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
    )


# --- the ledger (DuckDB) -------------------------------------------------------------------


def ledger_path() -> Path | None:
    """The ledger's DuckDB file, or None when the ledger lives in another system."""
    parts = urlsplit(str(settings.LEDGER_URL))
    if parts.scheme.lower() != "duckdb":
        return None
    path = unquote(parts.netloc + parts.path)
    if not path or path == ":memory:" or path.startswith(("md:", "motherduck:")):
        return None
    return Path(path)


def _sql_string(value: Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def ledger_export(target: Path, *, wait: float = LEDGER_WAIT_SECONDS) -> dict[str, Any]:
    """Export the DuckDB ledger to Parquet under ``target``; describe it for the manifest.

    ``EXPORT DATABASE`` runs in one read-only connection, which holds DuckDB's shared file
    lock: no import or scoring run can write meanwhile, so the export is consistent. It is
    also independent of DuckDB's storage version, so a newer DuckDB can import it.
    """
    path = ledger_path()
    if path is None:
        return {"kind": "external", "note": "back up the ledger with its own system's tools"}
    if not path.exists():
        return {"kind": "none"}
    import duckdb

    deadline = time.monotonic() + wait
    while True:
        try:
            ledger = duckdb.connect(str(path), read_only=True)
            break
        except duckdb.IOException as error:
            if time.monotonic() > deadline:
                raise BackupError(
                    f"the ledger {path} stays locked by another process (an import or a "
                    f"scoring run?): try again when it has finished ({error})"
                ) from error
            time.sleep(1)
    try:
        ledger.execute(f"EXPORT DATABASE {_sql_string(target)} (FORMAT parquet)")
        counts = _ledger_counts(ledger)
    finally:
        ledger.close()
    return {"kind": "duckdb", "directory": target.name, "row_counts": counts}


def _ledger_counts(ledger: Any) -> dict[str, int]:
    tables = ledger.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' ORDER BY 1, 2"
    ).fetchall()
    return {
        f"{schema}.{name}": ledger.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[
            0
        ]
        for schema, name in tables
    }


def ledger_import(source: Path, info: dict[str, Any]) -> list[str]:
    """Rebuild the DuckDB ledger from an export; return warnings for the person restoring."""
    if info.get("kind") != "duckdb":
        if info.get("kind") == "external":
            return ["the ledger was not in the backup (it lives in another system)"]
        return []
    path = ledger_path()
    if path is None:
        return [
            f"the backup holds a DuckDB ledger but TENURE_LEDGER_URL is not a DuckDB file; "
            f"it is left in the archive ({source.name}/)"
        ]
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".restoring")
    building.unlink(missing_ok=True)
    ledger = duckdb.connect(str(building))
    try:
        ledger.execute(f"IMPORT DATABASE {_sql_string(source)}")
        counts = _ledger_counts(ledger)
        ledger.execute("CHECKPOINT")
    finally:
        ledger.close()
    if counts != info.get("row_counts"):
        building.unlink(missing_ok=True)
        raise BackupError(f"the restored ledger's row counts differ: {counts} vs {info}")
    # An old write-ahead log would be replayed into the new file: it goes first.
    Path(f"{path}.wal").unlink(missing_ok=True)
    os.replace(building, path)
    return []
