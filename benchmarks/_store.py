"""A migrated SQLite CRM store for a benchmark's fresh ``TENURE_HOME``, built once per run.

Migrating an empty store from scratch replays every migration (several seconds of CPU),
which is a cost of the benchmark's setup, not of what it measures. With
``TENURE_BENCH_CACHE`` set to a folder (``make benchmarks`` sets it), the first benchmark
migrates one store there, named after a hash of every migration file, and the others copy
it; ``migrate`` then runs on the copy as usual (a check that finds nothing to do), so a
store left over from other migrations is never used. Without the variable each benchmark
migrates its own store, as before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "tenure"


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SRC.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(SRC)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _template() -> Path | None:
    cache = os.environ.get("TENURE_BENCH_CACHE")
    return Path(cache) / f"store-{_migrations_digest()}.sqlite3" if cache else None


def copy_migrated(home: Path) -> bool:
    """Put the cached migrated store into ``home`` if there is one (for a ``tenure`` child)."""
    template = _template()
    target = home / "tenure.sqlite3"
    if template is None or not template.exists() or target.exists():
        return False
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return True


def migrate(home: Path) -> None:
    """Bring ``home``'s SQLite store to the latest migration (Django must be set up)."""
    from django.core.management import call_command
    from django.db import connections

    template = _template()
    target = home / "tenure.sqlite3"
    if template is None or os.environ.get("TENURE_DATABASE_URL") or target.exists():
        call_command("migrate", verbosity=0)
        return
    if template.exists():
        connections.close_all()
        shutil.copyfile(template, target)
        call_command("migrate", verbosity=0)
        return
    call_command("migrate", verbosity=0)
    connections.close_all()
    template.parent.mkdir(parents=True, exist_ok=True)
    partial = template.with_suffix(f".{os.getpid()}.partial")
    shutil.copyfile(target, partial)
    partial.replace(template)
