"""A killed import's scratch folder is removed by the next run, a running one's is not.

Six killed imports left 136 MB under ``$TENURE_HOME/tmp`` for ever.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tenure.core.scratch import MAX_AGE_SECONDS, scratch_root, sweep_abandoned
from tenure.ledger import store
from tenure.ledger.importing import import_orders

NOW = 1_800_000_000.0  # a fixed "now" for the sweep: no wall clock in the ages below


@pytest.fixture
def home(settings, tmp_path):
    settings.HOME = tmp_path / "home"
    return settings.HOME


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def folder(root, name: str, *, age: float):
    path = root / name
    path.mkdir()
    (path / "part-00000.parquet").write_bytes(b"x" * 1000)
    os.utime(path, (NOW - age, NOW - age))
    return path


@pytest.mark.usefixtures("home")
def test_the_sweep_removes_folders_of_ended_processes_and_old_unowned_ones_only():
    root = scratch_root()
    killed = folder(root, f"import-{dead_pid()}-abc", age=60)
    running = folder(root, f"import-{os.getppid()}-def", age=60)
    # A live owner keeps its folder however old it looks (a long import, a clock that jumped:
    # another test process under a shifted clock once lost its files this way).
    long_running = folder(root, f"import-{os.getppid()}-ghi", age=MAX_AGE_SECONDS + 1)
    legacy_recent = folder(root, "import-k2j3h4", age=60)
    legacy_old = folder(root, "import-x8y9z0", age=MAX_AGE_SECONDS + 1)
    removed = sweep_abandoned(root, now=NOW)
    assert sorted(removed) == sorted([killed, legacy_old])
    assert running.exists()
    assert long_running.exists()
    assert legacy_recent.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("home")
def test_the_next_import_removes_a_killed_imports_scratch(tmp_path):
    killed = scratch_root() / f"import-{dead_pid()}-abc"
    killed.mkdir()
    path = tmp_path / "orders.csv"
    path.write_text(
        "account_key,order_id,order_date,product_id,amount,currency\nK,O,2024-01-01,P,1,EUR\n"
    )
    ledger = store.connect(f"duckdb://{tmp_path / 'ledger.duckdb'}")
    try:
        import_orders(path, source="erp", con=ledger)
    finally:
        ledger.disconnect()
    assert not killed.exists()
    assert list(scratch_root().iterdir()) == []  # its own scratch is gone too
