"""Fixtures for the operations tests, which run the real `tenure` command in subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def inherited_environ() -> dict[str, str]:
    """This process's environment as a child process should inherit it.

    The browser fixture lets this process's own ORM calls run beside Playwright's event
    loop (DJANGO_ALLOW_ASYNC_UNSAFE); a child started after it must not inherit that: it
    has no such loop, and `check --deploy` rightly refuses the setting.
    """
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def tenure_env(home: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of a `tenure` subprocess with its own home ("" is SQLite in it)."""
    env = {k: v for k, v in inherited_environ().items() if not k.startswith("TENURE_")}
    env.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    return {
        **env,
        "TENURE_HOME": str(home),
        "TENURE_DATABASE_URL": database_url,
        "TENURE_HTTPS": "0",
        **extra,
    }


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An SQLite CRM store with every migration applied, made once per test run."""
    home = tmp_path_factory.mktemp("migrated")
    result = subprocess.run(
        [sys.executable, "-m", "tenure", "migrate", "-v0"],
        env=tenure_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return home / "tenure.sqlite3"


@pytest.fixture(scope="session")
def sqlite_home(migrated_sqlite, tmp_path_factory) -> Callable[[str], Path]:
    """A new home holding a copy of the migrated SQLite store (migrating costs seconds)."""

    def make(name: str) -> Path:
        home = tmp_path_factory.mktemp(name)
        shutil.copyfile(migrated_sqlite, home / "tenure.sqlite3")
        return home

    return make
