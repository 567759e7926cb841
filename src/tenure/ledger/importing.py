"""Import order lines from a CSV, Parquet or Excel file into the ledger.

The import runs in three passes, none of which holds the file in Python objects:

1. **validate** — Polars streams the file, parses every field and writes the parsed lines
   with their problems to a scratch Parquet file (``TENURE_HOME/tmp``);
2. **check** — duplicate natural keys within the file and, with
   ``unknown_accounts="reject"``, account keys the CRM store does not know, become problems
   too. All problems go to ``<file>.rejects.csv``. More bad rows than ``max_errors`` stops
   the import here, before anything is written;
3. **write** — unknown accounts are created in the CRM store (``"create"``), then the good
   lines are staged next to the ledger and inserted with an anti-join on the natural key
   ``(source, order_id, line_number)``, in one ledger transaction (an empty ledger takes
   them as they are).

Two checks keep one order from being counted twice under two sources (re-importing a ledger
export under another ``--source`` once doubled every revenue figure): a file with its own
``source`` column must agree with ``source``, else nothing is read further; and new lines
identical to lines another source already holds (same account, order, date, product and
amount) stop the import unless ``allow_other_source_duplicates`` says they are meant.

Write order: the CRM accounts are created inside a Django transaction that stays open while
the ledger transaction runs (side by side: the two stores are written at the same time, and
the ledger commits only once the accounts are written); the ledger commits first, then the
CRM store. A failed ledger write therefore rolls the new accounts back, and failed accounts
roll the ledger back. Should the CRM commit itself fail after the
ledger committed, importing the same file again creates the missing accounts and adds no
lines, because unknown accounts are looked up for every good line of the file, not only
the new ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import polars as pl
import pyarrow.parquet as pq
from django.db import transaction
from ibis.backends import BaseBackend

from tenure.accounts.models import Account
from tenure.accounts.services import account_create_from_keys
from tenure.core.csv_cells import safe_text_columns
from tenure.core.errors import DomainError
from tenure.core.scratch import scratch_folder
from tenure.ledger import store
from tenure.ledger.reading import LINE, OrderFileError, readable_order_file, scan_order_file
from tenure.ledger.validation import (
    FILE_SOURCE,
    ParseRules,
    checked_lines,
    duplicate_keys,
    field_errors,
)

#: Receives a line of text to show, as ``tenure.demo.load`` and the scoring run do.
Progress = Callable[[str], None]
UnknownAccounts = Literal["create", "reject"]
#: How many problems a report carries for display; the rejects file has them all.
SAMPLE_PROBLEMS = 20
_PART_ROWS = 1_000_000
_CRM_LOOKUP_CHUNK = 5_000
#: What makes two lines of different sources the same line of the same order.
SAME_LINE = ("account_key", "order_id", "order_date", "product_id", "amount")
#: How many examples a refusal names.
_EXAMPLES = 5
# Ragged CSV lines are only noticed when every column is parsed, so pass 1 keeps them all.
_PARSE_EVERY_COLUMN = pl.QueryOptFlags(projection_pushdown=False)
# Scratch files live for one import and are read back at once: LZ4 writes faster than the
# default zstd and the few extra megabytes do not matter.
_SCRATCH_COMPRESSION: Literal["lz4"] = "lz4"


@dataclass(frozen=True)
class RowProblem:
    """One reason one line was refused: a row of the rejects file."""

    line: int
    field: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f" {self.value!r}"
        return f"line {self.line}, {self.field}{shown}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    """What an import read, refused and wrote.

    ``rows_already_imported`` counts good lines whose natural key was in the ledger before;
    ``rows_changed`` is the part of those whose content differs from the stored line (the
    stored line is kept: an import never rewrites history). ``rows_in_other_sources``
    counts new lines identical to a line of another source (`SAME_LINE`), imported because
    the caller allowed it.
    """

    path: Path
    source: str
    rows_read: int
    rows_rejected: int
    rows_imported: int = 0
    rows_already_imported: int = 0
    rows_changed: int = 0
    rows_in_other_sources: int = 0
    accounts_created: int = 0
    rejects_path: Path | None = None
    problems: tuple[RowProblem, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)
    #: CPU seconds per stage, every thread of the process (Polars's, DuckDB's) counted.
    cpu_seconds: dict[str, float] = field(default_factory=dict)


class TooManyBadRows(DomainError):
    """More bad rows than allowed: nothing was imported. ``report`` says what was found."""

    def __init__(self, report: ImportReport, max_errors: int) -> None:
        listed = "".join(f"\n  {problem}" for problem in report.problems[:5])
        super().__init__(
            f"{report.rows_rejected:,} of {report.rows_read:,} rows are bad, more than the "
            f"{max_errors:,} allowed (--max-errors): nothing was imported. Every problem is "
            f"listed in {report.rejects_path} (line, field, value, reason). First ones:{listed}",
            field="max_errors",
        )
        self.report = report


class SourceMismatch(DomainError):
    """The file's own ``source`` column names another system than the import's source."""

    def __init__(self, source: str, disagreeing: pl.DataFrame, path: Path) -> None:
        rows = int(disagreeing["lines"].sum())
        values = ", ".join(
            f"{row['value']!r} ({row['lines']:,} lines, first on line {row['first_line']})"
            for row in disagreeing.head(_EXAMPLES).iter_rows(named=True)
        )
        hint = (
            f" If the lines come from {disagreeing['value'][0]!r}, import them with "
            f"--source {disagreeing['value'][0]}; if they are already in the ledger, there "
            "is nothing to import."
            if disagreeing.height == 1
            else ""
        )
        super().__init__(
            f"{path.name} says its lines come from another source than {source!r}: its "
            f"source column holds {values}. Importing {rows:,} lines under {source!r} would "
            f"count them as new lines of another system: nothing was imported.{hint}",
            field="source",
        )
        self.disagreeing = disagreeing


class OtherSourceDuplicates(DomainError):
    """New lines equal to lines another source holds: importing them would count them twice."""

    def __init__(
        self, source: str, lines: int, sources: list[str], examples: list[dict[str, Any]]
    ) -> None:
        others = ", ".join(repr(other) for other in sources)
        shown = "".join(
            f"\n  order {e['order_id']} line {e['line_number']}: account {e['account_key']}, "
            f"{e['order_date']}, product {e['product_id']}, amount {e['amount']} "
            f"(already under source {e['other_source']!r})"
            for e in examples
        )
        super().__init__(
            f"{lines:,} lines of the file are already in the ledger under another source "
            f"({others}): same account, order, date, product and amount. Importing them under "
            f"{source!r} would count that revenue twice: nothing was imported. If they really "
            f"are other lines, import again with --allow-other-source-duplicates. "
            f"First ones:{shown}",
            field="source",
        )
        self.lines = lines
        self.sources = sources
        self.examples = examples


def import_orders(
    path: str | Path,
    *,
    source: str,
    con: BaseBackend | None = None,
    mapping: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal_comma: bool = False,
    currency: str | None = None,
    unknown_accounts: UnknownAccounts = "create",
    max_errors: int = 0,
    sheet: str | None = None,
    encoding: str | None = None,
    allow_other_source_duplicates: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate an order-line file and add its new lines to the ledger, all or nothing.

    Parameters
    ----------
    path
        ``.csv``, ``.parquet`` or ``.xlsx`` file.
    source
        The system the lines come from; part of each line's natural key. A file with a
        ``source`` column of its own must hold this name (or blanks) in it.
    con
        Ledger connection; `tenure.ledger.store.connect` () when omitted. Its schema is
        created if missing.
    mapping
        File column → ledger column (``{"InvoiceNo": "order_id"}``).
    date_format
        ``strftime`` format of text dates (``"%m/%d/%Y %H:%M"``); ISO dates always parse.
    decimal_comma
        Text numbers use a decimal comma (``1.234,50``).
    currency
        Currency of every line when the file has no currency column.
    unknown_accounts
        ``"create"`` makes a CRM account for each unknown account key (named by the mapped
        ``account_name`` column, else by the key); ``"reject"`` makes their lines bad rows.
    max_errors
        How many bad rows may be left out; more stops the import with nothing written.
    sheet
        Excel sheet name.
    encoding
        Encoding of a CSV file when it is not UTF-8 (``"latin-1"``, ``"cp1252"``); a CSV file
        that is not valid UTF-8 is refused without it.
    allow_other_source_duplicates
        Import new lines even when another source already holds a line with the same
        account, order, date, product and amount (`SAME_LINE`); without it such lines stop
        the import, since they are most often the same lines imported twice.
    progress
        Called with a line of text as the import advances: rows validated (every million),
        checked, staged (PostgreSQL, every million) and written.

    Raises
    ------
    OrderFileError
        The file cannot be read, is not UTF-8 (or the named encoding), holds formulas
        without calculated values, or lacks a required column.
    TooManyBadRows
        More bad rows than ``max_errors``; the rejects file lists them.
    SourceMismatch
        The file's ``source`` column names another source.
    OtherSourceDuplicates
        New lines match lines of another source and ``allow_other_source_duplicates`` is
        false. Nothing was written.
    """
    path = Path(path)
    report_progress = progress or (lambda _: None)
    if unknown_accounts not in ("create", "reject"):
        raise DomainError("unknown_accounts must be 'create' or 'reject'", field="unknown_accounts")
    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        raise DomainError(f"currency {currency!r} is not a 3-letter code", field="currency")
    if not source.strip():
        raise DomainError("the source name cannot be empty", field="source")
    if max_errors < 0:
        raise DomainError("max_errors cannot be negative", field="max_errors")
    rules = ParseRules(
        source=source.strip(),
        date_format=date_format,
        decimal_comma=decimal_comma,
        currency=currency,
    )
    rejects_path = path.with_name(path.name + ".rejects.csv")
    times = _StageTimes()
    with (
        scratch_folder("import") as scratch,
        readable_order_file(path, encoding=encoding, scratch=scratch) as readable,
    ):
        checked_folder = scratch / "checked"
        with times.stage("validate"):
            rows_read = _validate(readable, mapping, sheet, rules, checked_folder, report_progress)
        with times.stage("check"):
            checked = pl.scan_parquet(checked_folder / "*.parquet")
            _refuse_other_file_source(checked, rules.source, path)
            problems = _problems(checked, scratch)
            unknown = _unknown_accounts(checked, problems)
            if unknown_accounts == "reject" and unknown.height:
                problems = _add_unknown_account_problems(checked, problems, unknown, scratch)
            rows_rejected = _write_rejects(problems, rejects_path)
            report_progress(f"  checked {rows_read:,} rows")
        report = ImportReport(
            path=path,
            source=rules.source,
            rows_read=rows_read,
            rows_rejected=rows_rejected,
            rejects_path=rejects_path if rows_rejected else None,
            problems=_sample(problems),
            seconds=times.wall,
            cpu_seconds=times.cpu,
        )
        if rows_rejected > max_errors:
            raise TooManyBadRows(report, max_errors)
        if rows_rejected:
            good = scratch / "good"
            good.mkdir()
            with times.stage("stage"):
                lines = _good(checked, problems).select(store.STAGED_COLUMNS)
                lines.sink_parquet(good / "lines.parquet", compression=_SCRATCH_COMPRESSION)
        else:
            # Nothing to leave out: the ledger reads the validated parts as they are.
            good = checked_folder
        new_accounts = unknown if unknown_accounts == "create" else unknown.clear()
        ledger = con or store.connect(on_wait=report_progress)
        try:
            created, counts = _write(
                ledger,
                good,
                new_accounts,
                report_progress,
                times,
                source=rules.source,
                allow_other_source_duplicates=allow_other_source_duplicates,
            )
        finally:
            if con is None:
                # A DuckDB file has one writer process at a time: do not keep it open.
                ledger.disconnect()
    return dataclasses.replace(
        report,
        rows_imported=rows_read - rows_rejected - counts["already"],
        rows_already_imported=counts["already"],
        rows_changed=counts["changed"],
        rows_in_other_sources=counts["other_sources"],
        accounts_created=created,
    )


