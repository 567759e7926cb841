"""``tenure score``: the scoring run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenure.core.errors import DomainError
from tenure.scoring.clv_fit_record import clv_fit_described
from tenure.scoring.run import run_scoring


class Command(BaseCommand):
    help = (
        "Read the ledger and the CRM, segment the portfolio (tiers, qualification, key-list "
        "proposals) and write snapshots for an as-of date. Safe to re-run: a date's "
        "snapshots are replaced, never duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the date the figures are as of, YYYY-MM-DD (today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: dt.date = options["as_of"] or timezone.localdate()
        try:
            run = run_scoring(as_of=as_of, progress=self.stdout.write)
        except DomainError as error:
            # The ledger in use by another run, for instance: a message, not a traceback.
            raise CommandError(error.message) from error
        self.stdout.write(clv_fit_described(run.clv_fit))
        self.stdout.write(
            self.style.SUCCESS(
                f"Scored {run.accounts_scored:,} accounts as of {run.as_of}"
                + (
                    f"; {run.unmatched_keys:,} ledger keys match no account"
                    if run.unmatched_keys
                    else ""
                )
            )
        )
