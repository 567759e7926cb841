"""Commands end with a message, not a traceback: damaged files, a ledger in use.

A corrupt .xlsx or .parquet, or a second `tenure score`/`tenure import` while another held
the DuckDB file, ended in raw tracebacks.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tenure.accounts.models import Account
from tenure.ledger import store

command_module = importlib.import_module("tenure.ledger.management.commands.import")

pytestmark = pytest.mark.django_db

ORDERS = "account_key,order_id,order_date,product_id,amount,currency\nK,O1,2024-01-01,P,10,EUR\n"


def run(*args: str) -> None:
    call_command(command_module.Command(), *args)


@pytest.fixture
def ledger_path(settings, tmp_path):
    path = tmp_path / "ledger" / "ledger.duckdb"
    settings.LEDGER_URL = f"duckdb://{path}"
    return path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("orders.xlsx", b"PK\x03\x04" + b"not really a zip" * 20),
        ("orders.xlsx", b""),
        ("orders.parquet", b"PAR1" + b"cut short" * 20),
    ],
)
@pytest.mark.usefixtures("ledger_path")
def test_a_damaged_order_file_ends_with_a_message_naming_it(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=rf"^cannot read {name}: .*Is it a complete"):
        run("orders", str(path))


def test_a_damaged_accounts_workbook_ends_with_a_message_naming_it(tmp_path):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 20)
    with pytest.raises(CommandError, match=r"^cannot read customers.xlsx: "):
        run("accounts", str(path))


@pytest.fixture
def held_ledger(ledger_path):
    """Another process holding the DuckDB file, as a running `tenure score` does."""
    ledger_path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(ledger_path)!r}); print('held', "
            "flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    yield holder
    holder.kill()
    holder.wait()


def test_an_import_waits_for_the_ledger_then_says_who_holds_it(
    tmp_path, held_ledger, monkeypatch, capsys
):
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 1.0)
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS)
    with pytest.raises(CommandError, match=rf"in use by process {held_ledger.pid} .*waited 1 s"):
        run("orders", str(path))
    assert "waiting up to 1 s for the ledger" in capsys.readouterr().out
    assert not Account.objects.exists()  # nothing half-written in the CRM


@pytest.mark.usefixtures("held_ledger")
def test_scoring_waits_for_the_ledger_then_ends_with_a_message(monkeypatch):
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 1.0)
    with pytest.raises(CommandError, match="another `tenure score` or `tenure import`"):
        call_command("score", "--as-of", "2026-06-30")


def test_the_import_goes_ahead_once_the_ledger_is_released(tmp_path, held_ledger, monkeypatch):
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 30.0)
    monkeypatch.setattr(store, "_LOCK_RETRY_SECONDS", 0.1)
    real_sleep = store.time.sleep

    def release_then_sleep(seconds: float) -> None:
        held_ledger.kill()
        held_ledger.wait()
        real_sleep(seconds)

    monkeypatch.setattr(store.time, "sleep", release_then_sleep)
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS)
    run("orders", str(path))
    assert Account.objects.filter(external_id="K").exists()