@dataclass
class _StageTimes:
    """Wall and CPU seconds per stage, filled in as the import runs."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str, *, thread_only: bool = False) -> Iterator[None]:
        """Time the block; ``thread_only`` counts this thread's CPU, not the process's
        (for a stage that runs beside another)."""
        clock = time.thread_time if thread_only else time.process_time
        started, cpu = time.perf_counter(), clock()
        try:
            yield
        finally:
            self.wall[name] = round(time.perf_counter() - started, 3)
            self.cpu[name] = round(clock() - cpu, 3)


def _validate(
    path: Path,
    mapping: Mapping[str, str] | None,
    sheet: str | None,
    rules: ParseRules,
    folder: Path,
    progress: Progress,
) -> int:
    """Pass 1: parse and check every line into Parquet parts in ``folder``; count the rows."""
    checked = checked_lines(scan_order_file(path, mapping=mapping, sheet=sheet), rules)
    folder.mkdir()

    def next_part(args: Any) -> Path:
        # Polars opens a part when the previous one is full: the only progress signal a
        # native streaming sink gives (a Python callback per batch is three times slower).
        if args.index_in_partition:
            progress(f"  validated {args.index_in_partition * _PART_ROWS:,} rows")
        return folder / f"part-{args.index_in_partition:05d}.parquet"

    parts = pl.PartitionBy(
        folder,
        file_path_provider=next_part,
        max_rows_per_file=_PART_ROWS,
        approximate_bytes_per_file=2**40,
    )
    try:
        checked.sink_parquet(
            parts, compression=_SCRATCH_COMPRESSION, optimizations=_PARSE_EVERY_COLUMN
        )
    except pl.exceptions.PolarsError as error:
        message = str(error).split("\n")[0]
        if "more fields than" in message:
            # Polars's own advice (truncate the lines) would silently shift values.
            message = "a line has more fields than the header (a value with an unquoted comma?)"
        raise OrderFileError(f"cannot read {path.name}: {message}", field="path") from error
    files = sorted(folder.glob("*.parquet"))
    if not files:
        # An empty file still needs the schema for the passes that follow.
        pl.DataFrame(schema=checked.collect_schema()).write_parquet(folder / "part-00000.parquet")
        return 0
    rows = sum(pq.ParquetFile(file).metadata.num_rows for file in files)
    progress(f"  validated {rows:,} rows")
    return rows


def _refuse_other_file_source(checked: pl.LazyFrame, source: str, path: Path) -> None:
    """Raise `SourceMismatch` when the file's own source column names another source."""
    disagreeing = (
        checked.filter(pl.col(FILE_SOURCE).is_not_null() & (pl.col(FILE_SOURCE) != source))
        .group_by(pl.col(FILE_SOURCE).alias("value"))
        .agg(pl.len().alias("lines"), pl.col(LINE).min().alias("first_line"))
        .sort("first_line")
        .collect()
    )
    if disagreeing.height:
        raise SourceMismatch(source, disagreeing, path)


