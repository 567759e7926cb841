"""``tenure import orders``: the command-line side of `tenure.ledger.importing`.

The ``import`` management command dispatches to handlers like `OrdersImport` by name (its
``SUBCOMMANDS``); a handler declares its arguments and does its work, as Django's own
commands do, so other apps add ``tenure import accounts`` the same way.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenure.core.column_map import add_map_argument, merged_column_map
from tenure.core.errors import DomainError
from tenure.ledger.importing import ImportReport, import_orders

UCI_EXAMPLE = (
    "tenure import orders online_retail.csv --source uci --currency GBP "
    '--date-format "%m/%d/%Y %H:%M" --max-errors 200000 '
    "--map InvoiceNo=order_id,StockCode=product_id,Quantity=quantity,"
    "InvoiceDate=order_date,UnitPrice=unit_price,CustomerID=account_key,Country=country"
)


class OrdersImport:
    """Load order lines from a CSV, Parquet or Excel file into the revenue ledger."""

    help = "order lines (CSV, Parquet, Excel) into the revenue ledger"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.description = (
            "Validate an order-line file and add its new lines to the revenue ledger, all or "
            "nothing. Bad rows are listed in FILE.rejects.csv. Importing the same file again "
            f"adds nothing. Example (UCI Online Retail): {UCI_EXAMPLE}"
        )
        parser.add_argument("file", type=Path, help="a .csv, .parquet or .xlsx file")
        add_map_argument(parser, example="InvoiceNo=order_id,CustomerID=account_key")
        parser.add_argument(
            "--source",
            default="erp",
            help=(
                "the system the lines come from, part of each line's identity; a file with "
                "a source column must hold this name in it (erp)"
            ),
        )
        parser.add_argument(
            "--allow-other-source-duplicates",
            action="store_true",
            help=(
                "import lines even when another source already has a line with the same "
                "account, order, date, product and amount (refused without it: such lines "
                "would count the same revenue twice)"
            ),
        )
        parser.add_argument(
            "--date-format", help='strftime format of the dates, e.g. "%%d.%%m.%%Y" (ISO)'
        )
        parser.add_argument(
            "--decimal-comma", action="store_true", help="numbers are written 1.234,50"
        )
        parser.add_argument("--currency", help="currency of every line when there is no column")
        parser.add_argument(
            "--unknown-accounts",
            choices=["create", "reject"],
            default="create",
            help="create a CRM account for an unknown account key, or refuse its lines (create)",
        )
        parser.add_argument(
            "--max-errors",
            type=int,
            default=0,
            help="import the good rows if there are at most this many bad rows (0)",
        )
        parser.add_argument("--sheet", help="Excel sheet name (the first sheet)")
        parser.add_argument(
            "--encoding",
            help="encoding of a CSV file that is not UTF-8, e.g. latin-1 or cp1252 (UTF-8)",
        )

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        started = time.perf_counter()
        command.stdout.write(f"Importing order lines from {path}…")
        try:
            report = import_orders(
                path,
                source=options["source"],
                mapping=merged_column_map(options["mapping"]),
                date_format=options["date_format"],
                decimal_comma=options["decimal_comma"],
                currency=options["currency"],
                unknown_accounts=options["unknown_accounts"],
                max_errors=options["max_errors"],
                sheet=options["sheet"],
                encoding=options["encoding"],
                allow_other_source_duplicates=options["allow_other_source_duplicates"],
                progress=command.stdout.write,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        command.stdout.write(_summary(report, time.perf_counter() - started))


def _summary(report: ImportReport, seconds: float) -> str:
    lines = [
        f"Read {report.rows_read:,} rows in {seconds:.1f} s: imported {report.rows_imported:,} "
        f"new lines into the ledger (source {report.source!r})."
    ]
    if report.rows_already_imported:
        changed = (
            f"; {report.rows_changed:,} of them differ from the stored line, which was kept"
            if report.rows_changed
            else ""
        )
        lines.append(f"  {report.rows_already_imported:,} lines were already imported{changed}.")
    if report.rows_in_other_sources:
        lines.append(
            f"  {report.rows_in_other_sources:,} of the new lines equal lines of another source "
            "(imported as --allow-other-source-duplicates asks)."
        )
    if report.accounts_created:
        lines.append(f"  Created {report.accounts_created:,} accounts in the CRM.")
    if report.rows_rejected:
        lines.append(
            f"  Left out {report.rows_rejected:,} bad rows, listed in {report.rejects_path}:"
        )
        lines += [f"    {problem}" for problem in report.problems[:10]]
    return "\n".join(lines)
