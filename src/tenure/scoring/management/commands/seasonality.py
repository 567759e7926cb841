"""``tenure seasonality``: each account's seasonal rhythm, and how well it is forecast."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any, cast

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.accounts.models import Account
from tenure.core.csv_cells import write_frame_csv
from tenure.engagement.seasonal import last_complete_month
from tenure.insights.seasonality import (
    DEFAULT_STRENGTH_THRESHOLD,
    MonthlyPanel,
    backtest,
    monthly_panel,
    seasonal_profile,
)
from tenure.scoring.selectors import stored_panel


def order_lines_panel(path: Path, *, as_of: dt.date | None) -> MonthlyPanel:
    """Monthly revenue per account from an order-line file (Parquet or CSV) with
    ``account_key``, ``order_date`` and ``amount``; the month in progress is left out."""
    try:
        lines = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise CommandError(f"cannot read {path}: {error}") from error
    missing = {"account_key", "order_date", "amount"} - set(lines.columns)
    if missing:
        raise CommandError(f"{path} lacks column(s) {', '.join(sorted(missing))}")
    lines = lines.with_columns(pl.col("order_date").cast(pl.Date))
    end = as_of or lines["order_date"].max()
    if not isinstance(end, dt.date):
        raise CommandError(f"{path} holds no order dates")
    monthly = (
        lines.filter(pl.col("order_date") <= end)
        .group_by("account_key", pl.col("order_date").dt.truncate("1mo").alias("month"))
        .agg(pl.col("amount").cast(pl.Float64).sum().alias("revenue"))
    )
    return monthly_panel(
        monthly,
        account_col="account_key",
        last_month=last_complete_month(end),
    )


class Command(BaseCommand):
    help = (
        "Show each account's seasonal profile (peak months, strength of seasonality) from the "
        "stored monthly revenue, or with --backtest how well the 12-month forecast does on "
        "the last year held out (MASE against the seasonal naive forecast)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backtest", action="store_true", help="hold out the last months and report MASE"
        )
        parser.add_argument(
            "--order-lines",
            type=Path,
            metavar="FILE",
            help="read order lines (Parquet/CSV: account_key, order_date, amount) instead of "
            "the revenue series stored by `tenure score`",
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="with --order-lines: the last day of the history (default: the last order's "
            "date); its month counts only if this is the month's last day",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_STRENGTH_THRESHOLD,
            help="strength of seasonality from which an account is seasonal "
            f"(default {DEFAULT_STRENGTH_THRESHOLD})",
        )
        parser.add_argument(
            "--holdout", type=int, default=12, help="months held out by --backtest (default 12)"
        )
        parser.add_argument("--top", type=int, default=20, help="accounts listed (default 20)")
        parser.add_argument(
            "--csv", type=Path, metavar="FILE", help="write the per-account table to a CSV file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["order_lines"]:
            panel = order_lines_panel(options["order_lines"], as_of=options["as_of"])
            names: dict[object, str] = {}
        else:
            panel = stored_panel()
            # The stored panel is keyed by account id; insights' panels take any key.
            ids = cast("list[int]", panel.account_ids)
            names = dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))
        if not panel.account_ids:
            raise CommandError(
                "no monthly revenue: run `tenure score` first, or pass --order-lines FILE"
            )
        last = panel.month(panel.months - 1)
        self.stdout.write(
            f"{len(panel.account_ids):,} accounts, {panel.months} complete months "
            f"({panel.first_month:%b %Y} – {last:%b %Y})"
        )
        if options["backtest"]:
            self._backtest(panel, options)
        else:
            self._profiles(panel, names, options)
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")

    def _profiles(self, panel: MonthlyPanel, names: dict[object, str], options: Any) -> None:
        threshold = options["threshold"]
        profiles = seasonal_profile(panel, strength_threshold=threshold)
        short = int(profiles["short_history"].sum())
        seasonal = profiles.filter(pl.col("is_seasonal")).sort("strength", descending=True)
        self.stdout.write(
            f"{seasonal.height:,} seasonal (strength ≥ {threshold:.2f}); "
            f"{short:,} with under 24 months of history (no profile)"
        )
        by_peak = seasonal.group_by("peak_label").len().sort("len", descending=True)
        for label, count in by_peak.head(8).iter_rows():
            self.stdout.write(f"  {count:>6,}  peak {label or '—'}")
        if options["top"]:
            self.stdout.write("")
            self.stdout.write(f"{'account':<40} {'strength':>8}  peak")
            for row in seasonal.head(options["top"]).iter_rows(named=True):
                name = names.get(row["account_id"], str(row["account_id"]))
                self.stdout.write(
                    f"{name[:40]:<40} {row['strength']:>8.2f}  {row['peak_label'] or '—'}"
                )
        if options["csv"]:
            table = profiles.with_columns(
                pl.col("indices")
                .list.eval(pl.element().round(3))
                .cast(pl.List(pl.String))
                .list.join(" "),
                pl.col("peak_months").cast(pl.List(pl.String)).list.join(" "),
            )
            write_frame_csv(table, options["csv"])
            self.stdout.write(f"Profiles written to {options['csv']}")

    def _backtest(self, panel: MonthlyPanel, options: Any) -> None:
        holdout = options["holdout"]
        if panel.months < 24 + holdout:
            raise CommandError(
                f"a backtest needs {24 + holdout} complete months (24 to fit, {holdout} held "
                f"out); there are {panel.months}. Keep more months in the revenue series, or "
                "pass --order-lines FILE with --as-of the last day of a month."
            )
        result = backtest(panel, holdout=holdout, strength_threshold=options["threshold"])
        if result.accounts.height == 0:
            raise CommandError("no account has the history a backtest needs")
        self.stdout.write(
            f"Backtest: fit on all but the last {options['holdout']} months, forecast them; "
            f"{result.accounts.height:,} accounts scored, {result.skipped:,} skipped "
            f"(short history, no revenue in the last fitted year, or constant revenue)."
        )
        self.stdout.write(
            "MASE: mean absolute error over the held-out months / in-sample seasonal naive MAE."
        )
        header = (
            f"{'method':<14}{'accounts':>9}{'MASE mean':>11}{'median':>8}"
            f"{'naive mean':>12}{'median':>8}{'beats naive':>13}{'PI cover':>10}"
        )
        self.stdout.write(header)
        for row in result.summary.iter_rows(named=True):
            coverage = "—" if row["coverage"] is None else f"{row['coverage']:.0%}"
            self.stdout.write(
                f"{row['method']:<14}{row['accounts']:>9,}{row['mase_mean']:>11.3f}"
                f"{row['mase_median']:>8.3f}{row['naive_mean']:>12.3f}{row['naive_median']:>8.3f}"
                f"{row['beats_naive']:>13.0%}{coverage:>10}"
            )
        self.stdout.write(
            f"Prediction intervals: {result.level:.0%} nominal. "
            f"Fitting and forecasting took {result.seconds:.1f} s."
        )
        if options["csv"]:
            write_frame_csv(result.accounts, options["csv"])
            self.stdout.write(f"Per-account results written to {options['csv']}")