def _problems(checked: pl.LazyFrame, scratch: Path) -> pl.LazyFrame:
    """Field problems and duplicate keys, written once and scanned by the later steps."""
    target = scratch / "problems.parquet"
    pl.concat([field_errors(checked), duplicate_keys(checked)]).sink_parquet(target)
    return pl.scan_parquet(target)


def _good(checked: pl.LazyFrame, problems: pl.LazyFrame) -> pl.LazyFrame:
    # The usual clean file: no anti-join of every line against nothing (a Parquet row
    # count is read from the footer).
    if not problems.select(pl.len()).collect().item():
        return checked
    bad_lines = problems.select(pl.col("line").alias(LINE)).unique()
    return checked.join(bad_lines, on=LINE, how="anti")


def _unknown_accounts(checked: pl.LazyFrame, problems: pl.LazyFrame) -> pl.DataFrame:
    """Account keys of good lines with no CRM account, with a name and country for each."""
    names = checked.collect_schema().names()
    firsts = [
        pl.col(column).drop_nulls().first().alias(column)
        for column in ("account_name", "country")
        if column in names
    ]
    accounts = (
        _good(checked, problems).group_by("account_key").agg(firsts).sort("account_key").collect()
    )
    keys = accounts["account_key"].to_list()
    known: set[str | None] = set()  # external_id is nullable, though never null here
    with_ids = Account.objects.filter(external_id__isnull=False).order_by()
    if with_ids.count() <= len(keys):
        # A CRM no larger than the file's key list (a first import): reading its ids at once
        # is cheaper than preparing every key as a query parameter (most of the lookup at
        # 200,000 keys).
        known.update(with_ids.values_list("external_id", flat=True))
    else:
        for start in range(0, len(keys), _CRM_LOOKUP_CHUNK):
            chunk = keys[start : start + _CRM_LOOKUP_CHUNK]
            known.update(
                with_ids.filter(external_id__in=chunk).values_list("external_id", flat=True)
            )
    return accounts.filter(~pl.col("account_key").is_in(list(known)))


