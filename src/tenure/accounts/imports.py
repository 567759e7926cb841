"""Import accounts and contacts from CRM exports (CSV or Excel): checked, all or nothing.

Every cell is read as text and parsed here (numbers, yes/no, dates, choices), so a bad
cell is reported with its line (the header is line 1), its column and the reason. The
rows then go to the upsert services (``account_upsert_many``, ``contact_upsert_many``),
which apply the same rules as the rest of Tenure. If any row is bad, nothing is written.
Importing the same file again changes nothing. docs/importing.md is the user's guide.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import models, transaction

from tenure.accounts import upserts
from tenure.accounts.choices import AccountStatus, BuyingRole, Channel, Seniority
from tenure.accounts.countries import country_code
from tenure.core.column_map import DROP, add_map_argument, merged_column_map
from tenure.core.csv_cells import write_csv_rows
from tenure.core.errors import DomainError
from tenure.core.scratch import scratch_folder
from tenure.core.table_files import (
    CSV_SUFFIXES,
    UNREADABLE,
    check_formula_cells,
    csv_as_utf8,
    sniff_separator,
)

#: Reports rows checked so far: ``progress(done, total)``.
Progress = Callable[[int, int], None]
Parser = Callable[[str | None], Any]

_KEEP = object()  # a parser's answer for "leave this field as it is"


# --- Cells ---------------------------------------------------------------------------------


def _text(raw: str | None) -> str:
    return (raw or "").strip()


def _integer(raw: str | None) -> int | None:
    text = _text(raw)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a whole number") from None
    # Spreadsheets store every number as a float: 250.0 is fine, 2.5 is not.
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    return int(number)


def _decimal(raw: str | None) -> Decimal | None:
    text = _text(raw).replace(" ", "").replace("_", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        reason = "use a dot for decimals and no thousands separator" if "," in text else ""
        raise ValueError(f"{text!r} is not a number {reason}".strip()) from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return number


def _country(raw: str | None) -> str:
    # UnknownCountry is a ValueError: reported with the row and column like any bad cell.
    return country_code(raw)


_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0", ""}


def _boolean(raw: str | None) -> bool:
    text = _text(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes/no, true/false or 1/0")


def _date(raw: str | None) -> dt.date | None:
    text = _text(raw)
    if not text:
        return None
    try:
        if len(text) > 10:  # Excel's dates arrive as "2024-03-01 00:00:00"
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def _choice(choices: type[models.TextChoices], *, empty: Any = "") -> Parser:
    """Accept a choice's value or its label, in any case."""
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        lookup[str(label).lower()] = value
        lookup[str(label).lower().replace(" ", "_")] = value

    def parse(raw: str | None) -> Any:
        text = _text(raw)
        if not text:
            return empty
        try:
            return lookup[text.lower()]
        except KeyError:
            expected = ", ".join(choices.values)
            raise ValueError(f"{text!r} is not one of {expected}") from None

    return parse


def _choice_list(choices: type[models.TextChoices]) -> Parser:
    """Several choices in one cell, separated by ``;`` or ``,``."""
    one = _choice(choices)

    def parse(raw: str | None) -> list[str]:
        parts = [p for p in _text(raw).replace(";", ",").split(",") if p.strip()]
        return list(dict.fromkeys(one(part) for part in parts))

    return parse


def _or_keep(parser: Parser) -> Parser:
    """An empty cell leaves the field as it is (or at its default, for a new row)."""

    def parse(raw: str | None) -> Any:
        return _KEEP if not _text(raw) else parser(raw)

    return parse


ACCOUNT_COLUMNS: dict[str, Parser] = {
    "external_id": _text,
    "name": _text,
    "industry": _text,
    "country": _country,
    "region": _text,
    "employees": _integer,
    "founded_year": _integer,
    "website": _text,
    "parent_external_id": _text,
    "status": _or_keep(_choice(AccountStatus)),
    "potential_annual_spend": _decimal,
    "preferred_channels": _choice_list(Channel),
    "characteristics": _text,
    "is_seasonal": _boolean,
    "seasonal_notes": _text,
    "has_international_presence": _boolean,
    "is_entering_new_markets": _boolean,
    "customer_objectives": _text,
    "culture": _text,
    "pain_points": _text,
}
ACCOUNT_REQUIRED = ("external_id", "name")

