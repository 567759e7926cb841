"""Back up and restore a Tenure installation: CRM store, ledger, secret key, uploads.

A backup is one ``tar.gz`` archive, readable with ordinary tools::

    manifest.json      what is inside, with a SHA-256 per file (see ``backup_create``)
    database.sqlite3   the CRM store on SQLite: an online copy (sqlite3 backup API)
    database.pgdump    … or on PostgreSQL: ``pg_dump --format=custom``
    ledger/            the DuckDB ledger: ``EXPORT DATABASE`` as Parquet + schema.sql, load.sql
    secret_key         the key from TENURE_HOME (signs sessions and password-reset links)
    uploads/…          files people uploaded

Every part is a consistent snapshot taken while the app may keep writing: SQLite's backup
copies in one read transaction; PostgreSQL's dump, row counts and migration state come from
one exported snapshot; the ledger is exported under DuckDB's shared lock. Contains every
secret of the installation: the archive is created readable by its owner only.

The per-vendor work lives in ``core/stores.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tenure.core import stores
from tenure.core.stores import BackupError

__all__ = ["BackupError", "Restored", "archive_open", "backup_create", "backup_restore"]

#: Bumped when the archive's layout changes in a way older Tenure cannot read.
FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY_FILE = "secret_key"
UPLOADS = "uploads"
LEDGER_DIR = "ledger"

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


def backup_create(*, out_dir: Path | None = None, progress: Progress = _quiet) -> Path:
    """Write a backup archive into ``out_dir`` (default ``TENURE_HOME/backups``); return it.

    The manifest records ``format``, ``created_at``, the Tenure and Django versions, the
    database vendor, the applied migrations per app, the row count of every table (CRM
    store and ledger), where the secret key lives, and the SHA-256 and size of every file.
    """
    home = Path(settings.HOME)
    out_dir = Path(out_dir) if out_dir else home / "backups"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tenure-backup-", dir=out_dir) as work:
        staging = Path(work) / "content"
        staging.mkdir(mode=0o700)
        vendor = connection.vendor
        progress(f"CRM store ({vendor})…")
        database = stores.database_dump(staging)
        progress("Ledger…")
        ledger = stores.ledger_export(staging / LEDGER_DIR)
        secret = _copy_secret_key(home, staging)
        uploads = home / UPLOADS
        if uploads.is_dir() and any(uploads.iterdir()):
            shutil.copytree(uploads, staging / UPLOADS)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "tenure_version": _version("tenure"),
            "django_version": django.get_version(),
            "database": {"vendor": vendor, "file": database.file, **database.details},
            "migrations": database.migrations,
            "row_counts": database.row_counts,
            "ledger": ledger,
            "secret_key": secret,
            "files": {
                path.relative_to(staging).as_posix(): {
                    "sha256": _sha256(path),
                    "bytes": path.stat().st_size,
                }
                for path in sorted(staging.rglob("*"))
                if path.is_file()
            },
        }
        archive = _free_name(out_dir, timezone.now().strftime("tenure-backup-%Y%m%dT%H%M%SZ"))
        progress(f"Writing {archive.name}…")
        _write_archive(archive, staging, manifest)
    return archive


def _copy_secret_key(home: Path, staging: Path) -> str:
    if os.environ.get("TENURE_SECRET_KEY"):
        # The key is the environment's; a restore needs the same variable, not a file.
        return "environment"
    key = home / SECRET_KEY_FILE
    if not key.is_file():
        return "missing"
    shutil.copy2(key, staging / SECRET_KEY_FILE)
    return "included"


def _free_name(folder: Path, stem: str) -> Path:
    candidate, number = folder / f"{stem}.tar.gz", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}.tar.gz"
    return candidate


def _write_archive(archive: Path, staging: Path, manifest: dict[str, Any]) -> None:
    partial = archive.with_name(archive.name + ".part")
    # Owner-only from the first byte: the archive holds the secret key and all the data.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
            tar.add(staging / MANIFEST, arcname=MANIFEST)
            for name in manifest["files"]:
                tar.add(staging / name, arcname=name, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, archive)  # never a half-written archive under the final name
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


# --- restore -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    manifest: dict[str, Any]
    tables: int
    rows: int
    migrated: bool
    warnings: list[str]


def archive_open(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack ``archive`` into ``into`` and return its manifest, verified.

    Refuses a file that is not a Tenure backup, a member outside the archive's folder (or
    a link or device), a format this version cannot read, a missing or extra file, or a
    file whose SHA-256 differs from the manifest's.
    """
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                path = PurePosixPath(member.name)
                if (
                    path.is_absolute()
                    or ".." in path.parts
                    or not (member.isfile() or member.isdir())
                ):
                    raise BackupError(f"{archive.name}: unsafe member {member.name!r}")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive}: not a readable backup archive ({error})") from error
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive.name}: no valid {MANIFEST}: not a Tenure backup") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive.name}: backup format {manifest.get('format')!r} is not {FORMAT}: "
            "restore it with the Tenure version that made it"
        )
    listed = set(manifest.get("files", {}))
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if listed != present:
        missing, extra = sorted(listed - present), sorted(present - listed)
        raise BackupError(f"{archive.name}: files differ from the manifest: {missing=} {extra=}")
    for name, entry in manifest["files"].items():
        if _sha256(into / name) != entry.get("sha256"):
            raise BackupError(f"{archive.name}: {name} is damaged (its SHA-256 differs)")
    return manifest


