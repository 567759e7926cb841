"""Open an order-line file (CSV, Parquet, Excel) as a lazy frame with the ledger's column names.

Nothing here parses values: CSV columns stay text, Parquet and Excel columns keep the types
the file gives them, and `tenure.ledger.validation` turns each into the ledger's types.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from tenure.core.column_map import DROP
from tenure.core.errors import DomainError
from tenure.core.table_files import (
    CSV_SUFFIXES,
    UNREADABLE,
    TableFileError,
    check_formula_cells,
    csv_as_utf8,
    sniff_separator,
)

#: Columns an order-line file may carry, under their ledger names.
INPUT_COLUMNS = (
    "account_key",
    "order_id",
    "line_number",
    "order_date",
    "product_id",
    "product_category",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    # Not stored in the ledger: they name and place accounts the import creates in the CRM.
    "account_name",
    "country",
    # A ledger export says which system its lines came from: it must agree with --source.
    "source",
)
REQUIRED_COLUMNS = ("account_key", "order_id", "order_date", "product_id")
#: 1-based record number in the file, the header being line 1 (as a spreadsheet shows it).
LINE = "__line"

PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls"}


class OrderFileError(DomainError):
    """The file as a whole cannot be imported: unreadable, or a needed column is missing."""


@contextlib.contextmanager
def readable_order_file(path: Path, *, encoding: str | None, scratch: Path) -> Iterator[Path]:
    """``path`` itself, checked as UTF-8 when it is a CSV file, or a UTF-8 copy of it when
    ``encoding`` names another encoding (kept in ``scratch`` until the block ends).

    Raises
    ------
    OrderFileError
        The CSV file is not UTF-8 (and no encoding was named), or not in the one named.
    """
    if path.suffix.lower() not in CSV_SUFFIXES or not path.is_file():
        yield path
        return
    try:
        with csv_as_utf8(path, encoding=encoding, scratch=scratch) as readable:
            yield readable
    except TableFileError as error:
        raise OrderFileError(error.message, field="path") from error


def scan_order_file(
    path: Path, *, mapping: Mapping[str, str] | None = None, sheet: str | None = None
) -> pl.LazyFrame:
    """The file's rows with a ``__line`` number and the ledger's column names.

    Parameters
    ----------
    path
        A ``.csv`` (separator sniffed from the header: comma, semicolon or tab), ``.parquet``
        or ``.xlsx`` file.
    mapping
        File column → ledger column, e.g. ``{"InvoiceNo": "order_id"}``. Columns already
        named like the ledger's need no entry; other columns are ignored.
    sheet
        Excel sheet name; the first sheet when omitted.

    Raises
    ------
    OrderFileError
        Unknown file type, a mapped column missing from the file, a mapping onto an unknown
        ledger column, or a required column missing after mapping.
    """
    if not path.is_file():
        raise OrderFileError(f"{path} does not exist or is not a file", field="path")
    frame = _scan(path, sheet=sheet)
    names = frame.collect_schema().names()
    rename = _resolve_mapping(names, dict(mapping or {}))
    missing = [column for column in REQUIRED_COLUMNS if column not in rename.values()]
    if missing:
        raise OrderFileError(
            f"{path.name} has no column for {', '.join(missing)}; its columns are "
            f"{', '.join(names)}. Name them with --map FILE_COLUMN=LEDGER_COLUMN.",
            field=missing[0],
        )
    if not {"amount"} <= set(rename.values()) and not {"quantity", "unit_price"} <= set(
        rename.values()
    ):
        raise OrderFileError(
            f"{path.name} needs an amount column, or quantity and unit_price columns",
            field="amount",
        )
    return (
        frame.with_row_index(LINE, offset=2)
        .select(pl.col(LINE).cast(pl.Int64), *(pl.col(f).alias(t) for f, t in rename.items()))
        # Blank lines (spreadsheets' trailing rows) are no order lines and no errors either.
        .filter(~pl.all_horizontal(pl.exclude(LINE).is_null()))
    )


def _scan(path: Path, *, sheet: str | None) -> pl.LazyFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return pl.scan_csv(
                path,
                separator=sniff_separator(path),
                # Text in, so that numbers and dates are parsed by our rules, not guessed.
                infer_schema=False,
                # Strict: `readable_order_file` has checked the bytes (or made a UTF-8 copy);
                # read lossily, a Latin-1 "KÖLN-1" became a phantom account "K�LN-1".
                encoding="utf8",
                with_column_names=lambda names: [n.strip().lstrip("\ufeff") for n in names],
            )
        if suffix in PARQUET_SUFFIXES:
            parquet = pl.scan_parquet(path)
            parquet.collect_schema()  # reads the footer: a damaged file fails here, by name
            return parquet
        if suffix in EXCEL_SUFFIXES:
            check_formula_cells(path, sheet=sheet)
            # Excel cannot be streamed; a sheet holds at most about a million rows anyway.
            frame = pl.read_excel(
                path,
                sheet_name=sheet,
                engine="calamine",
                infer_schema_length=None,
                # Keep empty rows so __line matches the row number Excel shows.
                drop_empty_rows=False,
            )
            return frame.rename({n: n.strip() for n in frame.columns}).lazy()
    except TableFileError as error:
        raise OrderFileError(error.message, field="path") from error
    except UNREADABLE as error:
        raise OrderFileError(
            f"cannot read {path.name}: {_first_line(error)}. Is it a complete {suffix} file?",
            field="path",
        ) from error
    raise OrderFileError(
        f"{path.name}: unknown file type {suffix!r}; use .csv, .parquet or .xlsx", field="path"
    )


def _first_line(error: BaseException) -> str:
    return str(error).strip().split("\n")[0]


def _resolve_mapping(names: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """File column → ledger column for every column the import will read.

    A column mapped to ``-`` (`tenure.core.column_map.DROP`) is left out, as in every import.
    """
    dropped = {source for source, target in mapping.items() if target == DROP}
    unknown_targets = sorted(set(mapping.values()) - set(INPUT_COLUMNS) - {DROP})
    if unknown_targets:
        raise OrderFileError(
            f"--map names unknown ledger column(s) {', '.join(unknown_targets)}; "
            f"ledger columns are {', '.join(INPUT_COLUMNS)}",
            field="mapping",
        )
    absent = [source for source in mapping if source not in names]
    if absent:
        raise OrderFileError(
            f"--map names column(s) {', '.join(absent)} that the file does not have; "
            f"its columns are {', '.join(names)}",
            field="mapping",
        )
    rename = {source: target for source, target in mapping.items() if source not in dropped}
    for name in names:
        if name in INPUT_COLUMNS and name not in mapping and name not in mapping.values():
            rename[name] = name
    targets = list(rename.values())
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        raise OrderFileError(
            f"more than one file column maps to {', '.join(doubled)}", field="mapping"
        )
    return rename
