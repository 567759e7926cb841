"""Parse and check order lines as Polars expressions, one column at a time.

Every check is vectorised: a file of ten million lines stays ten million values per column
in Arrow buffers, never ten million Python objects. Each field yields its parsed value and,
where it fails, an ``__error_<field>`` reason and the offending ``__value_<field>`` text,
which become the rows of the rejects file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from tenure.accounts.countries import country_table
from tenure.ledger.reading import INPUT_COLUMNS, LINE

#: Parsing scale: wide enough that rounding to cents happens once, at the end.
WORK = pl.Decimal(28, 8)
QUANTITY = pl.Decimal(18, 3)
MONEY = pl.Decimal(18, 2)
MAX_KEY_LENGTH = 100  # Account.external_id's length in the CRM store.
#: The largest unit price or line amount, either way, in the line's currency. Far above any
#: real order line, yet low enough that no account's sum of lines can reach what the scoring
#: run stores (`tenure.core.numbers.DERIVED_MONEY`); a typo of many nines is refused here.
MAX_LINE_AMOUNT = Decimal("1000000000")
#: Fields whose problems are reported, in the order the rejects file lists them.
CHECKED_FIELDS = (
    "account_key",
    "order_id",
    "line_number",
    "order_date",
    "product_id",
    "quantity",
    "unit_price",
    "amount",
    "currency",
)
#: Fields with an error and a value column: the checked ones and the country of an account
#: the import may create, read by the one country parser (`tenure.accounts.countries`).
REPORTED_FIELDS = (*CHECKED_FIELDS, "country")
# Thousands separators are accepted only where they cannot be a decimal mark in disguise:
# "1,234.50" is fine, "12,50" without --decimal-comma is refused instead of read as 1250.
_POINT_NUMBER = r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d*)?$|^[+-]?\.\d+$"
_COMMA_NUMBER = r"^[+-]?(\d+|\d{1,3}([. \u00a0\u202f]\d{3})+)(,\d*)?$|^[+-]?,\d+$"
# Excel and pandas write whole-number ids as floats ("17850.0"); they are the same id.
_FLOAT_ID = r"^(\d+)\.0+$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
_MIN_YEAR, _MAX_YEAR = 1900, 2200
#: The file's own ``source`` column, kept apart from the ``source`` the import writes.
FILE_SOURCE = "__file_source"
_COUNTRY_CODE = "__country_code"
_MONEY_FIELDS = frozenset({"unit_price", "amount"})
_OUTSIDE = f"outside ±{MAX_LINE_AMOUNT:,.2f}, the largest amount an order line may have"


@dataclass(frozen=True)
class ParseRules:
    """How to read the file's text: its date format, decimal mark, and defaults."""

    source: str
    date_format: str | None = None
    decimal_comma: bool = False
    currency: str | None = None


def error_column(field: str) -> str:
    return f"__error_{field}"


def value_column(field: str) -> str:
    return f"__value_{field}"


def checked_lines(raw: pl.LazyFrame, rules: ParseRules) -> pl.LazyFrame:
    """Parse every field of ``raw`` (from `scan_order_file`) and mark what fails.

    The work is done in steps of ``with_columns`` that refer to the previous step's columns
    by name: written as one nested expression, Polars would evaluate shared parts (the
    trimmed text, the parsed number) once per use.

    Returns
    -------
    pl.LazyFrame
        ``__line``, the staged ledger columns (``account_key`` … ``source``), the optional
        ``account_name`` and ``country``, the file's own source (`FILE_SOURCE`, null when
        the file has no such column), and an error and value column per checked field.
    """
    schema = raw.collect_schema()
    present = [name for name in INPUT_COLUMNS if name in schema]
    # A typed cell (a Parquet date, integer or decimal) is its own "text": casting ten million
    # of them to strings only to test for blanks cost a fifth of the pass. Where a reason
    # shows one, `field_errors` prints it as the same text.
    texts = raw.with_columns(
        (pl.col(name) if _typed(name, schema) else _trimmed(name)).alias(_text(name))
        for name in present
    )
    parsed = texts.with_columns(
        _parse_ids(schema)
        + _parse_date(schema, rules)
        + _parse_line_number(schema)
        + [_parse_number(name, schema, rules) for name in ("quantity", "unit_price", "amount")]
        + _parse_currency(schema, rules)
        + [_parse_country(schema)]
    )
    exact_amount = pl.coalesce(pl.col(_number("amount")), _computed_amount())
    scaled = parsed.with_columns(
        _round(pl.col(_number("quantity")), 3, QUANTITY).alias("quantity"),
        _round(pl.col(_number("unit_price")), 2, MONEY).alias("unit_price"),
        exact_amount.alias(_number("exact_amount")),
        _round(exact_amount, 2, MONEY).alias("amount"),
    )
    checked = (
        scaled.with_columns(_errors(schema, rules))
        .with_columns(_amount_error(schema, rules))
        .with_columns(
            pl.when(pl.col(error_column(name)).is_not_null())
            .then(pl.col(_text(name)) if name in schema else pl.lit(None, dtype=pl.String))
            .alias(value_column(name))
            for name in REPORTED_FIELDS
        )
    )
    category = pl.col(_text("product_category")) if "product_category" in schema else None
    extras = []
    if "account_name" in schema:
        extras.append(pl.col(_text("account_name")).alias("account_name"))
    if "country" in schema:
        extras.append(pl.col(_COUNTRY_CODE).alias("country"))
    return checked.select(
        LINE,
        *CHECKED_FIELDS[:5],
        # Without a category, each product is its own category (documented).
        pl.coalesce(category, pl.col("product_id")).alias("product_category")
        if category is not None
        else pl.col("product_id").alias("product_category"),
        *CHECKED_FIELDS[5:],
        pl.lit(rules.source).alias("source"),
        (pl.col(_text("source")) if "source" in schema else pl.lit(None, dtype=pl.String)).alias(
            FILE_SOURCE
        ),
        *extras,
        *(error_column(name) for name in REPORTED_FIELDS),
        *(value_column(name) for name in REPORTED_FIELDS),
    )


