"""``tenure clv --report``: how well the CLV transaction model predicts a holdout period."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.errors import DomainError
from tenure.ledger import store
from tenure.ledger.clv_report import clv_report, write_tracking_plots
from tenure.ledger.reading import readable_order_file, scan_order_file
from tenure.ledger.validation import ParseRules, checked_lines, field_errors, has_error


class Command(BaseCommand):
    help = (
        "Fit the CLV transaction model on a calibration period and check it on the holdout "
        "against a naive 'calibration rate continues' baseline: parameters with standard "
        "errors, log-likelihood, identification diagnostics, MAE, RMSE, MSLE and bias."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--report", action="store_true", help="print the holdout report")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--file",
            type=Path,
            help="an order-line file (CSV, Parquet, Excel) instead of the installation's ledger",
        )
        parser.add_argument(
            "--map",
            dest="mapping",
            default="",
            help="file columns onto ledger columns, e.g. InvoiceNo=order_id,CustomerID=account_key",
        )
        parser.add_argument("--currency", help="currency of every line when there is no column")
        parser.add_argument("--date-format", help="strftime format of the file's dates")
        parser.add_argument(
            "--calibration-end",
            type=dt.date.fromisoformat,
            help="last day of the calibration period, YYYY-MM-DD (half-way through the data)",
        )
        parser.add_argument(
            "--holdout-end",
            type=dt.date.fromisoformat,
            help="last day of the holdout, YYYY-MM-DD (the last order day)",
        )
        parser.add_argument("--plots", type=Path, metavar="DIR", help="write tracking PNGs here")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["report"] or options["json"]):
            raise CommandError("say what to do: --report (add --json for JSON)")
        try:
            days = (
                _file_purchase_days(
                    options["file"],
                    options["mapping"],
                    ParseRules(
                        source="file",
                        date_format=options["date_format"],
                        currency=options["currency"],
                    ),
                )
                if options["file"]
                else _ledger_purchase_days()
            )
            report = clv_report(
                days,
                calibration_end=options["calibration_end"],
                observation_end=options["holdout_end"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(report.as_text())
        if options["plots"]:
            for path in write_tracking_plots(report, options["plots"]):
                self.stdout.write(f"wrote {path}")


def _purchase_days(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per account and day whose lines add up to a positive amount (a purchase)."""
    return (
        lines.group_by("account_key", "order_date")
        .agg(pl.col("amount").cast(pl.Float64).sum())
        .filter(pl.col("amount") > 0)
        .sort("account_key", "order_date")
    )


def _ledger_purchase_days() -> pl.DataFrame:
    con = store.connect()
    lines = store.order_lines(con).select("account_key", "order_date", "amount")
    return _purchase_days(lines.to_polars())


def _file_purchase_days(path: Path, mapping_text: str, rules: ParseRules) -> pl.DataFrame:
    mapping = dict(
        pair.split("=", 1) for pair in mapping_text.split(",") if pair.strip() and "=" in pair
    )
    with (
        tempfile.TemporaryDirectory() as scratch,
        readable_order_file(path, encoding=None, scratch=Path(scratch)) as readable,
    ):
        checked = checked_lines(
            scan_order_file(readable, mapping=mapping),
            rules,
        ).collect()
    bad = checked.filter(has_error())
    if bad.height:
        first = field_errors(bad.lazy()).collect().row(0, named=True)
        raise CommandError(
            f"{path.name}: {bad.height:,} line(s) cannot be read; first at line "
            f"{first['line']}, {first['field']} {first['value']!r}: {first['reason']}"
        )
    return _purchase_days(checked.select("account_key", "order_date", "amount"))
