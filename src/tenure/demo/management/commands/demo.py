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
from tenure.demo.load import DEMO_PASSWORD, DIRECTOR, load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.ledger.importing import import_orders
from tenure.scoring.models import ScoringRun
from tenure.scoring.run import run_scoring


class Command(BaseCommand):
    help = (
        "Load a seeded demo portfolio (accounts with Pareto revenue, stakeholders, three "
        "years of orders and interactions, half-yearly NPS surveys, recorded churn causes) into "
        "an empty data folder, score it, raise the alerts, then serve it."
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
        run_scoring(as_of=scored_on, progress=self.stdout.write)
        alerts = alerts_run(as_of=scored_on)
        self.stdout.write(f"Alert rules raised {alerts.raised_total:,} tasks for the managers")
        self.stdout.write(
            f"Loaded and scored {result.accounts} accounts ({result.churned} churned during the "
            f"history, causes in {result.truth_path}) in {time.perf_counter() - started:.1f} s."
        )
