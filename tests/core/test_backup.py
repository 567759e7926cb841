"""`tenure backup` and `tenure restore`: a full round trip into an empty home, and refusals.

The round trip runs the real commands in subprocesses, each with its own TENURE_HOME (and,
on PostgreSQL, its own database on the test server), as a person restoring onto a new
machine would.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tenure.core.backup import BackupError, archive_open, backup_restore, migrations_unknown
from tests.core.conftest import tenure_env

# Its module-scoped fixtures are built once: on one worker (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("backup")

SEED = r"""
import datetime as dt
from decimal import Decimal

import django
django.setup()
import duckdb
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

call_command("migrate", verbosity=0)
from tenure.accounts.models import Account
from tenure.engagement.services import interaction_log, touchpoint_plan
from tenure.planning.services import goal_add, objective_add, plan_create

kam = get_user_model().objects.create_user("kam", password="a long pass phrase")
for n in range(15):
    account = Account.objects.create(name=f"Account {n:02d} — Müller", external_id=f"E{n:03d}")
    interaction_log(
        account=account, occurred_at=dt.datetime(2026, 1, 1 + n % 28, 9, tzinfo=dt.UTC),
        kind="call", summary=f"Call {n}: prices", logged_by=kam,
    )
    touchpoint_plan(account=account, scheduled_on=dt.date(2026, 4, 1), kind="review")
    plan = plan_create(
        account=account, title="Q1", horizon="short",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31),
    )
    objective = objective_add(plan=plan, kind="protect", title="Keep")
    goal_add(objective=objective, kpi="Share", baseline=Decimal("12.50"),
             target=Decimal("20.00"), due_on=dt.date(2026, 3, 1))
ledger = duckdb.connect(str(settings.HOME / "ledger.duckdb"))
ledger.execute(
    "CREATE TABLE order_lines AS SELECT 'E' || lpad((i % 15)::VARCHAR, 3, '0') AS account_key,"
    " DATE '2025-01-01' + (i % 365)::INTEGER AS order_date,"
    " (i * 1.25)::DECIMAL(18, 2) AS amount FROM range(500) t(i)"
)
ledger.close()
"""

SNAPSHOT = r"""
import json

import django
django.setup()
import duckdb
from django.apps import apps
from django.conf import settings
from django.db import connection

out = {"counts": {}, "rows": {}}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        out["counts"][table] = cursor.fetchone()[0]
for label in ["auth.User", "accounts.Account", "engagement.Interaction", "planning.Goal",
              "audit.AuditEvent"]:
    rows = apps.get_model(label).objects.order_by("pk").values()
    out["rows"][label] = [{k: str(v) for k, v in row.items()} for row in rows[:40]]
ledger = duckdb.connect(str(settings.HOME / "ledger.duckdb"), read_only=True)
out["ledger"] = [str(v) for v in ledger.execute(
    "SELECT count(*), sum(amount), min(order_date), max(order_date) FROM order_lines"
).fetchone()]
out["secret_key"] = settings.SECRET_KEY
print(json.dumps(out))
"""


# Plays the app writing while the backup runs: sessions, 50 to a transaction, as fast as it can.
WRITER = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
n = 0
while True:
    db.execute("BEGIN IMMEDIATE")
    for _ in range(50):
        n += 1
        db.execute(
            "INSERT INTO django_session VALUES (?, ?, '2030-01-01 00:00:00')", (f"k{n}", "x" * 500)
        )
    db.execute("COMMIT")
"""


def _env(home: Path, database_url: str) -> dict[str, str]:
    return tenure_env(home, database_url)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)


def _tenure(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "tenure", *args], env)


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = _run([sys.executable, "-c", code], env)
    assert result.returncode == 0, result.stderr
    return result


def skip_on_postgresql() -> None:
    """The PostgreSQL run is there for the server: SQLite's cases ran in the SQLite run."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        pytest.skip("an SQLite case: the SQLite run covers it")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """Database URLs for the source and the empty restore target ("" is SQLite in the home)."""
    if request.param == "sqlite":
        skip_on_postgresql()
        yield "", ""
        return
    server = os.environ.get("TENURE_DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        pytest.skip("no PostgreSQL server (the `make test-postgres` run covers this)")
    import psycopg

    suffix = secrets.token_hex(4)
    names = [f"tenure_backup_source_{suffix}", f"tenure_backup_target_{suffix}"]
    with psycopg.connect(server, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def backup(databases, request, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A seeded installation and its backup archive."""
    source_url, _ = databases
    if source_url:
        home = tmp_path_factory.mktemp("source")
    else:  # a migrated store is copied, not migrated again (only SQLite needs one)
        home = request.getfixturevalue("sqlite_home")("source")
    env = _env(home, source_url)
    _python(SEED, env)
    result = _tenure("backup", "--out", str(home / "out"), env=env)
    assert result.returncode == 0, result.stderr
    (archive,) = (home / "out").glob("tenure-backup-*.tar.gz")
    return archive, env