def has_error() -> pl.Expr:
    """True for a row with any field error."""
    return pl.any_horizontal(pl.col(error_column(f)).is_not_null() for f in REPORTED_FIELDS)


def field_errors(checked: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (line, field) problem: ``line``, ``field``, ``value``, ``reason``."""
    return pl.concat(
        [
            checked.filter(pl.col(error_column(field)).is_not_null()).select(
                pl.col(LINE).alias("line"),
                pl.lit(field).alias("field"),
                pl.col(value_column(field)).cast(pl.String).alias("value"),
                pl.col(error_column(field)).alias("reason"),
            )
            for field in REPORTED_FIELDS
        ]
    )


def duplicate_keys(checked: pl.LazyFrame) -> pl.LazyFrame:
    """Every line whose order id and line number occur more than once in the file.

    All copies are refused, not just the later ones: the file does not say which is right.
    The lines are first grouped on a 64-bit hash of the order id with the line number
    (integers group about twice as fast as ten million texts); only the few lines that share
    a hash are then grouped on the real key, so two order ids that merely hash alike are
    never taken for one.
    """
    keyed = checked.filter(
        pl.col(error_column("order_id")).is_null() & pl.col(error_column("line_number")).is_null()
    ).select(LINE, "order_id", "line_number", key_hash(pl.col("order_id")).alias("__key_hash"))
    shared_hash = (
        keyed.group_by("__key_hash", "line_number")
        .agg(pl.len().alias("times"))
        .filter(pl.col("times") > 1)
        .select("__key_hash", "line_number")
    )
    suspects = keyed.join(shared_hash, on=["__key_hash", "line_number"], how="semi").select(
        LINE, "order_id", "line_number"
    )
    repeated = (
        suspects.group_by("order_id", "line_number")
        .agg(pl.len().alias("times"), pl.col(LINE).min().alias("first"))
        .filter(pl.col("times") > 1)
    )
    return suspects.join(repeated, on=["order_id", "line_number"]).select(
        pl.col(LINE).alias("line"),
        pl.lit("order_id").alias("field"),
        pl.format("{} line {}", "order_id", "line_number").alias("value"),
        pl.format(
            "order {} line {} appears {} times in the file (first on line {})",
            "order_id",
            "line_number",
            "times",
            "first",
        ).alias("reason"),
    )


def key_hash(text: pl.Expr) -> pl.Expr:
    """A 64-bit hash of a key, to group on before the exact comparison."""
    return text.hash()


def _text(name: str) -> str:
    """The cell as read: trimmed text (null when blank), or the value of a `_typed` column."""
    return f"__text_{name}"


def _typed(name: str, schema: pl.Schema) -> bool:
    """Whether the file's column already holds the field's type, so no text is parsed.

    Only where going through text could not change the result: a date or datetime for the
    date, an integer for the line number (a decimal 3.50 must still be refused), an integer
    or decimal for the numbers. Ids always go through text (``17850.0`` is ``17850``).
    """
    if name not in schema:
        return False
    dtype = schema[name]
    if name == "order_date":
        return dtype == pl.Date or isinstance(dtype, pl.Datetime)
    if name == "line_number":
        return dtype.is_integer()
    return name in ("quantity", "unit_price", "amount") and _is_exact_number(dtype)


def _number(name: str) -> str:
    return f"__number_{name}"


def _trimmed(name: str) -> pl.Expr:
    """The column as trimmed text; empty text is missing."""
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def _parse_ids(schema: pl.Schema) -> list[pl.Expr]:
    columns = []
    for name in ("account_key", "order_id", "product_id"):
        text = pl.col(_text(name)) if name in schema else pl.lit(None, dtype=pl.String)
        # Account keys are the ids most often exported as floats (a numeric CustomerID);
        # order and product ids only need it when the column itself is float.
        if name == "account_key" or (name in schema and schema[name].is_float()):
            text = _without_float_zeros(text)
        columns.append(text.alias(name))
    return columns


def _without_float_zeros(text: pl.Expr) -> pl.Expr:
    """``17850.0`` → ``17850``; any other text as it is.

    A regex replace with a capture group runs the slow matcher on every value (a fifth of
    the validation of 10M lines); the match test alone runs the fast one, and the rare
    matches drop their zeros without a capture.
    """
    return (
        pl.when(text.str.contains(_FLOAT_ID)).then(text.str.replace(r"\.0+$", "")).otherwise(text)
    )


def _parse_date(schema: pl.Schema, rules: ParseRules) -> list[pl.Expr]:
    dtype = schema["order_date"]
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return [pl.col("order_date").cast(pl.Date).alias("order_date")]
    text = pl.col(_text("order_date"))
    # ISO dates always parse, with or without a time: Excel renders date cells that way.
    iso = pl.when(text.str.contains(_ISO_DATE)).then(
        text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    )
    if rules.date_format:
        given = text.str.to_datetime(rules.date_format, strict=False, exact=True).dt.date()
        return [pl.coalesce(given, iso).alias("order_date")]
    return [iso.alias("order_date")]


def _parse_line_number(schema: pl.Schema) -> list[pl.Expr]:
    if "line_number" not in schema:
        # Position of the line within its order, in file order: the same file always gives
        # the same numbers, so importing it again finds the same natural keys.
        return [pl.col(LINE).rank("ordinal").over("order_id").cast(pl.Int32).alias("line_number")]
    cell = pl.col(_text("line_number"))
    if not _typed("line_number", schema):
        cell = _without_float_zeros(cell)
    number = cell.cast(pl.Int64, strict=False)
    valid = number.is_between(1, 2**31 - 1)
    return [pl.when(valid).then(number).cast(pl.Int32).alias("line_number")]


def _parse_number(name: str, schema: pl.Schema, rules: ParseRules) -> pl.Expr:
    """The field at working scale; null when missing or not a number."""
    if name not in schema:
        return pl.lit(None, dtype=WORK).alias(_number(name))
    dtype = schema[name]
    if _is_exact_number(dtype):
        return pl.col(name).cast(WORK, strict=False).alias(_number(name))
    text = pl.col(_text(name))
    # Typed float cells (Excel, Parquet) print with a decimal point whatever the file's text.
    if rules.decimal_comma and not dtype.is_float():
        pattern = _COMMA_NUMBER
        cleaned = text.str.replace_all(r"[. \u00a0\u202f]", "").str.replace(",", ".", literal=True)
    else:
        pattern = _POINT_NUMBER
        cleaned = text.str.replace_all(",", "", literal=True)
    value = pl.when(text.str.contains(pattern)).then(cleaned).cast(WORK, strict=False)
    return value.alias(_number(name))


def _is_exact_number(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or isinstance(dtype, pl.Decimal)


def _parse_currency(schema: pl.Schema, rules: ParseRules) -> list[pl.Expr]:
    default = pl.lit(rules.currency.upper() if rules.currency else None, dtype=pl.String)
    if "currency" not in schema:
        return [default.alias("currency")]
    return [pl.coalesce(pl.col(_text("currency")).str.to_uppercase(), default).alias("currency")]


def _parse_country(schema: pl.Schema) -> pl.Expr:
    """The alpha-2 code of the country text; null when blank or unknown."""
    if "country" not in schema:
        return pl.lit(None, dtype=pl.String).alias(_COUNTRY_CODE)
    table = country_table()
    return (
        pl.col(_text("country"))
        .str.to_uppercase()
        .replace_strict(list(table), list(table.values()), default=None, return_dtype=pl.String)
        .alias(_COUNTRY_CODE)
    )


def _computed_amount() -> pl.Expr:
    # From the unrounded price: 3 × 0.333 is 1.00, not 0.99.
    return pl.col(_number("quantity")) * pl.col(_number("unit_price"))


def _round(value: pl.Expr, scale: int, dtype: pl.Decimal) -> pl.Expr:
    # Commercial rounding, half away from zero (0.005 → 0.01), as invoices round; a value
    # too large for its column becomes null and is reported as such.
    return value.round(scale, mode="half_away_from_zero").cast(dtype, strict=False)


def _errors(schema: pl.Schema, rules: ParseRules) -> list[pl.Expr]:
    """The first reason each field fails, or null."""

    def missing(name: str) -> pl.Expr:
        return pl.col(name).is_null()

    def text(name: str) -> pl.Expr:
        return pl.col(_text(name)) if name in schema else pl.lit(None, dtype=pl.String)

    date = pl.col("order_date")
    expected = (
        "the format of --date-format or YYYY-MM-DD"
        if rules.date_format
        else "the format YYYY-MM-DD (see --date-format)"
    )
    errors = {
        "account_key": pl.when(missing("account_key"))
        .then(pl.lit("missing account key"))
        .when(pl.col("account_key").str.len_chars() > MAX_KEY_LENGTH)
        .then(pl.lit(f"account key longer than {MAX_KEY_LENGTH} characters")),
        "order_id": pl.when(missing("order_id")).then(pl.lit("missing order id")),
        "product_id": pl.when(missing("product_id")).then(pl.lit("missing product id")),
        "order_date": pl.when(text("order_date").is_null() & missing("order_date"))
        .then(pl.lit("missing order date"))
        .when(missing("order_date"))
        .then(pl.lit(f"not a date in {expected}"))
        # A year like 0201 or 20201 is a typo, not history.
        .when(~date.dt.year().is_between(_MIN_YEAR, _MAX_YEAR))
        .then(pl.lit(f"date outside the years {_MIN_YEAR}–{_MAX_YEAR}")),
        "line_number": pl.when(text("line_number").is_null() & missing("line_number"))
        .then(pl.lit("missing line number"))
        .when(missing("line_number"))
        .then(pl.lit("not a whole number from 1 up")),
        "quantity": _number_error("quantity", "quantity", schema, rules),
        "unit_price": _number_error("unit_price", "unit_price", schema, rules),
        "currency": pl.when(missing("currency"))
        .then(pl.lit("missing currency (map a currency column or pass --currency)"))
        .when(~pl.col("currency").str.contains(r"^[A-Z]{3}$"))
        .then(pl.lit("not a 3-letter currency code")),
    }
    # The country only names the country of an account the import creates: a revenue line is
    # never refused for it (real exports hold "Channel Islands", "European Community"…); an
    # unknown one leaves that account's country blank.
    errors["country"] = pl.lit(None, dtype=pl.String)
    return [errors[name].alias(error_column(name)) for name in REPORTED_FIELDS if name != "amount"]


def _amount_error(schema: pl.Schema, rules: ParseRules) -> pl.Expr:
    """Why the amount fails; not reported again when a bad quantity or price is the cause."""
    exact = pl.col(_number("exact_amount"))
    given = _number_error("amount", "amount", schema, rules)
    inputs_bad = (
        pl.col(error_column("quantity")).is_not_null()
        | pl.col(error_column("unit_price")).is_not_null()
    )
    return (
        pl.when(given.is_not_null())
        .then(given)
        .when(inputs_bad)
        .then(pl.lit(None, dtype=pl.String))
        .when(exact.is_null())
        .then(pl.lit("missing amount, and no quantity and unit price to compute it"))
        .when(pl.col("amount").is_null() | (pl.col("amount").abs() > MAX_LINE_AMOUNT))
        .then(pl.lit(_OUTSIDE))
        .alias(error_column("amount"))
    )


def _number_error(name: str, stored: str, schema: pl.Schema, rules: ParseRules) -> pl.Expr:
    if name not in schema:
        return pl.lit(None, dtype=pl.String)
    text = pl.col(_text(name))
    not_a_number = pl.lit(False)
    if not _is_exact_number(schema[name]):
        not_a_number = text.is_not_null() & pl.col(_number(name)).is_null()
    # A typed number prints without a comma: only text can hint at a decimal comma.
    hint = (
        pl.lit(False)
        if rules.decimal_comma or _typed(name, schema)
        else text.str.contains(",", literal=True)
    )
    return (
        pl.when(not_a_number & hint)
        .then(pl.lit("not a number (decimal comma? see --decimal-comma)"))
        .when(not_a_number)
        .then(pl.lit("not a number"))
        .when(pl.col(_number(name)).is_not_null() & pl.col(stored).is_null())
        .then(pl.lit("number too large"))
        .when(pl.lit(name in _MONEY_FIELDS) & (pl.col(stored).abs() > MAX_LINE_AMOUNT))
        .then(pl.lit(_OUTSIDE))
    )
