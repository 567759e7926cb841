"""``tenure import rates FILE --reporting EUR``: the user's currency rates for the ledger.

The file is a CSV table with the columns ``currency`` and ``rate_to_reporting`` (units of
the reporting currency for one unit of the line's currency); it replaces the stored rates
as a whole. See docs/ledger.md ("Currencies").
"""

from __future__ import annotations

import argparse
import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenure.core.errors import DomainError
from tenure.core.table_files import check_utf8
from tenure.ledger.rates import currency_rates_replace

COLUMNS = ("currency", "rate_to_reporting")


def rates_read(path: Path) -> dict[str, Decimal]:
    """The rates of a ``currency,rate_to_reporting`` CSV file, by currency code.

    Raises
    ------
    DomainError
        A column is missing, a rate is not a number, or a currency appears twice.
    """
    check_utf8(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise DomainError(
                f"{path.name} needs the columns {', '.join(COLUMNS)}; missing {', '.join(missing)}",
                field="file",
            )
        reader.fieldnames = header
        rates: dict[str, Decimal] = {}
        for number, row in enumerate(reader, start=2):
            code = (row["currency"] or "").strip().upper()
            if not code:
                continue
            if code in rates:
                raise DomainError(f"line {number}: {code} appears twice", field="file")
            try:
                rates[code] = Decimal((row["rate_to_reporting"] or "").strip())
            except InvalidOperation:
                raise DomainError(
                    f"line {number}: the rate of {code} is not a number", field="file"
                ) from None
    return rates


class RatesImport:
    """Store the rates that convert the ledger's currencies to the reporting currency."""

    help = "currency rates to the reporting currency (CSV: currency,rate_to_reporting)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.description = (
            "Replace the currency rates with a CSV table (columns currency,rate_to_reporting: "
            "units of the reporting currency for one unit of the currency). The next "
            "`tenure score` converts every order line to the reporting currency with them."
        )
        parser.add_argument("file", type=Path, help="a .csv file")
        parser.add_argument("--reporting", required=True, help="the reporting currency, e.g. EUR")

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            stored = currency_rates_replace(reporting=options["reporting"], rates=rates_read(path))
        except DomainError as error:
            raise CommandError(error.message) from error
        command.stdout.write(
            f"Stored {stored} rate{'s' if stored != 1 else ''} to "
            f"{options['reporting'].strip().upper()}; the next `tenure score` uses them."
        )
