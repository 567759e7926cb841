"""``tenure backtest``: how well churn risk would have worked, on rolling past cut-offs.

The work is in :mod:`tenure.health.backtest_run`; this reads the ledger and prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.errors import DomainError
from tenure.health.backtest_figures import calibration_figure, lift_figure
from tenure.health.backtest_records import backtest_record_save, risk_model_label
from tenure.health.backtest_report import draft_note, metrics_lines, weights_lines
from tenure.health.backtest_run import Backtest, run_backtest, weights_from_backtest
from tenure.health.engagement_features import load_crm_events
from tenure.health.history_plan import configured_min_history, training_plan
from tenure.health.point_in_time import History
from tenure.health.risk_training import ledger_end, ledger_start, train_risk
from tenure.health.scorecard_drafts import health_scorecard_draft
from tenure.health.services import (
    churn_definition_current,
    health_scorecard_current,
    risk_model_save,
)
from tenure.insights.backtest import leakage_warnings
from tenure.insights.health import Scorecard
from tenure.insights.risk import DEFAULT_LOOKBACK_DAYS, plan_for_history
from tenure.ledger import store
from tenure.ledger.rates import ledger_in_reporting_currency


class Command(BaseCommand):
    help = (
        "Backtest the churn-risk model on rolling past cut-offs under two labels (the churn "
        "settings' definition and the standard one: no order in the horizon, among the "
        "year's buyers) against three baselines (recency alone, the health score and a "
        "logistic regression on the same features): ROC-AUC, PR-AUC, top-decile lift and "
        "Brier score, with a calibration plot and a lift chart as PNG. Features come "
        "strictly from before each cut-off, outcomes from the horizon after it. A short "
        "ledger gets fewer folds, a shorter horizon and history, and says so."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the last day of data to use, YYYY-MM-DD (the ledger's last order date)",
        )
        parser.add_argument(
            "--folds", type=int, default=4, help="evaluation cut-offs (4; fewer on a short ledger)"
        )
        parser.add_argument(
            "--every", type=int, default=90, help="days between evaluation cut-offs (90)"
        )
        parser.add_argument(
            "--horizon",
            type=int,
            default=None,
            help="days ahead the labels look (the churn settings'; shorter on a short ledger)",
        )
        parser.add_argument(
            "--min-history",
            type=int,
            default=None,
            help="days of orders before a training cut-off (TENURE_RISK_MIN_HISTORY_DAYS, "
            "180; down to 90 on a short ledger)",
        )
        parser.add_argument(
            "--lookback",
            type=int,
            default=DEFAULT_LOOKBACK_DAYS,
            help="standard label: accounts that ordered in this many days before the "
            f"cut-off ({DEFAULT_LOOKBACK_DAYS})",
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
            "--suggest-weights",
            action="store_true",
            help="learn health scorecard weights from the backtest and show them beside the "
            "current ones, with both weightings' ROC-AUC",
        )
        parser.add_argument(
            "--draft",
            metavar="VERSION",
            default=None,
            help="with --suggest-weights: store the suggested weights as a draft scorecard "
            "version (not in force until a director adopts it in the admin)",
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
        if options["draft"] and not options["suggest_weights"]:
            raise CommandError("--draft needs --suggest-weights")
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
        start = ledger_start(history)
        if not isinstance(as_of, dt.date) or start is None:
            raise CommandError("the ledger holds no order lines")
        definition = churn_definition_current()
        _, scorecard = health_scorecard_current()
        try:
            plan = plan_for_history(
                start,
                as_of,
                horizon_days=options["horizon"] or definition.horizon_days,
                min_history_days=options["min_history"] or configured_min_history(),
                folds=int(options["folds"]),
                every_days=int(options["every"]),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        truth = self._truth(options["truth"])
        seed = int(options["seed"])
        out(
            f"Backtest on data from {start} to {as_of}: {plan.folds} cut-off(s) every "
            f"{plan.every_days} days, horizon {plan.horizon_days} days, at least "
            f"{plan.min_history_days} days of history before a training cut-off"
            + (", with the recorded ground truth" if truth is not None else "")
        )
        for note in plan.notes:
            out(f"  chose {note}")
        try:
            result = run_backtest(
                history,
                plan=plan,
                definition=definition,
                scorecard=scorecard,
                last_day=as_of,
                truth=truth,
                training_count=options["cutoffs"],
                step_days=30 if options["cutoffs"] else None,
                lookback_days=int(options["lookback"]),
                seed=seed,
                progress=out,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        folder = Path(options["out"] or Path(settings.HOME) / "reports")
        folder.mkdir(parents=True, exist_ok=True)
        result.metrics.write_csv(folder / "backtest.csv")
        for line in metrics_lines(
            result.metrics, horizon=plan.horizon_days, lookback=int(options["lookback"])
        ):
            out(line)
        for warning in leakage_warnings(result.metrics):
            self.stderr.write(f"Warning: {warning}")
        figures = result.predictions.with_columns(
            pl.col("model_churned").alias("risk"),
            pl.col("logistic_churned").alias("logistic"),
            pl.col("recency").alias("days_since_last_order"),
        )
        calibration = calibration_figure(figures, folder / "calibration.png")
        lift = lift_figure(figures, folder / "lift.png")
        out(f"Wrote {folder / 'backtest.csv'}, {calibration} and {lift}")
        try:
            record = backtest_record_save(
                as_of=as_of,
                scorecard_version=scorecard.version,
                model_version=risk_model_label(),
                plan={
                    "folds": plan.folds,
                    "every_days": plan.every_days,
                    "horizon_days": plan.horizon_days,
                    "min_history_days": plan.min_history_days,
                    "lookback_days": int(options["lookback"]),
                    "notes": list(plan.notes),
                },
                metrics=result.metrics,
                calibration_png=calibration,
                lift_png=lift,
            )
        except ValueError as error:
            raise CommandError(f"the backtest was not kept for the app: {error}") from error
        out(f'Kept as backtest #{record.pk} for the page "How good are our scores?"')
        if options["suggest_weights"]:
            self._weights(result, scorecard, options["draft"])
        if options["save"]:
            try:
                trained_plan, trained_definition = training_plan(
                    history,
                    as_of=as_of,
                    definition=definition,
                    min_history_days=options["min_history"],
                )
                trained = train_risk(
                    history,
                    as_of=as_of,
                    definition=trained_definition,
                    min_history_days=trained_plan.min_history_days,
                    seed=seed,
                )
            except ValueError as error:
                raise CommandError(str(error)) from error
            path = risk_model_save(
                trained.model, definition=trained_definition, about=trained.describe()
            )
            out(f"Saved the model trained on {trained.rows:,} rows to {path}")

    def _weights(self, result: Backtest, scorecard: Scorecard, draft: str | None) -> None:
        try:
            learnt = weights_from_backtest(
                result, scorecard, version=draft or f"{scorecard.version}-suggested"
            )
        except ValueError as error:
            raise CommandError(f"no weights could be learnt: {error}") from error
        for line in weights_lines(learnt, scorecard):
            self.stdout.write(line)
        if draft:
            try:
                row = health_scorecard_draft(
                    definition=learnt.scorecard.to_dict(), version=draft, note=draft_note(learnt)
                )
            except DomainError as error:
                raise CommandError(error.message) from error
            self.stdout.write(
                f"Stored draft scorecard {row.version}: not in force until a director adopts it "
                "(admin → Health scorecards → adopt)."
            )

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