CONTACT_COLUMNS: dict[str, Parser] = {
    "email": _text,
    "first_name": _text,
    "last_name": _text,
    "phone": _text,
    "preferred_channel": _choice(Channel),
    "birthday": _date,
    "account_external_id": _text,
    "title": _text,
    "department": _text,
    "buying_role": _choice(BuyingRole),
    "seniority": _choice(Seniority),
    "strength": _or_keep(_integer),
    "started_on": _date,
    "left_on": _date,
}
CONTACT_REQUIRED = ("email",)


# --- Files and reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem with the file: its line (header = 1), the column, and why."""

    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, or would do (``dry_run``), or why it wrote nothing (``errors``)."""

    kind: str
    path: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    positions_created: int = 0
    positions_updated: int = 0
    positions_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line for people: what changed, or that nothing was written."""
        name = Path(self.path).name
        if self.errors:
            return f"{name}: {len(self.errors)} problem(s); nothing was written."
        text = (
            f"{name}: {self.rows} row(s): {self.created} {self.kind} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.kind == "contacts":
            text += (
                f"; positions: {self.positions_created} created, "
                f"{self.positions_updated} updated, {self.positions_unchanged} unchanged"
            )
        return text + (" (dry run: nothing was written)." if self.dry_run else ".")

    def write_errors(self, path: str | Path) -> None:
        """Write the problems as CSV: ``line,field,reason`` (the rejects file)."""
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            write_csv_rows(
                handle,
                ["line", "field", "reason"],
                ([error.line or "", error.field or "", error.reason] for error in self.errors),
            )


def read_table(path: str | Path, *, encoding: str | None = None) -> pl.DataFrame:
    """Read a CSV (``,``, ``;`` or tab separated; UTF-8 unless ``encoding`` names another)
    or Excel file, every cell as text. The checks are the order import's too
    (`tenure.core.table_files`): bytes that are not UTF-8, formulas never calculated."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(f"no such file: {path}", field="path")
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            with (
                scratch_folder("import") as scratch,
                csv_as_utf8(path, encoding=encoding, scratch=scratch) as text,
            ):
                return pl.read_csv(
                    text, separator=sniff_separator(text), infer_schema=False, raise_if_empty=False
                )
        if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
            check_formula_cells(path)
            return pl.read_excel(path, infer_schema_length=0, drop_empty_rows=False)
    except ModuleNotFoundError as error:
        raise DomainError(
            f"reading Excel files needs the {error.name} package", field="path"
        ) from error
    except UNREADABLE as error:
        reason = str(error).strip().split("\n")[0]
        raise DomainError(
            f"cannot read {path.name}: {reason}. Is it a complete {suffix} file?", field="path"
        ) from error
    raise DomainError(f"cannot read {suffix or 'extensionless'} files: use CSV or .xlsx")


def _normal(column: str) -> str:
    return column.strip().lower().replace(" ", "_").replace("-", "_")


def _map_columns(
    header: list[str], known: dict[str, Parser], required: tuple[str, ...], mapping: dict[str, str]
) -> tuple[dict[str, str], list[RowError]]:
    """Map the file's columns to Tenure's: ``{file column: Tenure column}``, or header errors.

    Names match ignoring case, spaces and dashes; ``mapping`` renames a column, or drops it
    when mapped to ``-`` or nothing.
    """
    renames = {_normal(source): target.strip() for source, target in mapping.items()}
    errors = [
        RowError(1, source, "--map names a column the file does not have")
        for source in mapping
        if _normal(source) not in {_normal(column) for column in header}
    ]
    columns: dict[str, str] = {}
    unknown = []
    for column in header:
        target = renames.get(_normal(column), _normal(column))
        if target in {"", DROP}:
            continue
        if target not in known:
            unknown.append(column)
        elif target in columns.values():
            errors.append(RowError(1, column, f"a second column for {target}"))
        else:
            columns[column] = target
    if unknown:
        reason = (
            f"unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(known)}. "
            "Rename a column with --map FILE_COLUMN=COLUMN or drop it with --map FILE_COLUMN=-"
        )
        errors.append(RowError(1, None, reason))
    missing = [name for name in required if name not in columns.values()]
    if missing:
        errors.append(RowError(1, None, f"missing required column(s): {', '.join(missing)}"))
    return columns, errors


def _parse_rows(
    frame: pl.DataFrame,
    columns: dict[str, str],
    parsers: dict[str, Parser],
    progress: Progress | None,
) -> tuple[list[dict[str, Any]], list[int], list[RowError]]:
    """Parse every cell; return the rows, each row's line, and the cells that would not parse."""
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    errors: list[RowError] = []
    names = list(columns)
    targets = [(name, columns[name], parsers[columns[name]]) for name in names]
    total = frame.height
    for number, values in enumerate(frame.select(names).iter_rows(), start=1):
        if all(value is None or not str(value).strip() for value in values):
            continue  # a blank line
        row: dict[str, Any] = {}
        for (column, target, parse), value in zip(targets, values, strict=True):
            try:
                parsed = parse(value)
            except ValueError as error:
                errors.append(RowError(number + 1, column, str(error)))
                continue
            if parsed is not _KEEP:
                row[target] = parsed
        rows.append(row)
        lines.append(number + 1)
        if progress is not None and number % 1000 == 0:
            progress(number, total)
    if progress is not None:
        progress(total, total)
    return rows, lines, errors


def _import(
    kind: str,
    path: str | Path,
    *,
    columns: dict[str, Parser],
    required: tuple[str, ...],
    upsert: Callable[..., upserts.UpsertResult],
    mapping: dict[str, str] | None,
    dry_run: bool,
    progress: Progress | None,
    encoding: str | None = None,
) -> ImportReport:
    report = ImportReport(kind=kind, path=str(path), dry_run=dry_run)
    frame = read_table(path, encoding=encoding)
    mapped, report.errors = _map_columns(frame.columns, columns, required, mapping or {})
    if report.errors:
        return report
    rows, lines, errors = _parse_rows(frame, mapped, columns, progress)
    labels = {target: column for column, target in mapped.items()}
    labels["parent"] = labels.get("parent_external_id", "parent")

    def located(problem: upserts.RowProblem) -> RowError:
        line = None if problem.index is None else lines[problem.index]
        name = None if problem.field is None else labels.get(problem.field, problem.field)
        return RowError(line, name, problem.message)

    result = None
    with transaction.atomic():
        try:
            result = upsert(rows=rows)
        except upserts.RowsRefused as refused:
            errors += [located(problem) for problem in refused.problems]
        if errors or dry_run:
            transaction.set_rollback(True)
    report.rows = len(rows)
    report.errors = sorted(set(errors), key=lambda e: (e.line or 0, e.field or "", e.reason))
    if result is None or report.errors:
        return report
    report.created, report.updated = result.created, result.updated
    report.unchanged, report.skipped = result.unchanged, result.skipped
    report.notes = [located(note) for note in result.notes]
    if result.positions is not None:
        report.positions_created = result.positions.created
        report.positions_updated = result.positions.updated
        report.positions_unchanged = result.positions.unchanged
    return report


def import_accounts(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Create or update accounts from a file, matched on ``external_id``; all or nothing.

    Columns: ``external_id`` and ``name`` (required), then any of ``ACCOUNT_COLUMNS``;
    ``mapping`` renames the file's columns (``{"Customer no": "external_id"}``) or drops
    them (``"-"``). Returns the report; ``report.errors`` lists every bad cell or row.
    """
    return _import(
        "accounts",
        path,
        columns=ACCOUNT_COLUMNS,
        required=ACCOUNT_REQUIRED,
        upsert=upserts.account_upsert_many,
        mapping=mapping,
        dry_run=dry_run,
        progress=progress,
        encoding=encoding,
    )


def import_contacts(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Create or update people from a file, matched on email; all or nothing.

    Columns: ``email`` (required), the person's names and details, and optionally a
    position: ``account_external_id`` with title, department, buying_role, seniority,
    strength, started_on and left_on. One row per person and account.
    """
    return _import(
        "contacts",
        path,
        columns=CONTACT_COLUMNS,
        required=CONTACT_REQUIRED,
        upsert=upserts.contact_upsert_many,
        mapping=mapping,
        dry_run=dry_run,
        progress=progress,
        encoding=encoding,
    )


# --- Command line: `tenure import accounts FILE`, `tenure import contacts FILE` -------------


def _add_arguments(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("file", help=f"CSV or Excel (.xlsx) file of {kind}")
    add_map_argument(parser, example='"Customer no=external_id"')
    parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    parser.add_argument("--errors", metavar="CSV", help="also write the problems to this CSV file")
    parser.add_argument(
        "--encoding", help="encoding of a CSV file that is not UTF-8, e.g. latin-1 (UTF-8)"
    )


def add_accounts_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tenure import accounts``."""
    _add_arguments(parser, "accounts")


def add_contacts_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tenure import contacts``."""
    _add_arguments(parser, "contacts")


#: How many problems a command prints; ``--errors FILE`` has them all.
SHOWN_ERRORS = 50


def _handle(
    importer: Callable[..., ImportReport], options: dict[str, Any], stdout: OutputWrapper
) -> ImportReport:
    mapping = merged_column_map(options.get("mapping"))

    def progress(done: int, total: int) -> None:
        if total >= 20_000 and (done % 10_000 == 0 or done == total):
            stdout.write(f"  {done:,} of {total:,} rows checked")

    try:
        report = importer(
            options["file"],
            mapping=mapping,
            dry_run=bool(options.get("dry_run")),
            progress=progress if options.get("verbosity", 1) >= 1 else None,
            encoding=options.get("encoding"),
        )
    except DomainError as error:
        raise CommandError(error.message) from error
    for note in report.notes:
        stdout.write(f"note: {note}")
    if report.errors:
        for problem in report.errors[:SHOWN_ERRORS]:
            stdout.write(str(problem))
        hidden = len(report.errors) - SHOWN_ERRORS
        if options.get("errors"):
            report.write_errors(options["errors"])
            stdout.write(f"All problems written to {options['errors']}.")
        elif hidden > 0:
            stdout.write(f"… and {hidden} more (use --errors FILE to get them all).")
        raise CommandError(report.summary())
    stdout.write(report.summary())
    return report


def handle_accounts(options: dict[str, Any], stdout: OutputWrapper) -> ImportReport:
    """Run ``tenure import accounts`` with the parsed ``options``; raise CommandError if refused."""
    return _handle(import_accounts, options, stdout)


def handle_contacts(options: dict[str, Any], stdout: OutputWrapper) -> ImportReport:
    """Run ``tenure import contacts`` with the parsed ``options``; raise CommandError if refused."""
    return _handle(import_contacts, options, stdout)


@dataclass(frozen=True)
class CrmImport:
    """A ``tenure import`` subcommand, as the ledger's ``SUBCOMMANDS`` registry expects."""

    help: str
    add: Callable[[argparse.ArgumentParser], None]
    run: Callable[[dict[str, Any], OutputWrapper], ImportReport]

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        self.add(parser)

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        self.run(options, command.stdout)


ACCOUNTS_IMPORT = CrmImport(
    "accounts by external id (CSV, Excel)", add_accounts_arguments, handle_accounts
)
CONTACTS_IMPORT = CrmImport(
    "contacts by email, with their positions (CSV, Excel)", add_contacts_arguments, handle_contacts
)
