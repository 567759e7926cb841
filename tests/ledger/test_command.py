"""``tenure import orders``: the command line, its messages, and its subcommand registry."""

from __future__ import annotations

import importlib
import shlex
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tenure.accounts.models import Account, Position
from tenure.ledger import store
from tenure.ledger.imports import UCI_EXAMPLE

# The module is named after the command, `import`, which Python's syntax cannot import.
command_module = importlib.import_module("tenure.ledger.management.commands.import")
DOCS = Path(__file__).parents[2] / "docs" / "ledger.md"

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger_url(settings, tmp_path) -> str:
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    return settings.LEDGER_URL


def run(*args: str) -> None:
    # An instance, so the test does not depend on the app being in INSTALLED_APPS.
    call_command(command_module.Command(), *args)


def uci_command(path: Path, *, example: str = UCI_EXAMPLE) -> list[str]:
    """The documented command line's arguments, for the sample file instead of the real one."""
    words = shlex.split(example)
    assert words[:4] == ["tenure", "import", "orders", "online_retail.csv"]
    return ["orders", str(path), *words[4:]]


def test_the_documented_uci_command_line_imports_the_sample(uci_file, ledger_url, capsys):
    run(*uci_command(uci_file))

    out = capsys.readouterr().out
    assert "Read 50 rows" in out
    assert "imported 48 new lines" in out
    assert "Created 18 accounts in the CRM." in out
    assert "Left out 2 bad rows" in out
    assert "line 44, account_key: missing account key" in out
    con = store.connect(ledger_url)
    assert store.order_lines(con).count().execute() == 48
    con.disconnect()


def test_the_docs_show_the_uci_command_line():
    assert UCI_EXAMPLE in DOCS.read_text()


@pytest.mark.usefixtures("ledger_url")
def test_a_second_run_reports_lines_already_imported(uci_file, capsys):
    args = ["orders", str(uci_file), "--source", "x", "--currency", "GBP", "--max-errors", "5"]
    args += ["--date-format", "%m/%d/%Y %H:%M", "--map", "InvoiceNo=order_id,StockCode=product_id"]
    args += ["--map", "Quantity=quantity, InvoiceDate=order_date,UnitPrice=unit_price"]
    args += ["--map", "CustomerID=account_key"]
    run(*args)
    run(*args)
    assert "48 lines were already imported." in capsys.readouterr().out


@pytest.mark.usefixtures("ledger_url")
def test_too_many_bad_rows_fail_with_a_clear_message(uci_file):
    with pytest.raises(CommandError, match=r"2 of 50 rows are bad.*nothing was imported"):
        run(*uci_command(uci_file, example=UCI_EXAMPLE.replace("200000", "0")))
    assert Account.objects.count() == 0


@pytest.mark.usefixtures("ledger_url")
def test_a_file_without_the_needed_columns_fails_with_a_clear_message(uci_file):
    with pytest.raises(CommandError, match="no column for account_key, order_id"):
        run("orders", str(uci_file))


@pytest.mark.usefixtures("ledger_url")
def test_a_missing_file_fails_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("orders", str(tmp_path / "nowhere.csv"))


def test_orders_import_leaves_out_a_column_mapped_to_a_dash(uci_file, ledger_url):
    # The dash is how every import leaves a column out (one --map parser); the order import
    # once refused it as an unknown ledger column.
    run(*uci_command(uci_file), "--map", "Country=-")
    assert Account.objects.exclude(country="").count() == 0
    con = store.connect(ledger_url)
    assert store.order_lines(con).count().execute() == 48
    con.disconnect()


def test_a_map_pair_without_equals_is_a_usage_error(uci_file):
    with pytest.raises(CommandError, match="'InvoiceNo' is not FILE_COLUMN=COLUMN"):
        run("orders", str(uci_file), "--map", "InvoiceNo")


def test_other_apps_register_their_own_subcommands(monkeypatch, capsys):
    class ContactsImport:
        help = "contacts"

        def add_arguments(self, parser):
            parser.add_argument("file")
            parser.add_argument("--dry-run", action="store_true")

        def handle(self, command, options):
            command.stdout.write(f"contacts from {options['file']}, dry run {options['dry_run']}")

    monkeypatch.setitem(command_module.SUBCOMMANDS, "contacts", ContactsImport())
    run("contacts", "people.csv", "--dry-run")
    assert "contacts from people.csv, dry run True" in capsys.readouterr().out


def test_accounts_and_contacts_imports_are_subcommands_too(tmp_path, capsys):
    accounts = tmp_path / "customers.csv"
    accounts.write_text("external_id,name,country\nC1,Birch Foods,de\n")
    people = tmp_path / "people.csv"
    people.write_text("email,first_name,last_name,account_external_id\nann@x.example,Ann,Lee,C1\n")

    run("accounts", str(accounts))
    run("contacts", str(people))

    assert Account.objects.get(external_id="C1").name == "Birch Foods"
    assert Position.objects.get().account.external_id == "C1"
    assert "1 contacts created" in capsys.readouterr().out
