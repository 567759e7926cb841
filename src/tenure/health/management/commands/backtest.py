"""``tenure backtest``: how well churn risk would have worked, on rolling past cut-offs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.errors import DomainError
from tenure.health.backtest_figures import calibration_figure, lift_figure
from tenure.health.engagement_features import load_crm_events
from tenure.health.point_in_time import History
from tenure.health.risk_training import ledger_end, rolling_backtest, train_risk
from tenure.health.services import (
    churn_definition_current,
    health_scorecard_current,
    risk_model_save,
)
from tenure.ledger import store
from tenure.ledger.rates import ledger_in_reporting_currency


class Command(BaseCommand):
    help = (
        "Backtest the churn-risk model on rolling past cut-offs against two baselines "
        "(recency alone and the health score): ROC-AUC, PR-AUC, top-decile lift and Brier "
        "score, with a calibration plot and a lift chart as PNG. Features come strictly from "
        "before each cut-off, outcomes from the horizon after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the last day of data to use, YYYY-MM-DD (the ledger's last order date)",
        )
        parser.add_argument("--folds", type=int, default=4, help="evaluation cut-offs (4)")
        parser.add_argument(
            "--every", type=int, default=90, help="days between evaluation cut-offs (90)"
        )
        parser.add_argument(
            "--cutoffs",
            type=int,
            default=None,
            help="training cut-offs per fold, a month apart (by portfolio size: 4 to 24)",
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="folder for backtest.csv and the PNG figures (TENURE_HOME/reports)",
        )
        parser.add_argument(
            "--truth",
            type=Path,
            default=None,
            help="CSV with account_key and churn_date to evaluate against as well "
            "(TENURE_HOME/demo/ground_truth.csv when it exists)",
        )
        parser.add_argument(
            "--save",
            action="store_true",
            help="then train the model on the latest cut-offs and save it for `tenure score`",
        )
        parser.add_argument("--ledger-url", default=None, help="ledger URL (settings)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (7)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = self.stdout.write
        con = store.connect(options["ledger_url"])
        try:
            # Amounts in one currency, as the scoring run sums them (every line's currency).
            lines, _ = ledger_in_reporting_currency(
                store.order_lines(con), as_of=options["as_of"] or dt.date.max
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        history = History(lines, load_crm_events())
        as_of = options["as_of"] or ledger_end(history)
        if not isinstance(as_of, dt.date):
            raise CommandError("the ledger holds no order lines")
        definition = churn_definition_current()
        _, scorecard = health_scorecard_current()
        folds, every = int(options["folds"]), int(options["every"])
        last = as_of + dt.timedelta(days=1 - definition.horizon_days)
        cutoffs = [last - dt.timedelta(days=every * k) for k in range(folds)]
        truth = self._truth(options["truth"])
        seed = int(options["seed"])
        out(
            f"Backtest on data to {as_of}: {folds} cut-offs every {every} days, "
            f"horizon {definition.horizon_days} days"
            + (", with the recorded ground truth" if truth is not None else "")
        )
        try:
            result = rolling_backtest(
                history,
                evaluation_cutoffs=cutoffs,
                definition=definition,
                scorecard=scorecard,
                truth=truth,
                seed=seed,
                training_count=options["cutoffs"],
                step_days=30 if options["cutoffs"] else None,
                progress=out,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        folder = Path(options["out"] or Path(settings.HOME) / "reports")
        folder.mkdir(parents=True, exist_ok=True)
        result.metrics.write_csv(folder / "backtest.csv")
        self._table(result.metrics)
        calibration = calibration_figure(result.pooled, folder / "calibration.png")
        lift = lift_figure(result.pooled, folder / "lift.png")
        out(f"Wrote {folder / 'backtest.csv'}, {calibration} and {lift}")
        if options["save"]:
            trained = train_risk(history, as_of=as_of, definition=definition, seed=seed)
            path = risk_model_save(trained.model, definition=definition, about=trained.describe())
            out(f"Saved the model trained on {trained.rows:,} rows to {path}")

    def _truth(self, path: Path | None) -> pl.DataFrame | None:
        candidate = path or Path(settings.HOME) / "demo" / "ground_truth.csv"
        if not candidate.exists():
            if path is not None:
                raise CommandError(f"{path} does not exist")
            return None
        truth = pl.read_csv(candidate, try_parse_dates=True)
        missing = {"account_key", "churn_date"} - set(truth.columns)
        if missing:
            raise CommandError(f"{candidate} needs the column(s) {', '.join(sorted(missing))}")
        return truth.with_columns(pl.col("churn_date").cast(pl.Date))

    def _table(self, metrics: pl.DataFrame) -> None:
        out = self.stdout.write
        pooled = metrics.filter(pl.col("cutoff") == "all")
        header = f"  {'outcome':<14}{'score':<10}{'ROC-AUC':>9}{'PR-AUC':>9}{'lift@10%':>10}"
        out("")
        out(f"All cut-offs pooled ({int(pooled['n'][0]):,} account-cut-offs):")
        out(header + f"{'Brier':>9}")
        for row in pooled.iter_rows(named=True):
            brier = f"{row['brier']:>9.4f}" if row["brier"] is not None else f"{'—':>9}"
            out(
                f"  {row['outcome']:<14}{row['score']:<10}{row['roc_auc']:>9.3f}"
                f"{row['pr_auc']:>9.3f}{row['top_decile_lift']:>10.2f}{brier}"
            )
        out("")