def migrations_unknown(manifest: dict[str, Any]) -> list[str]:
    """Applied migrations in the backup that this code does not have: a newer backup."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)  # a squashed migration stands for the ones it replaces
    return [
        f"{app}.{name}"
        for app, names in sorted(manifest.get("migrations", {}).items())
        for name in names
        if (app, name) not in known
    ]


def backup_restore(*, archive: Path, force: bool = False, progress: Progress = _quiet) -> Restored:
    """Restore ``archive`` into this installation (TENURE_HOME and TENURE_DATABASE_URL).

    Everything is checked before anything is written: the archive (``archive_open``), the
    database vendor, that the backup's migrations are known to this code, and that the
    target is empty unless ``force``. Afterwards, the row count of every table is compared
    with the manifest, and an older backup is migrated forward.
    """
    home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tenure-restore-", dir=home) as work:
        unpacked = Path(work)
        progress(f"Checking {archive.name}…")
        manifest = archive_open(Path(archive), unpacked)
        newer = migrations_unknown(manifest)
        if newer:
            raise BackupError(
                "the backup was made by a newer Tenure (unknown migrations: "
                f"{', '.join(newer[:5])}{'…' if len(newer) > 5 else ''}); upgrade Tenure first"
            )
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"the backup is of a {vendor} database; this installation uses "
                f"{connection.vendor} (TENURE_DATABASE_URL)"
            )
        occupied = stores.target_contents(home)
        if occupied and not force:
            raise BackupError(
                "the target is not empty (" + "; ".join(occupied) + "): pass --force to "
                "replace it with the backup"
            )
        warnings: list[str] = []
        progress(f"CRM store ({vendor})…")
        stores.database_load(unpacked / manifest["database"]["file"])
        progress("Ledger…")
        warnings += stores.ledger_import(unpacked / LEDGER_DIR, manifest.get("ledger", {}))
        warnings += _restore_files(unpacked, home, manifest)
        progress("Verifying row counts…")
        counts = stores.database_row_counts(list(manifest["row_counts"]))
        wrong = {
            table: (expected, counts.get(table))
            for table, expected in manifest["row_counts"].items()
            if counts.get(table) != expected
        }
        if wrong:
            raise BackupError(f"restored row counts differ from the manifest: {wrong}")
        migrated = _migrate_forward(progress)
    return Restored(
        manifest=manifest,
        tables=len(counts),
        rows=sum(counts.values()),
        migrated=migrated,
        warnings=warnings,
    )


def _restore_files(unpacked: Path, home: Path, manifest: dict[str, Any]) -> list[str]:
    warnings = []
    if (unpacked / SECRET_KEY_FILE).is_file():
        target = home / SECRET_KEY_FILE
        partial = home / f".{SECRET_KEY_FILE}.restoring"
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write((unpacked / SECRET_KEY_FILE).read_bytes())
        os.replace(partial, target)
        if os.environ.get("TENURE_SECRET_KEY"):
            warnings.append("TENURE_SECRET_KEY is set and wins over the restored secret_key file")
    elif manifest.get("secret_key") == "environment":
        warnings.append(
            "the backed-up installation took its key from TENURE_SECRET_KEY: set the same "
            "value here, or sessions and password-reset links made before are void"
        )
    if (unpacked / UPLOADS).is_dir():
        shutil.rmtree(home / UPLOADS, ignore_errors=True)
        shutil.copytree(unpacked / UPLOADS, home / UPLOADS)
    return warnings


def _migrate_forward(progress: Progress) -> bool:
    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    progress("The backup is older than this Tenure: migrating…")
    call_command("migrate", interactive=False, verbosity=0)
    return True
