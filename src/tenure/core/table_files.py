"""What every import checks before it reads a CSV or Excel file, in one place.

- **CSV is UTF-8**, or in the encoding the user names (``--encoding latin-1``). Read lossily,
  a Latin-1 ``KÖLN-1`` became the account key ``K�LN-1``: a phantom account. An invalid byte
  is refused with its line, before anything is parsed.
- **Excel formulas hold a computed value.** A program that writes ``.xlsx`` files (not Excel)
  stores a formula with no value, or with 0 and a flag asking the spreadsheet to calculate
  on opening; read as they are, amounts became 0.00 and account keys "0". Such cells are
  refused with their row and column.

The accounts and contacts import (`tenure.accounts.imports`) and the order-line import
(`tenure.ledger.reading`) both call `csv_as_utf8`, `sniff_separator` and
`check_formula_cells`.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree

import polars as pl
from fastexcel import FastExcelError

from tenure.core.errors import DomainError

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
#: Excel files kept as zipped XML, whose formulas can be inspected.
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
#: How many bad cells a message lists.
SHOWN = 10
_CHUNK = 1 << 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


#: What reading a damaged or truncated file raises (a bad zip, a Parquet file cut short…);
#: both imports turn these into a message naming the file instead of a traceback.
UNREADABLE = (
    OSError,
    ValueError,
    zipfile.BadZipFile,
    pl.exceptions.PolarsError,
    FastExcelError,
)


class TableFileError(DomainError):
    """The file cannot be imported as it is: wrong encoding, uncalculated formulas."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="path")


# --- CSV --------------------------------------------------------------------------------


def check_utf8(path: Path) -> None:
    """Refuse ``path`` unless it is UTF-8 text (a byte-order mark is fine).

    Raises
    ------
    TableFileError
        Naming the line of the first invalid byte, the byte and the line as far as it reads.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                data = error.object
                before = data[: error.start]
                start = before.rfind(b"\n") + 1
                end = data.find(b"\n", error.start)
                shown = data[start : end if end >= 0 else len(data)][:80]
                text = shown.decode("utf-8", "replace").strip()
                where = line + before.count(b"\n")
                raise TableFileError(
                    f"{path.name}, line {where}: not UTF-8 text (byte "
                    f"0x{data[error.start]:02x} in “{text}”). "
                    "Save the file as “CSV UTF-8”, or name its encoding, e.g. --encoding latin-1."
                ) from None
            line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise TableFileError(
            f"{path.name}, line {line}: not UTF-8 text (the file ends inside a character). "
            "Save the file as “CSV UTF-8”, or name its encoding, e.g. --encoding latin-1."
        ) from None


@contextlib.contextmanager
def csv_as_utf8(path: Path, *, encoding: str | None = None, scratch: Path) -> Iterator[Path]:
    """``path`` checked as UTF-8, or, with another ``encoding``, a UTF-8 copy in ``scratch``.

    The copy is removed on leaving the ``with`` block.

    Raises
    ------
    TableFileError
        Not UTF-8 (no encoding given), an unknown encoding, or bytes the encoding refuses.
    """
    name = _codec(encoding)
    if name == "utf-8":
        check_utf8(path)
        yield path
        return
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="utf8-", dir=scratch) as folder:
        copy = Path(folder) / path.name
        try:
            with (
                path.open(encoding=name, newline="") as source,
                copy.open("w", encoding="utf-8", newline="") as target,
            ):
                shutil.copyfileobj(source, target, _CHUNK)
        except UnicodeDecodeError as error:
            raise TableFileError(
                f"{path.name} is not {encoding} text ({error.reason} at byte {error.start} of "
                "a block); check --encoding"
            ) from None
        yield copy


def _codec(encoding: str | None) -> str:
    if not encoding:
        return "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise TableFileError(
            f"unknown encoding {encoding!r}; use e.g. utf-8, latin-1 or cp1252"
        ) from None
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


def sniff_separator(path: Path) -> str:
    """The header line's most frequent of comma, semicolon and tab."""
    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8", errors="replace")
    return max((",", ";", "\t"), key=header.count)


# --- Excel ------------------------------------------------------------------------------


def check_formula_cells(path: Path, *, sheet: str | None = None) -> None:
    """Refuse formula cells of the sheet whose value no spreadsheet has calculated.

    A formula without a stored value, or any formula in a workbook flagged "calculate when
    opened" (how programs that write ``.xlsx`` leave them: the stored 0 is no result), would
    otherwise import as empty or 0. Formulas Excel or LibreOffice saved with their results
    are fine. Only ``.xlsx``/``.xlsm`` files are inspected.

    Raises
    ------
    TableFileError
        Listing the cells (``row 3, column B``), the first `SHOWN` of them.
    """
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return
    try:
        with zipfile.ZipFile(path) as book:
            sheet_path, never_calculated = _sheet_part(book, sheet)
            if sheet_path is None:
                return  # an unknown sheet is reported by the reader
            with book.open(sheet_path) as handle:
                if not _mentions_formulas(handle):
                    return
            with book.open(sheet_path) as handle:
                cells = _uncalculated(handle, everything=never_calculated)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return  # not a readable workbook: the reader says so in its own words
    if cells:
        listed = "; ".join(f"row {row}, column {column}" for row, column in cells[:SHOWN])
        more = f" and {len(cells) - SHOWN:,} more" if len(cells) > SHOWN else ""
        raise TableFileError(
            f"{path.name}: {len(cells):,} formula cell(s) hold no calculated value ({listed}"
            f"{more}); they would import as 0 or empty. Open the file in Excel or LibreOffice "
            "and save it (which calculates them), or paste the values in place of the formulas."
        )


def _sheet_part(book: zipfile.ZipFile, sheet: str | None) -> tuple[str | None, bool]:
    """The zip path of ``sheet`` (the first when None), and whether the workbook was never
    calculated."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    calc = workbook.find(f"{_MAIN}calcPr")
    never_calculated = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
    sheets = workbook.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None:
        return None, never_calculated
    relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(
        (
            r.get("Target", "")
            for r in relations.findall(f"{_PACKAGE_REL}Relationship")
            if r.get("Id") == chosen.get(f"{_REL}id")
        ),
        "",
    )
    part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return part, never_calculated


def _mentions_formulas(handle: IO[bytes]) -> bool:
    # A cheap byte scan first: most exports hold no formula at all.
    tail = b""
    while chunk := handle.read(_CHUNK):
        window = tail + chunk
        if any(mark in window for mark in (b"<f>", b"<f ", b":f>", b":f ")):
            return True
        tail = chunk[-8:]
    return False


_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _uncalculated(handle: IO[bytes], *, everything: bool) -> list[tuple[int, str]]:
    cells = []
    for _, element in ElementTree.iterparse(handle, events=("end",)):
        if element.tag != f"{_MAIN}c":
            continue
        formula = element.find(f"{_MAIN}f")
        if formula is not None:
            value = element.find(f"{_MAIN}v")
            if everything or value is None or not (value.text or "").strip():
                match = _REFERENCE.fullmatch(element.get("r", ""))
                if match:
                    cells.append((int(match.group(2)), match.group(1)))
        element.clear()
    return cells
