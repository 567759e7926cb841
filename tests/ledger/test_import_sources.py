"""One order is counted once, whatever ``--source`` says.

Re-importing the demo's ``order_lines.parquet`` with ``--source demo`` once added every
line again under the new source and doubled every revenue figure, without a word.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from tenure.accounts.models import Account
from tenure.ledger import store
from tenure.ledger.importing import OtherSourceDuplicates, SourceMismatch, import_orders

pytestmark = pytest.mark.django_db

command_module = importlib.import_module("tenure.ledger.management.commands.import")

HEADER = "account_key,order_id,line_number,order_date,product_id,quantity,unit_price,currency\n"
LINES = (
    "C1,SO-1,1,2026-03-02,P1,2,10.00,EUR\n"
    "C1,SO-1,2,2026-03-02,P2,1,5.50,EUR\n"
    "C2,SO-2,1,2026-03-09,P1,4,10.00,EUR\n"
)


def order_file(tmp_path: Path, text: str = HEADER + LINES, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def line_count(con) -> int:
    return int(store.order_lines(con).count().execute())


def test_reimporting_a_file_under_another_source_is_refused_and_adds_nothing(
    tmp_path, duckdb_ledger
):
    path = order_file(tmp_path)
    import_orders(path, source="erp-a", con=duckdb_ledger)

    with pytest.raises(OtherSourceDuplicates, match="3 lines of the file are already") as refused:
        import_orders(path, source="erp-b", con=duckdb_ledger)

    assert refused.value.sources == ["erp-a"]
    assert "under another source ('erp-a'): same account" in refused.value.message
    assert "--allow-other-source-duplicates" in refused.value.message
    assert "order SO-1 line 1: account C1, 2026-03-02, product P1, amount 20.00" in (
        refused.value.message
    )
    assert line_count(duckdb_ledger) == 3


def test_a_refused_other_source_import_creates_no_crm_accounts(tmp_path, duckdb_ledger):
    import_orders(order_file(tmp_path), source="erp-a", con=duckdb_ledger)
    again = order_file(tmp_path, HEADER + LINES + "C9,SO-9,1,2026-03-10,P1,1,3.00,EUR\n", "b.csv")

    with pytest.raises(OtherSourceDuplicates, match="3 lines"):
        import_orders(again, source="erp-b", con=duckdb_ledger)

    assert not Account.objects.filter(external_id="C9").exists()
    assert line_count(duckdb_ledger) == 3


def test_other_source_duplicates_are_imported_when_the_caller_says_they_are_meant(
    tmp_path, duckdb_ledger
):
    path = order_file(tmp_path)
    import_orders(path, source="erp-a", con=duckdb_ledger)

    report = import_orders(
        path, source="erp-b", con=duckdb_ledger, allow_other_source_duplicates=True
    )

    assert (report.rows_imported, report.rows_in_other_sources) == (3, 3)
    assert line_count(duckdb_ledger) == 6


def test_lines_differing_in_amount_from_another_source_are_not_duplicates(tmp_path, duckdb_ledger):
    import_orders(order_file(tmp_path), source="erp-a", con=duckdb_ledger)
    other = LINES.replace("2,10.00", "3,10.00")
    report = import_orders(
        order_file(tmp_path, HEADER + other.splitlines(keepends=True)[0], "other.csv"),
        source="erp-b",
        con=duckdb_ledger,
    )
    assert (report.rows_imported, report.rows_in_other_sources) == (1, 0)


def test_a_file_whose_source_column_names_another_source_is_refused(tmp_path, duckdb_ledger):
    lines = pl.read_csv(order_file(tmp_path), infer_schema=False).with_columns(
        source=pl.Series(["demo-erp", "demo-erp", ""])
    )
    path = tmp_path / "order_lines.parquet"
    lines.write_parquet(path)

    with pytest.raises(SourceMismatch, match="'demo-erp' \\(2 lines, first on line 2\\)") as no:
        import_orders(path, source="demo", con=duckdb_ledger)

    assert "--source demo-erp" in no.value.message
    assert ledger_is_empty(duckdb_ledger)


def test_a_file_whose_source_column_agrees_imports(tmp_path, duckdb_ledger):
    lines = pl.read_csv(order_file(tmp_path), infer_schema=False).with_columns(
        source=pl.lit("demo-erp")
    )
    path = tmp_path / "order_lines.parquet"
    lines.write_parquet(path)

    report = import_orders(path, source="demo-erp", con=duckdb_ledger)

    assert report.rows_imported == 3
    assert set(store.order_lines(duckdb_ledger).source.execute()) == {"demo-erp"}


def ledger_is_empty(con) -> bool:
    return store.ORDER_LINES not in con.list_tables() or line_count(con) == 0


def test_the_import_command_refuses_another_source_unless_told(tmp_path, settings, capsys):
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    path = order_file(tmp_path)
    call_command(command_module.Command(), "orders", str(path), "--source", "erp-a")

    with pytest.raises(CommandError, match="already in the ledger under another source"):
        call_command(command_module.Command(), "orders", str(path), "--source", "erp-b")
    call_command(
        command_module.Command(),
        "orders",
        str(path),
        "--source",
        "erp-b",
        "--allow-other-source-duplicates",
    )

    out = capsys.readouterr().out
    assert "3 of the new lines equal lines of another source" in out
    con = store.connect(settings.LEDGER_URL)
    assert line_count(con) == 6
    con.disconnect()


def test_other_source_duplicates_are_refused_on_a_postgresql_ledger_too(tmp_path, postgres_ledger):
    path = order_file(tmp_path)
    import_orders(path, source="erp-a", con=postgres_ledger)

    with pytest.raises(OtherSourceDuplicates, match="3 lines"):
        import_orders(path, source="erp-b", con=postgres_ledger)

    assert line_count(postgres_ledger) == 3
    report = import_orders(
        path, source="erp-b", con=postgres_ledger, allow_other_source_duplicates=True
    )
    assert report.rows_in_other_sources == 3
    assert line_count(postgres_ledger) == 6


def test_an_unknown_country_never_refuses_a_revenue_line(tmp_path, duckdb_ledger):
    header = HEADER.rstrip("\n") + ",country\n"
    path = order_file(
        tmp_path,
        header
        + "J1,SO-1,1,2026-03-02,P1,1,10.00,GBP,Channel Islands\n"
        + "D1,SO-2,1,2026-03-02,P1,1,10.00,GBP,Germany\n",
    )
    report = import_orders(path, source="erp", con=duckdb_ledger)
    assert report.rows_imported == 2
    assert line_count(duckdb_ledger) == 2
    assert dict(Account.objects.values_list("external_id", "country")) == {"J1": "", "D1": "DE"}