def _add_unknown_account_problems(
    checked: pl.LazyFrame, problems: pl.LazyFrame, unknown: pl.DataFrame, scratch: Path
) -> pl.LazyFrame:
    refused = (
        _good(checked, problems)
        .join(unknown.lazy().select("account_key"), on="account_key", how="semi")
        .select(
            pl.col(LINE).alias("line"),
            pl.lit("account_key").alias("field"),
            pl.col("account_key").alias("value"),
            pl.lit("unknown account: no CRM account has this external id").alias("reason"),
        )
    )
    target = scratch / "problems-accounts.parquet"
    pl.concat([problems, refused]).sink_parquet(target)
    return pl.scan_parquet(target)


def _write_rejects(problems: pl.LazyFrame, rejects_path: Path) -> int:
    """Write the rejects file (or remove a stale one); return the number of bad rows."""
    bad_rows = problems.select(pl.col("line").n_unique()).collect().item()
    if bad_rows:
        problems.sort("line", "field").with_columns(safe_text_columns(problems)).sink_csv(
            rejects_path
        )
    else:
        rejects_path.unlink(missing_ok=True)
    return int(bad_rows)


def _sample(problems: pl.LazyFrame) -> tuple[RowProblem, ...]:
    rows = problems.sort("line", "field").head(SAMPLE_PROBLEMS).collect().iter_rows(named=True)
    return tuple(RowProblem(**row) for row in rows)


