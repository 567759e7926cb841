"""Importing order-line files: the UCI layout, rejects, idempotency, atomicity with the CRM."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import polars as pl
import pytest

from tenure.accounts.models import Account
from tenure.accounts.services import account_create, account_create_from_keys
from tenure.core.errors import DomainError
from tenure.ledger import importing, store
from tenure.ledger.features import to_polars
from tenure.ledger.importing import TooManyBadRows, import_orders
from tenure.ledger.reading import OrderFileError
from tests.ledger.conftest import UCI_DATE_FORMAT, UCI_MAPPING

pytestmark = pytest.mark.django_db


def import_uci(path, con, **options):
    settings = {
        "source": "uci",
        "mapping": UCI_MAPPING,
        "date_format": UCI_DATE_FORMAT,
        "currency": "GBP",
        "max_errors": 2,
        "con": con,
    }
    return import_orders(path, **(settings | options))


def ledger(con) -> pl.DataFrame:
    return to_polars(store.order_lines(con)).sort("order_id", "line_number")


def test_uci_layout_imports_with_the_documented_mapping(uci_file, duckdb_ledger):
    report = import_uci(uci_file, duckdb_ledger)

    assert (report.rows_read, report.rows_rejected, report.rows_imported) == (50, 2, 48)
    assert report.accounts_created == 18
    lines = ledger(duckdb_ledger)
    assert lines.height == 48
    first = lines.row(0, named=True)
    assert first["account_key"] == "17850"  # CustomerID 17850.0
    assert first["order_date"] == dt.date(2010, 12, 1)
    assert first["amount"] == Decimal("15.30")  # 6 × 2.55
    assert first["currency"] == "GBP"
    assert first["source"] == "uci"
    assert first["product_category"] == first["product_id"] == "85123A"
    assert lines.filter(pl.col("order_id") == "536365")["line_number"].to_list() == list(
        range(1, 8)
    )
    # Each stage reports its wall and CPU time (the benchmark prints both).
    stages = ["validate", "check", "stage", "accounts", "write"]
    assert list(report.seconds) == list(report.cpu_seconds) == stages


def test_cancelled_invoice_is_kept_as_a_negative_amount(uci_file, duckdb_ledger):
    import_uci(uci_file, duckdb_ledger)
    cancelled = ledger(duckdb_ledger).filter(pl.col("order_id") == "C536379").row(0, named=True)
    assert cancelled["quantity"] == Decimal("-1.000")
    assert cancelled["amount"] == Decimal("-27.50")


def test_unknown_customers_become_crm_accounts_named_by_their_key(uci_file, duckdb_ledger):
    import_uci(uci_file, duckdb_ledger)
    assert Account.objects.count() == 18
    french = Account.objects.get(external_id="12583")
    assert (french.name, french.country) == ("12583", "FR")
    assert Account.objects.get(external_id="14911").country == "IE"  # "EIRE"


def test_rejects_file_lists_line_field_value_and_reason(uci_file, duckdb_ledger):
    report = import_uci(uci_file, duckdb_ledger)

    assert report.rejects_path == uci_file.with_name(uci_file.name + ".rejects.csv")
    rejects = pl.read_csv(report.rejects_path)
    assert rejects.columns == ["line", "field", "value", "reason"]
    # The header is line 1: the two rows without a CustomerID are lines 44 and 45.
    assert rejects["line"].to_list() == [44, 45]
    assert set(rejects["reason"]) == {"missing account key"}
    assert [str(p) for p in report.problems] == [
        "line 44, account_key: missing account key",
        "line 45, account_key: missing account key",
    ]


def test_more_bad_rows_than_allowed_imports_nothing(uci_file, duckdb_ledger):
    with pytest.raises(TooManyBadRows, match="2 of 50 rows are bad, more than the 1 allowed"):
        import_uci(uci_file, duckdb_ledger, max_errors=1)

    assert Account.objects.count() == 0
    assert store.ORDER_LINES not in duckdb_ledger.list_tables()
    assert uci_file.with_name(uci_file.name + ".rejects.csv").exists()


def test_importing_the_same_file_twice_adds_nothing(uci_file, duckdb_ledger):
    import_uci(uci_file, duckdb_ledger)
    again = import_uci(uci_file, duckdb_ledger)

    assert (again.rows_imported, again.rows_already_imported, again.rows_changed) == (0, 48, 0)
    assert again.accounts_created == 0
    assert ledger(duckdb_ledger).height == 48


def test_a_changed_line_keeps_the_stored_one_and_is_reported(uci_file, duckdb_ledger):
    import_uci(uci_file, duckdb_ledger)
    text = uci_file.read_text().replace(
        "536370,POST,POSTAGE,3,12/1/2010 8:45,18,", "536370,POST,POSTAGE,3,12/1/2010 8:45,21,"
    )
    uci_file.write_text(text)

    again = import_uci(uci_file, duckdb_ledger)

    assert (again.rows_imported, again.rows_already_imported, again.rows_changed) == (0, 48, 1)
    postage = ledger(duckdb_ledger).filter(pl.col("product_id") == "POST")
    assert postage["amount"].to_list() == [Decimal("54.00")]  # 3 × 18, the first import


def test_another_source_is_another_set_of_lines_when_the_caller_says_so(uci_file, duckdb_ledger):
    # Without the flag the same lines under another source are refused
    # (tests/ledger/test_import_sources.py).
    import_uci(uci_file, duckdb_ledger)
    other = import_uci(
        uci_file, duckdb_ledger, source="uci-copy", allow_other_source_duplicates=True
    )
    assert other.rows_imported == 48
    assert ledger(duckdb_ledger).height == 96


def test_unknown_accounts_can_be_refused_instead(uci_file, duckdb_ledger):
    account_create(name="Known customer", external_id="17850")

    report = import_uci(uci_file, duckdb_ledger, unknown_accounts="reject", max_errors=100)

    assert report.accounts_created == 0
    assert set(ledger(duckdb_ledger)["account_key"]) == {"17850"}
    assert report.rows_imported == 15
    rejects = pl.read_csv(report.rejects_path)
    unknown = rejects.filter(pl.col("reason").str.starts_with("unknown account"))
    assert unknown.height == 50 - 2 - 15
    assert Account.objects.count() == 1


@pytest.mark.parametrize("others", [0, 40])
def test_known_accounts_are_found_in_a_small_or_a_large_crm(
    uci_file, duckdb_ledger, monkeypatch, others
):
    # A CRM no larger than the file's keys is read whole; a larger one is asked for the
    # file's keys, a chunk at a time.
    monkeypatch.setattr(importing, "_CRM_LOOKUP_CHUNK", 4)
    account_create(name="Known customer", external_id="17850")
    account_create(name="Known too", external_id="12583")
    account_create(name="No id")
    for number in range(others):
        account_create(name=f"Other {number}", external_id=f"X{number}")

    report = import_uci(uci_file, duckdb_ledger)

    assert report.accounts_created == 18 - 2
    assert Account.objects.count() == 18 + 1 + others
    assert Account.objects.get(external_id="12583").name == "Known too"


def test_a_failed_ledger_write_rolls_the_new_accounts_back(uci_file, duckdb_ledger, monkeypatch):
    def broken_insert(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(duckdb_ledger, "insert", broken_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        import_uci(uci_file, duckdb_ledger)

    assert Account.objects.count() == 0
    assert store.order_lines(duckdb_ledger).count().execute() == 0


def test_failed_accounts_roll_the_ledger_back(uci_file, duckdb_ledger, monkeypatch):
    # The accounts are written while the ledger inserts, in another thread: the ledger must
    # wait for them and roll back when they fail.
    def broken_accounts(*, rows):
        account_create(name=rows[0][0], external_id=rows[0][1])
        raise DomainError("row 3: name: this field cannot be blank", field="name")

    monkeypatch.setattr(importing, "account_create_from_keys", broken_accounts)
    with pytest.raises(DomainError, match="row 3"):
        import_uci(uci_file, duckdb_ledger)

    assert Account.objects.count() == 0
    assert store.order_lines(duckdb_ledger).count().execute() == 0


def test_a_ledger_that_fails_while_accounts_are_written_keeps_neither(
    uci_file, duckdb_ledger, monkeypatch
):
    # The ledger side fails first; the accounts finish, then roll back with it.
    ledger_failed = threading.Event()

    def broken_insert(*args, **kwargs):
        ledger_failed.set()
        raise RuntimeError("disk full")

    def slow_accounts(*, rows):
        assert ledger_failed.wait(10)
        return account_create_from_keys(rows=rows)

    monkeypatch.setattr(duckdb_ledger, "insert", broken_insert)
    monkeypatch.setattr(importing, "account_create_from_keys", slow_accounts)
    with pytest.raises(RuntimeError, match="disk full"):
        import_uci(uci_file, duckdb_ledger)

    assert Account.objects.count() == 0
    assert store.order_lines(duckdb_ledger).count().execute() == 0


def test_first_and_later_imports_write_the_same_lines(uci_file, tmp_path, duckdb_ledger):
    # The first import into an empty ledger skips the overlap checks and inserts on every
    # DuckDB thread; a later import goes through the anti-join. Both give the same table,
    # and the connection's settings (insertion order, threads) are left as they were.
    threads = duckdb_ledger.con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    first = import_uci(uci_file, duckdb_ledger)
    other = store.connect(f"duckdb://{tmp_path / 'other' / 'ledger.duckdb'}")
    try:
        store.ensure_schema(other)
        seed = ledger(duckdb_ledger).filter(pl.col("order_id") == "536365")
        other.insert(store.ORDER_LINES, seed.to_arrow())
        again = import_uci(uci_file, other)
        assert (again.rows_imported, again.rows_already_imported) == (first.rows_imported - 7, 7)
        assert ledger(other).drop("imported_at").equals(ledger(duckdb_ledger).drop("imported_at"))
    finally:
        other.disconnect()
    settings = "SELECT current_setting('preserve_insertion_order'), current_setting('threads')"
    assert duckdb_ledger.con.execute(settings).fetchall() == [(True, threads)]


def test_duplicate_natural_keys_in_one_file_are_bad_rows(tmp_path, duckdb_ledger):
    path = tmp_path / "orders.csv"
    path.write_text(
        "account_key,order_id,line_number,order_date,product_id,amount,currency\n"
        "K1,SO-1,1,2024-01-05,P1,10.00,EUR\n"
        "K1,SO-1,2,2024-01-05,P2,20.00,EUR\n"
        "K1,SO-1,1,2024-01-05,P3,30.00,EUR\n"
    )
    report = import_orders(path, source="erp", con=duckdb_ledger, max_errors=5)

    assert (report.rows_rejected, report.rows_imported) == (2, 1)
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "order SO-1 line 1 appears 2 times in the file (first on line 2)"),
        (4, "order SO-1 line 1 appears 2 times in the file (first on line 2)"),
    ]


def test_decimal_comma_semicolons_and_a_date_format(tmp_path, duckdb_ledger):
    path = tmp_path / "auftraege.csv"
    path.write_text(
        "Kunde;Auftrag;Datum;Artikel;Menge;Preis;Waehrung\n"
        "K-7;A-1;24.12.2024;X1;2;1.234,50;eur\n"
        "K-7;A-2;27.12.2024;X1;1,5;0,99;EUR\n"
    )
    mapping = {
        "Kunde": "account_key",
        "Auftrag": "order_id",
        "Datum": "order_date",
        "Artikel": "product_id",
        "Menge": "quantity",
        "Preis": "unit_price",
        "Waehrung": "currency",
    }
    import_orders(
        path,
        source="sap",
        con=duckdb_ledger,
        mapping=mapping,
        date_format="%d.%m.%Y",
        decimal_comma=True,
    )
    lines = ledger(duckdb_ledger)
    assert lines["order_date"].to_list() == [dt.date(2024, 12, 24), dt.date(2024, 12, 27)]
    assert lines["amount"].to_list() == [Decimal("2469.00"), Decimal("1.49")]  # 1.485 → 1.49
    assert lines["currency"].to_list() == ["EUR", "EUR"]


def test_parquet_with_typed_columns_and_an_amount(tmp_path, duckdb_ledger):
    path = tmp_path / "orders.parquet"
    pl.DataFrame(
        {
            "account_key": [4711.0, 4711.0],
            "order_id": ["SO-9", "SO-9"],
            "line_number": [1, 2],
            "order_date": [dt.datetime(2024, 5, 1, 13, 0), dt.datetime(2024, 5, 1, 13, 0)],
            "product_id": ["P1", "P2"],
            "product_category": ["tools", None],
            "amount": [Decimal("99.95"), Decimal("-5.00")],
            "currency": ["EUR", "EUR"],
        }
    ).write_parquet(path)

    import_orders(path, source="erp", con=duckdb_ledger)

    lines = ledger(duckdb_ledger)
    assert lines["account_key"].to_list() == ["4711", "4711"]
    assert lines["amount"].to_list() == [Decimal("99.95"), Decimal("-5.00")]
    assert lines["product_category"].to_list() == ["tools", "P2"]
    assert lines["quantity"].to_list() == [None, None]


def test_excel_sheet_imports(tmp_path, duckdb_ledger):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "orders.xlsx"
    with xlsxwriter.Workbook(path) as book:
        book.add_worksheet("Notes").write_row(0, 0, ["nothing here"])
        sheet = book.add_worksheet("Orders")
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_row(0, 0, ["Customer", "Invoice", "Date", "Item", "Qty", "Price"])
        sheet.write_row(1, 0, [17850, "536365", None, "85123A", 6, 2.55])
        sheet.write_datetime(1, 2, dt.datetime(2010, 12, 1), dates)
        sheet.write_row(3, 0, [13047, "536367", "2010-12-02", "84879", 32, 1.69])
    mapping = {
        "Customer": "account_key",
        "Invoice": "order_id",
        "Date": "order_date",
        "Item": "product_id",
        "Qty": "quantity",
        "Price": "unit_price",
    }
    report = import_orders(
        path, source="xl", con=duckdb_ledger, mapping=mapping, sheet="Orders", currency="GBP"
    )

    assert report.rows_imported == 2  # the empty row 3 is neither a line nor an error
    lines = ledger(duckdb_ledger)
    assert lines["account_key"].to_list() == ["17850", "13047"]
    assert lines["amount"].to_list() == [Decimal("15.30"), Decimal("54.08")]
    assert lines["order_date"].to_list() == [dt.date(2010, 12, 1), dt.date(2010, 12, 2)]


def test_a_csv_line_with_more_fields_than_the_header_stops_the_import(tmp_path, duckdb_ledger):
    path = tmp_path / "orders.csv"
    # An unquoted "1,234.50" shifts every later column of its line: refuse the file.
    path.write_text(
        "account_key,order_id,order_date,product_id,amount,currency\n"
        "K1,SO-1,2024-01-05,P1,10.00,EUR\n"
        "K1,SO-2,2024-01-05,P2,1,234.50,EUR\n"
    )
    with pytest.raises(OrderFileError, match=r"cannot read orders\.csv: .*more fields"):
        import_orders(path, source="erp", con=duckdb_ledger)
    assert Account.objects.count() == 0
