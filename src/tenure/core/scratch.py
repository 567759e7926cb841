"""Scratch folders under ``$TENURE_HOME/tmp``, and the sweep that removes abandoned ones.

An import writes its parsed lines there and removes them when it ends; an import that is
killed (``kill -9``, a power cut) cannot, and six killed imports left 136 MB behind for
ever. Each folder's name carries the process id of its owner, so the next run removes
those whose process is gone. A folder of a live process is never removed, however old it
looks: a long import is still using it, and age read from a clock that jumped (or was shifted,
as the test suite's second run does) once pulled a running import's files away. Folders
without an owner in their name go by age (a day). A reused process id keeps a dead import's
folder until that process ends too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

#: A folder older than this is abandoned even if a process with its owner's id runs.
MAX_AGE_SECONDS = 24 * 3600
_OWNED = re.compile(r"^[a-z0-9]+-(\d+)-")


def scratch_root() -> Path:
    """``$TENURE_HOME/tmp``, created if missing."""
    root = Path(settings.HOME) / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextlib.contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """A fresh folder ``<kind>-<pid>-…`` for one run, removed when the block ends.

    Abandoned folders of earlier runs are swept first (`sweep_abandoned`).
    """
    root = scratch_root()
    sweep_abandoned(root)
    with tempfile.TemporaryDirectory(prefix=f"{kind}-{os.getpid()}-", dir=root) as name:
        yield Path(name)


def sweep_abandoned(root: Path, *, now: float | None = None) -> list[Path]:
    """Remove the folders in ``root`` whose process is gone.

    A folder whose owner is alive is never removed, however old it looks: its import is
    running (and a clock that jumps, or a long import, must not pull its files away).
    Folders without an owner in their name (from before owners were recorded) go by age:
    older than a day. Returns the folders removed.
    """
    now = time.time() if now is None else now
    removed = []
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        try:
            age = now - folder.stat().st_mtime
        except FileNotFoundError:
            continue  # removed by its owner meanwhile
        owner = _OWNED.match(folder.name)
        abandoned = not _alive(int(owner.group(1))) if owner is not None else age > MAX_AGE_SECONDS
        if abandoned:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
