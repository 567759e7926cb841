"""Parsing and checking order-line fields, without a ledger or a CRM store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from tenure.ledger import validation
from tenure.ledger.reading import OrderFileError, scan_order_file
from tenure.ledger.validation import ParseRules, checked_lines, field_errors

HEADER = "account_key,order_id,line_number,order_date,product_id,quantity,unit_price,currency\n"


def check(tmp_path: Path, rows: str, **rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + rows)
    checked = checked_lines(scan_order_file(path), ParseRules(source="erp", **rules))
    return checked.collect(), field_errors(checked).sort("line", "field").collect()


def test_money_rounds_half_away_from_zero_from_the_unrounded_price(tmp_path):
    lines, errors = check(
        tmp_path,
        "K,O,1,2024-01-01,P,1,0.005,EUR\n"
        "K,O,2,2024-01-01,P,-1,0.005,EUR\n"
        "K,O,3,2024-01-01,P,3,0.333,EUR\n",
    )
    assert errors.is_empty()
    assert lines["unit_price"].to_list() == [Decimal("0.01"), Decimal("0.01"), Decimal("0.33")]
    assert lines["amount"].to_list() == [Decimal("0.01"), Decimal("-0.01"), Decimal("1.00")]


def test_thousands_separators_are_read_only_where_unambiguous(tmp_path):
    lines, errors = check(
        tmp_path,
        'K,O,1,2024-01-01,P,1,"1,234.50",EUR\nK,O,2,2024-01-01,P,1,"12,50",EUR\n',
    )
    assert lines["unit_price"][0] == Decimal("1234.50")
    assert errors.rows() == [
        (3, "unit_price", "12,50", "not a number (decimal comma? see --decimal-comma)")
    ]


def test_decimal_comma_accepts_dots_and_spaces_as_thousands(tmp_path):
    lines, errors = check(
        tmp_path,
        'K,O,1,2024-01-01,P,1,"1.234,50",EUR\nK,O,2,2024-01-01,P,1,"1 234,5",EUR\n'
        'K,O,3,2024-01-01,P,1,"1,2,3",EUR\n',
        decimal_comma=True,
    )
    assert lines["unit_price"].to_list()[:2] == [Decimal("1234.50"), Decimal("1234.50")]
    assert errors.select("line", "field", "reason").rows() == [(4, "unit_price", "not a number")]


def test_dates_parse_in_the_given_format_and_always_in_iso(tmp_path):
    lines, errors = check(
        tmp_path,
        "K,O,1,12/1/2010 8:26,P,1,1,EUR\nK,O,2,2010-12-02T09:00:00,P,1,1,EUR\n"
        "K,O,3,13/1/2010 8:26,P,1,1,EUR\nK,O,4,2/1/0201 8:26,P,1,1,EUR\nK,O,5,,P,1,1,EUR\n",
        date_format="%m/%d/%Y %H:%M",
    )
    assert lines["order_date"].to_list()[:2] == [dt.date(2010, 12, 1), dt.date(2010, 12, 2)]
    assert errors.select("line", "reason").rows() == [
        (4, "not a date in the format of --date-format or YYYY-MM-DD"),
        (5, "date outside the years 1900–2200"),
        (6, "missing order date"),
    ]


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (",O,1,2024-01-01,P,1,1,EUR", "account_key", "missing account key"),
        ("K, ,1,2024-01-01,P,1,1,EUR", "order_id", "missing order id"),
        ("K,O,0,2024-01-01,P,1,1,EUR", "line_number", "not a whole number from 1 up"),
        ("K,O,1.5,2024-01-01,P,1,1,EUR", "line_number", "not a whole number from 1 up"),
        ("K,O,1,2024-01-01,,1,1,EUR", "product_id", "missing product id"),
        ("K,O,1,2024-01-01,P,x,1,EUR", "quantity", "not a number"),
        ("K,O,1,2024-01-01,P,1,1,EURO", "currency", "not a 3-letter currency code"),
        ("K,O,1,2024-01-01,P,1,,EUR", "amount", "missing amount, and no quantity and unit price"),
        ("K,O,1,2024-01-01,P,1,1e99,EUR", "unit_price", "not a number"),
        ("K,O,1,2024-01-01,P,1,99999999999999999,EUR", "unit_price", "number too large"),
        (f"{'K' * 101},O,1,2024-01-01,P,1,1,EUR", "account_key", "account key longer than 100"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(tmp_path, row, field, reason):
    _, errors = check(tmp_path, row + "\n")
    assert errors["field"].to_list() == [field]
    assert errors["reason"][0].startswith(reason)
    assert errors["line"].to_list() == [2]


def test_missing_currency_needs_a_column_or_a_default(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("account_key,order_id,order_date,product_id,amount\nK,O,2024-01-01,P,5\n")
    raw = scan_order_file(path)
    errors = field_errors(checked_lines(raw, ParseRules(source="erp"))).collect()
    assert errors["reason"].to_list() == [
        "missing currency (map a currency column or pass --currency)"
    ]
    lines = checked_lines(raw, ParseRules(source="erp", currency="chf")).collect()
    assert lines["currency"].to_list() == ["CHF"]


def test_line_numbers_are_derived_per_order_in_file_order(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "account_key,order_id,order_date,product_id,amount\n"
        "K,A,2024-01-01,P,1\nK,B,2024-01-01,P,1\nK,A,2024-01-01,P,1\n"
    )
    lines = checked_lines(scan_order_file(path), ParseRules(source="erp", currency="EUR"))
    assert lines.collect()["line_number"].to_list() == [1, 1, 2]


def test_required_columns_are_named_when_missing(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Customer,Invoice,When\n1,2,3\n")
    with pytest.raises(OrderFileError, match="no column for account_key, order_id"):
        scan_order_file(path)
    with pytest.raises(OrderFileError, match="the file does not have"):
        scan_order_file(path, mapping={"Client": "account_key"})
    with pytest.raises(OrderFileError, match="unknown ledger column"):
        scan_order_file(path, mapping={"Customer": "customer"})


def test_amount_or_quantity_and_price_are_required(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("account_key,order_id,order_date,product_id,quantity\n")
    with pytest.raises(OrderFileError, match="needs an amount column"):
        scan_order_file(path)


def test_unknown_file_types_are_refused(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text("[]")
    with pytest.raises(OrderFileError, match="unknown file type"):
        scan_order_file(path)


def test_import_rejects_amounts_beyond_a_billion_naming_line_and_field(tmp_path):
    # 9,999,999,999,999,999.99 fitted the ledger's decimal(18,2) and, summed by the scoring
    # run, overflowed the snapshot's money fields: every page showing the account answered 500.
    path = tmp_path / "orders.csv"
    path.write_text(
        "account_key,order_id,order_date,product_id,amount,currency\n"
        "K,O1,2024-01-01,P,9999999999999999.99,EUR\n"
        "K,O2,2024-01-01,P,-1000000000.01,EUR\n"
        "K,O3,2024-01-01,P,1000000000.00,EUR\n"
        "K,O4,2024-01-01,P,-1000000000,EUR\n"
    )
    checked = checked_lines(scan_order_file(path), ParseRules(source="erp"))
    errors = field_errors(checked).sort("line").collect()
    reason = "outside ±1,000,000,000.00, the largest amount an order line may have"
    assert errors.rows() == [
        (2, "amount", "9999999999999999.99", reason),
        (3, "amount", "-1000000000.01", reason),
    ]


def test_import_rejects_a_computed_amount_beyond_a_billion(tmp_path):
    _lines, errors = check(
        tmp_path,
        "K,O,1,2024-01-01,P,100000,10001,EUR\nK,O,2,2024-01-01,P,2,2000000000,EUR\n",
    )
    assert errors.select("line", "field").rows() == [(2, "amount"), (3, "unit_price")]
    assert "largest amount" in errors["reason"][0]


def test_typed_parquet_cells_are_refused_with_the_same_text_as_csv_cells(tmp_path):
    # Typed columns skip the text pass (validation._typed); a reason still shows the value
    # as the file's text would, and a decimal line number is still no whole number.
    typed = tmp_path / "typed.parquet"
    day = dt.date(2024, 1, 1)
    pl.DataFrame(
        {
            "account_key": ["K", "K", "K", "K", "K"],
            "order_id": ["O", "O", "O", "O", "O"],
            "line_number": [1, 0, 3, 4, 5],
            "order_date": [day, day, dt.date(1800, 1, 2), None, day],
            "product_id": ["P"] * 5,
            "quantity": [2, 1, 1, 1, 1],
            "unit_price": [Decimal("1.50"), *[Decimal("1")] * 3, Decimal("2000000000")],
            "currency": ["EUR"] * 5,
        },
        schema_overrides={"unit_price": pl.Decimal(18, 2)},
    ).write_parquet(typed)
    checked = checked_lines(scan_order_file(typed), ParseRules(source="erp"))
    errors = field_errors(checked).sort("line", "field").collect()
    outside = "outside ±1,000,000,000.00, the largest amount an order line may have"
    assert errors.rows() == [
        (3, "line_number", "0", "not a whole number from 1 up"),
        (4, "order_date", "1800-01-02", "date outside the years 1900–2200"),
        (5, "order_date", None, "missing order date"),
        (6, "unit_price", "2000000000.00", outside),
    ]
    assert checked.collect()["amount"][0] == Decimal("3.00")

    decimal_lines = tmp_path / "decimal-lines.parquet"
    pl.read_parquet(typed).head(1).with_columns(
        pl.lit(Decimal("1.50")).cast(pl.Decimal(18, 2)).alias("line_number")
    ).write_parquet(decimal_lines)
    checked = checked_lines(scan_order_file(decimal_lines), ParseRules(source="erp"))
    assert field_errors(checked).collect().select("field", "value", "reason").rows() == [
        ("line_number", "1.50", "not a whole number from 1 up")
    ]


def test_whole_numbers_written_as_floats_are_the_same_ids_and_line_numbers(tmp_path):
    lines, errors = check(
        tmp_path,
        "17850.0,5.0,2.00,2024-01-01,P,1,1,EUR\n"
        "17850.5,5.0,3,2024-01-01,P,1,1,EUR\n"
        "1.0a,5.0,1.5,2024-01-01,P,1,1,EUR\n",
    )
    # A text order id stays as written: only a float column's ids lose their zeros.
    assert lines.select("account_key", "order_id", "line_number").rows()[:2] == [
        ("17850", "5.0", 2),
        ("17850.5", "5.0", 3),
    ]
    assert lines["account_key"][2] == "1.0a"
    assert errors.select("line", "field", "value").rows() == [(4, "line_number", "1.5")]


def reference_duplicate_keys(checked: pl.LazyFrame) -> pl.DataFrame:
    """The duplicate-key rule as a plain group-by on the text key, to compare against."""
    lines = checked.collect().filter(
        pl.col("__error_order_id").is_null() & pl.col("__error_line_number").is_null()
    )
    counts = lines.group_by("order_id", "line_number").agg(
        pl.len().alias("times"), pl.col("__line").min().alias("first")
    )
    repeated = lines.join(counts.filter(pl.col("times") > 1), on=["order_id", "line_number"])
    return repeated.select(
        pl.col("__line").alias("line"),
        pl.lit("order_id").alias("field"),
        pl.format("{} line {}", "order_id", "line_number").alias("value"),
        pl.format(
            "order {} line {} appears {} times in the file (first on line {})",
            "order_id",
            "line_number",
            "times",
            "first",
        ).alias("reason"),
    ).sort("line")


@pytest.mark.parametrize("colliding", [False, True])
def test_duplicate_keys_equal_a_plain_group_by_even_when_hashes_collide(
    tmp_path, monkeypatch, colliding
):
    if colliding:
        # Every order id of one length shares a hash: only the exact comparison tells
        # SO-1 from SO-2.
        monkeypatch.setattr(validation, "key_hash", lambda text: text.str.len_bytes())
    rows = (
        "K,SO-1,1,2024-01-01,P,1,1,EUR\n"
        "K,SO-2,1,2024-01-01,P,1,1,EUR\n"
        "K,SO-1,2,2024-01-01,P,1,1,EUR\n"
        "K,SO-3,1,2024-01-01,P,1,1,EUR\n"
        "K,SO-1,1,2024-01-01,P,1,1,EUR\n"
        "K,SO-3,1,2024-01-01,P,1,1,EUR\n"
        "K,SO-3,1,2024-01-01,P,1,1,EUR\n"
        "K,,1,2024-01-01,P,1,1,EUR\n"
        "K,,1,2024-01-01,P,1,1,EUR\n"
        "K,SO-10,x,2024-01-01,P,1,1,EUR\n"
        "K,SO-10,x,2024-01-01,P,1,1,EUR\n"
        "K,SO-20,1,2024-01-01,P,1,1,EUR\n"
    )
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + rows)
    checked = checked_lines(scan_order_file(path), ParseRules(source="erp"))

    found = validation.duplicate_keys(checked).collect().sort("line")

    assert found.equals(reference_duplicate_keys(checked))
    assert found["line"].to_list() == [2, 5, 6, 7, 8]