def _write(
    con: BaseBackend,
    good: Path,
    new_accounts: pl.DataFrame,
    progress: Progress,
    times: _StageTimes,
    *,
    source: str,
    allow_other_source_duplicates: bool,
) -> tuple[int, dict[str, int]]:
    """Create the unknown accounts and insert the new lines; both commit or neither.

    The two go to different stores, so they run side by side: the ledger statements in a
    worker thread (DuckDB, psycopg and Spark release the GIL while they work), the CRM
    accounts in this thread, which owns the Django connection and its open transaction. The
    ledger commits only once the accounts are written; a failure on either side rolls both
    back.
    """
    store.ensure_schema(con)

    def column(name: str) -> list[Any]:
        return new_accounts[name].to_list() if name in new_accounts.columns else []

    keys = new_accounts["account_key"].to_list()
    names = column("account_name") or [None] * len(keys)
    # Already codes: the country column went through the one country parser.
    countries = column("country") or [None] * len(keys)
    rows = [
        ((name or key)[:200], key, country or "")
        for key, name, country in zip(keys, names, countries, strict=True)
    ]

    def insert(before_commit: Callable[[], None] | None = None) -> dict[str, int]:
        return _insert_new_lines(
            con,
            good,
            progress,
            source=source,
            allow_other_source_duplicates=allow_other_source_duplicates,
            before_commit=before_commit or (lambda: None),
            beside=before_commit is not None,
        )

    if not rows:
        # SQLite takes its write lock when a transaction opens: only open one when needed.
        times.wall["accounts"] = times.cpu["accounts"] = 0.0  # no account to create
        with times.stage("write"):
            return 0, insert()
    accounts_written: Future[None] = Future()
    started, cpu = time.perf_counter(), time.process_time()
    with (
        transaction.atomic(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="tenure-ledger") as pool,
    ):
        ledger_done = pool.submit(insert, accounts_written.result)
        with times.stage("accounts", thread_only=True):
            try:
                created = account_create_from_keys(rows=rows)
            except BaseException as error:
                # The ledger side waits for this before committing: it rolls back instead.
                accounts_written.set_exception(error)
                with contextlib.suppress(Exception):
                    ledger_done.result()
                raise
            accounts_written.set_result(None)
        # Raised here, a ledger failure leaves the atomic block: the accounts roll back.
        counts = ledger_done.result()
    # The write ran beside the accounts: its CPU is the process's less the accounts thread's.
    times.wall["write"] = round(time.perf_counter() - started, 3)
    times.cpu["write"] = round(time.process_time() - cpu - times.cpu["accounts"], 3)
    return created, counts


