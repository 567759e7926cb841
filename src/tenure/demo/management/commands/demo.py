"""``tenure demo``: load the seeded demo portfolio and serve it."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.alerts.services import alerts_run
from tenure.demo.life import preparations_close
from tenure.demo.load import DEMO_PASSWORD, DIRECTOR, load_world
from tenure.demo.world import DemoConfig, World, build_world
from tenure.ledger.importing import import_orders
from tenure.scoring.models import ScoringRun
from tenure.scoring.run import run_scoring

#: Trouble that is nobody talking to the customer: their preparation calls were not held.
QUIET_STORIES = ("missed_peak", "detractor")
#: A year of monthly scoring runs: trends, review comparisons and charts have a past.
HISTORY_MONTHS = 12


def _quiet(_: str) -> None:
    return None


def history_month_ends(day: dt.date, count: int) -> list[dt.date]:
    """The ``count`` last month ends strictly before ``day``, oldest first."""
    ends = []
    end = dt.date(day.year, day.month, 1) - dt.timedelta(days=1)
    for _ in range(max(count, 0)):
        ends.append(end)
        end = dt.date(end.year, end.month, 1) - dt.timedelta(days=1)
    return ends[::-1]


class Command(BaseCommand):
    help = (
        "Load a seeded demo portfolio (accounts with Pareto revenue, stakeholders, three "
        "years of orders and interactions, half-yearly NPS surveys, recorded churn causes, "
        "plans, a calendar and a few accounts in trouble) into an empty data folder, score it "
        "at each month end of the last year and on the day, raise the alerts, then serve it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=300, help="number of accounts (300)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the day the demo is scored for, YYYY-MM-DD (today); its order history runs "
            "to the day before, as an ERP export does",
        )
        parser.add_argument(
            "--history-months",
            type=int,
            default=HISTORY_MONTHS,
            help=f"monthly scoring runs to keep, the last on the as-of day ({HISTORY_MONTHS}): "
            "the earlier ones at the month ends before it, so trends have a past; 0 or 1 "
            "scores the as-of day only",
        )
        parser.add_argument("--no-serve", action="store_true", help="load, then exit")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if Account.objects.exists():
            self.stdout.write(
                f"The CRM store in {settings.HOME} already holds accounts: the demo is not "
                "loaded again. Remove that folder (or point TENURE_HOME elsewhere) to start over."
            )
            if not ScoringRun.objects.exists():
                run_scoring(as_of=timezone.localdate(), progress=self.stdout.write)
        else:
            self._load(options)
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in as {DIRECTOR} / {DEMO_PASSWORD} (or as any manager, e.g. "
                f"alex.morgan / {DEMO_PASSWORD})."
            )
        )
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _score_history(self, world: World, scored_on: dt.date, months: int) -> None:
        """Score the month ends before ``scored_on``, oldest first, then ``scored_on`` itself.

        Each run reads the ledger and the CRM as they stood on its day (backtests rely on
        it), so the trends are what the team would have seen month by month. Between runs
        the seasonal preparations whose day has passed are held or skipped, as a team
        would: otherwise a year of them would stand overdue on the last day.
        """
        days = [*history_month_ends(scored_on, months - 1), scored_on]
        quiet = {a.external_id for a in world.accounts if a.story in QUIET_STORIES}
        not_held = set(Account.objects.filter(external_id__in=quiet).values_list("pk", flat=True))
        held = skipped = 0
        for number, day in enumerate(days, start=1):
            done, passed = preparations_close(before=day, seed=world.config.seed, not_held=not_held)
            held, skipped = held + done, skipped + passed
            if day == scored_on:
                if len(days) > 1:
                    self.stdout.write(
                        f"  {held} seasonal preparation calls held, {skipped} skipped "
                        "during the history"
                    )
                    self.stdout.write(f"Scoring month {number}/{len(days)} ({day})…")
                run_scoring(as_of=day, progress=self.stdout.write)
            else:
                self.stdout.write(f"Scoring month {number}/{len(days)} ({day})…")
                run_scoring(as_of=day, progress=_quiet)

    def _load(self, options: dict[str, object]) -> None:
        chosen = options["as_of"]
        scored_on = chosen if isinstance(chosen, dt.date) else timezone.localdate()
        try:
            config = DemoConfig(
                accounts=int(options["accounts"]),  # type: ignore[call-overload]
                seed=int(options["seed"]),  # type: ignore[call-overload]
                # A real ERP export is a day old: the history ends the day before the run.
                as_of=scored_on - dt.timedelta(days=1),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if int(options["history_months"]) < 0:  # type: ignore[call-overload]
            raise CommandError("--history-months cannot be negative")
        started = time.perf_counter()
        self.stdout.write(
            f"Building a demo portfolio of {config.accounts} accounts (seed {config.seed}, "
            f"history to {config.as_of})…"
        )
        world = build_world(config)
        result = load_world(world, home=settings.HOME, progress=self.stdout.write)
        self.stdout.write("Importing the order lines into the ledger…")
        # The same import a real ERP export goes through: validated, atomic, idempotent.
        report = import_orders(
            result.order_lines_path,
            source="demo-erp",
            unknown_accounts="reject",
            progress=self.stdout.write,
        )
        self.stdout.write(f"  {report.rows_imported:,} order lines in the ledger")
        self._score_history(world, scored_on, int(options["history_months"]))  # type: ignore[call-overload]
        alerts = alerts_run(as_of=scored_on)
        self.stdout.write(f"Alert rules raised {alerts.raised_total:,} tasks for the managers")
        self.stdout.write(
            f"Loaded and scored {result.accounts} accounts ({result.churned} churned during the "
            f"history, causes in {result.truth_path}) in {time.perf_counter() - started:.1f} s."
        )
