"""Cells of every CSV file Tenure writes for people to open in a spreadsheet.

Text that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one)
is a formula to Excel and LibreOffice: an account named ``=HYPERLINK("http://…","Click")``
or a rejected cell ``=cmd|' /C calc'!A0`` would run when the file is opened (CSV
injection, OWASP). Such text is written with a leading apostrophe, which spreadsheets show
as plain text. Numbers stay numbers: only text is touched, so a negative amount is still
``-5``.

Every export calls these: the survey answers (web), ``tenure segment --csv``, the
seasonality tables, the rejects files of both imports.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def csv_cell(value: object) -> object:
    """``value`` as a spreadsheet will read it as text: formulas neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv_rows(
    handle: SupportsWrite[str], header: Iterable[object], rows: Iterable[Iterable[object]]
) -> None:
    """A header and rows through `csv_cell` into ``handle``."""
    writer = csv.writer(handle)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def safe_text_columns(frame: pl.DataFrame | pl.LazyFrame) -> list[pl.Expr]:
    """`csv_cell` for each text column of a Polars frame, as expressions."""
    schema = frame.collect_schema()
    return [
        pl.when(pl.col(name).str.contains(_FORMULA_PATTERN))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in schema.items()
        if dtype == pl.String
    ]


def write_frame_csv(frame: pl.DataFrame, path: str | Path) -> None:
    """``frame`` as CSV at ``path``, its text neutralised."""
    frame.with_columns(safe_text_columns(frame)).write_csv(path)
