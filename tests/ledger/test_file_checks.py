"""Files refused as a whole before a row is read: wrong encoding, formulas never calculated.

Both imports (order lines, and accounts and contacts) share these checks
(`tenure.core.table_files`).
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from tenure.accounts.imports import import_accounts
from tenure.accounts.models import Account
from tenure.core.errors import DomainError
from tenure.ledger import store
from tenure.ledger.features import to_polars
from tenure.ledger.importing import import_orders
from tenure.ledger.reading import OrderFileError

pytestmark = pytest.mark.django_db

LATIN_1 = (
    "account_key,account_name,order_id,order_date,product_id,amount,currency\n"
    "K1,Birch,O1,2024-01-01,P,10,EUR\n"
    "KÖLN-1,Müller GmbH,O2,2024-01-02,P,20,EUR\n"
).encode("latin-1")


def test_order_import_refuses_latin_1_naming_the_line_and_creates_no_phantom_account(
    tmp_path, duckdb_ledger
):
    path = tmp_path / "orders.csv"
    path.write_bytes(LATIN_1)
    with pytest.raises(OrderFileError) as refused:
        import_orders(path, source="erp", con=duckdb_ledger)
    message = refused.value.message
    assert message.startswith("orders.csv, line 3: not UTF-8 text (byte 0xd6")
    assert "--encoding latin-1" in message
    assert not Account.objects.exists()
    store.ensure_schema(duckdb_ledger)
    assert to_polars(store.order_lines(duckdb_ledger)).is_empty()


def test_order_import_reads_latin_1_when_told_the_encoding(tmp_path, duckdb_ledger):
    path = tmp_path / "orders.csv"
    path.write_bytes(LATIN_1)
    report = import_orders(path, source="erp", con=duckdb_ledger, encoding="latin-1")
    assert report.rows_imported == 2
    assert Account.objects.get(external_id="KÖLN-1").name == "Müller GmbH"
    assert not list((tmp_path.parent).glob("**/utf8-*"))  # the UTF-8 copy is gone


def test_an_unknown_encoding_is_refused_by_name(tmp_path, duckdb_ledger):
    path = tmp_path / "orders.csv"
    path.write_bytes(LATIN_1)
    with pytest.raises(OrderFileError, match="unknown encoding 'klingon'"):
        import_orders(path, source="erp", con=duckdb_ledger, encoding="klingon")


def test_accounts_import_refuses_latin_1_with_the_same_message(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes("external_id,name\nC1,Müller GmbH\n".encode("latin-1"))
    with pytest.raises(DomainError, match=r"customers.csv, line 2: not UTF-8 text"):
        import_accounts(path)
    report = import_accounts(path, encoding="latin-1")
    assert report.ok
    assert Account.objects.get(external_id="C1").name == "Müller GmbH"


def write_workbook(path: Path, rows: list[list[object]]) -> Path:
    """An .xlsx as programs write them: formulas stored with 0, "calculate when opened"."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Orders")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    return path


ORDER_ROWS = [
    ["account_key", "order_id", "order_date", "product_id", "amount", "currency"],
    ["K1", "O1", "2024-01-01", "P", 10, "EUR"],
    ["=A2", "O2", "2024-01-02", "P", "=E2*2", "EUR"],
]


def test_order_import_refuses_formulas_never_calculated_naming_row_and_column(
    tmp_path, duckdb_ledger
):
    path = write_workbook(tmp_path / "orders.xlsx", ORDER_ROWS)
    with pytest.raises(OrderFileError) as refused:
        import_orders(path, source="erp", con=duckdb_ledger)
    assert "2 formula cell(s) hold no calculated value (row 3, column A; row 3, column E)" in (
        refused.value.message
    )
    assert not Account.objects.filter(external_id="0").exists()


def test_formulas_saved_with_their_results_import_as_those_results(tmp_path, duckdb_ledger):
    path = write_workbook(tmp_path / "orders.xlsx", ORDER_ROWS)
    calculated = _as_saved_by_a_spreadsheet(path, {"A3": ("str", "K1"), "E3": ("n", "20")})
    report = import_orders(calculated, source="erp", con=duckdb_ledger)
    assert report.rows_imported == 2
    lines = to_polars(store.order_lines(duckdb_ledger)).sort("order_id")
    assert lines["account_key"].to_list() == ["K1", "K1"]
    assert lines["amount"].to_list() == [Decimal("10.00"), Decimal("20.00")]


def test_accounts_import_refuses_a_formula_key(tmp_path):
    path = write_workbook(
        tmp_path / "customers.xlsx", [["external_id", "name"], ["=1-1", "Zero Co"]]
    )
    with pytest.raises(DomainError, match=r"row 2, column A"):
        import_accounts(path)
    assert not Account.objects.exists()


def _as_saved_by_a_spreadsheet(path: Path, values: dict[str, tuple[str, str]]) -> Path:
    """``path`` with the given cells' results stored and the "calculate on load" flag gone."""
    target = path.with_name("calculated.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename).decode("utf-8")
            if item.filename == "xl/workbook.xml":
                data = re.sub(r'\s*fullCalcOnLoad="1"', "", data)
            if item.filename.startswith("xl/worksheets/"):
                for ref, (kind, value) in values.items():
                    data = re.sub(
                        rf'<c r="{ref}"([^>]*?)( t="\w+")?>(<f>[^<]*</f>)<v>[^<]*</v></c>',
                        rf'<c r="{ref}"\1 t="{kind}">\3<v>{value}</v></c>',
                        data,
                    )
            copy.writestr(item, data)
    pl.read_excel(target)  # still a workbook
    return target