def _insert_new_lines(
    con: BaseBackend,
    good: Path,
    progress: Progress,
    *,
    source: str,
    allow_other_source_duplicates: bool,
    before_commit: Callable[[], None],
    beside: bool,
) -> dict[str, int]:
    name = f"tenure_import_{uuid.uuid4().hex[:12]}"
    imported_at = ibis.literal(store.utc_now(), type=dt.Timestamp(timezone="UTC"))
    with store.ledger_transaction(con):
        try:
            staged = store.stage_parquet(con, good, name=name, progress=_every_million(progress))
            existing = store.order_lines(con)
            if _is_empty(existing):
                # The first import: nothing to overlap with, no other source to match.
                counts = {"already": 0, "changed": 0, "other_sources": 0}
                new = staged
            else:
                counts = _overlap(staged, existing)
                new = staged.anti_join(existing, list(store.NATURAL_KEY))
                counts["other_sources"] = _in_other_sources(
                    new, existing, source=source, refuse=not allow_other_source_duplicates
                )
            with _insert_settings(con, straight_from_files=new is staged, beside=beside):
                con.insert(
                    store.ORDER_LINES, new.mutate(imported_at=imported_at).select(store.COLUMNS)
                )
            before_commit()
        finally:
            # After a failed statement the transaction is aborted and its rollback removes
            # the staged table anyway; only a successful run needs the drop to go through.
            with contextlib.suppress(Exception):
                store.drop_staged(con, name)
    staged_rows = sum(pq.ParquetFile(path).metadata.num_rows for path in good.glob("*.parquet"))
    written = staged_rows - counts["already"]
    progress(f"  written {written:,} new lines")
    return counts


def _is_empty(table: ir.Table) -> bool:
    return not int(table.limit(1).count().to_pyarrow().as_py())


@contextlib.contextmanager
def _insert_settings(
    con: BaseBackend, *, straight_from_files: bool, beside: bool
) -> Iterator[None]:
    """DuckDB settings for the insert, restored afterwards.

    An insert read straight from the staged files drops DuckDB's insertion order: with it
    kept, DuckDB writes such an insert in parallel batches that the commit's checkpoint
    then rewrites (16 CPU-s at 10M lines, more than the insert itself); without it, each
    thread writes whole row groups of its own and the checkpoint has nothing to do. The
    lines' order in the table carries no meaning (every reader groups or sorts).

    ``beside``: the CRM accounts are being written in this process at the same time, so
    DuckDB gets one thread and the accounts the other core. Two DuckDB threads beside them
    cost more CPU (13.8 against 12.2 CPU-s at 10M lines) for no wall time on two cores.
    """
    if con.name != "duckdb":
        yield
        return
    raw = con.con
    changes = {}
    if straight_from_files:
        changes["preserve_insertion_order"] = "false"
    if beside:
        changes["threads"] = "1"
    before = {
        name: raw.execute(f"SELECT current_setting('{name}')").fetchall()[0][0] for name in changes
    }
    for name, value in changes.items():
        raw.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        for name, value in before.items():
            raw.execute(f"SET {name} = {value}")


def _in_other_sources(new: ir.Table, existing: ir.Table, *, source: str, refuse: bool) -> int:
    """How many new lines another source already holds (`SAME_LINE`); raise if ``refuse``.

    Raised inside the ledger transaction, the refusal rolls back the CRM accounts too.
    """
    others = existing.filter(existing.source != source)
    keys = list(SAME_LINE)
    lines = int(new.semi_join(others, keys).count().to_pyarrow().as_py())
    if lines and refuse:
        matched = new.join(others.select(*keys, other_source=others.source), keys)
        example_rows = (
            matched.select(*keys, "line_number", "other_source")
            .order_by(["order_id", "line_number", "other_source"])
            .limit(_EXAMPLES)
            .to_pyarrow()
            .to_pylist()
        )
        sources = (
            matched.select("other_source").distinct().order_by("other_source").limit(10)
        ).to_pyarrow()["other_source"]
        raise OtherSourceDuplicates(source, lines, sources.to_pylist(), example_rows)
    return lines


def _every_million(progress: Progress) -> Callable[[int], None]:
    """Report a running row count once per million rows, not once per batch."""
    shown = 0

    def report(rows: int) -> None:
        nonlocal shown
        if rows // 1_000_000 > shown // 1_000_000:
            progress(f"  staged {rows:,} rows")
            shown = rows

    return report


def _overlap(staged: ir.Table, existing: ir.Table) -> dict[str, int]:
    """How many staged lines are already in the ledger, and how many of those differ."""
    compared = [c for c in store.STAGED_COLUMNS if c not in store.NATURAL_KEY]
    joined = staged.join(existing, list(store.NATURAL_KEY), rname="{name}_stored")
    differs = ibis.or_(*(~joined[c].identical_to(joined[f"{c}_stored"]) for c in compared))
    result = joined.aggregate(
        already=joined.count(), changed=differs.ifelse(1, 0).sum().coalesce(0)
    ).to_pyarrow()
    return {
        "already": int(result["already"][0].as_py()),
        "changed": int(result["changed"][0].as_py()),
    }