@pytest.mark.slow
@pytest.mark.store
def test_restore_into_an_empty_home_gives_back_every_row(backup, databases, tmp_path):
    archive, source_env = backup
    target_env = _env(tmp_path / "home", databases[1])
    restored = _tenure("restore", str(archive), env=target_env)
    assert restored.returncode == 0, restored.stderr
    assert "row counts match the manifest" in restored.stdout

    source = json.loads(_python(SNAPSHOT, source_env).stdout)
    target = json.loads(_python(SNAPSHOT, target_env).stdout)
    assert target["counts"] == source["counts"]
    assert source["counts"]["accounts_account"] == 15
    assert source["counts"]["audit_auditevent"] > 0
    assert target["rows"] == source["rows"]
    assert target["ledger"] == source["ledger"]
    assert source["ledger"][0] == "500"
    assert target["secret_key"] == source["secret_key"]


@pytest.mark.slow
@pytest.mark.store
def test_the_archive_is_private_and_its_manifest_describes_it(backup, tmp_path):
    archive, _ = backup
    assert archive.stat().st_mode & 0o077 == 0
    manifest = archive_open(archive, tmp_path)
    assert manifest["format"] == 1
    assert manifest["tenure_version"]
    assert manifest["database"]["vendor"] in {"sqlite", "postgresql"}
    assert "0001_initial" in manifest["migrations"]["accounts"]
    assert manifest["row_counts"]["accounts_account"] == 15
    assert manifest["ledger"]["row_counts"] == {"main.order_lines": 500}
    assert manifest["secret_key"] == "included"
    assert {"secret_key", "ledger/schema.sql"} <= set(manifest["files"])


@pytest.mark.slow
@pytest.mark.store
def test_restore_refuses_a_target_that_is_not_empty_without_force(backup):
    archive, source_env = backup
    refused = _tenure("restore", str(archive), env=source_env)
    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert "--force" in refused.stderr


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, bytes)``."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.slow
@pytest.mark.store
def test_a_damaged_archive_is_refused(backup, tmp_path):
    archive, _ = backup

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name == "secret_key" else data

    damaged = _rewrite(archive, tmp_path / "damaged.tar.gz", flip)
    with pytest.raises(BackupError, match="secret_key is damaged"):
        archive_open(damaged, tmp_path / "out")


def test_an_archive_with_a_path_outside_its_folder_is_refused(tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        member = tarfile.TarInfo("../outside")
        tar.addfile(member, io.BytesIO(b""))
    with pytest.raises(BackupError, match="unsafe member"):
        archive_open(evil, tmp_path / "out")
    assert not (tmp_path / "outside").exists()


@pytest.mark.slow
@pytest.mark.store
def test_a_backup_from_newer_migrations_is_refused_before_anything_is_written(
    backup, tmp_path, settings
):
    archive, _ = backup

    def add_future_migration(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["accounts"].append("0999_from_the_future")
        return json.dumps(manifest).encode()

    newer = _rewrite(archive, tmp_path / "newer.tar.gz", add_future_migration)
    manifest = archive_open(newer, tmp_path / "out")
    assert migrations_unknown(manifest) == ["accounts.0999_from_the_future"]
    settings.HOME = tmp_path / "home"
    with pytest.raises(BackupError, match="newer Tenure"):
        backup_restore(archive=newer)
    assert not (tmp_path / "home" / "ledger.duckdb").exists()


@pytest.mark.slow
@pytest.mark.store
def test_a_backup_taken_while_the_app_writes_is_a_consistent_snapshot(request, tmp_path):
    skip_on_postgresql()
    home = request.getfixturevalue("sqlite_home")("busy")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(home / "tenure.sqlite3")])
    try:
        time.sleep(0.5)
        result = _tenure("backup", "--out", str(tmp_path), env=_env(home, ""))
        still_writing = writer.poll() is None
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 0, result.stderr
    assert still_writing
    (archive,) = tmp_path.glob("tenure-backup-*.tar.gz")
    manifest = archive_open(archive, tmp_path / "unpacked")
    copy = sqlite3.connect(tmp_path / "unpacked" / "database.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sessions = copy.execute("SELECT count(*) FROM django_session").fetchone()[0]
    # Whole transactions only: the copy is one instant of the database.
    assert sessions == manifest["row_counts"]["django_session"]
    assert sessions % 50 == 0
    assert sessions > 0
