"""``tenure alerts``: evaluate the alert rules, keep the tasks in line, send the digests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tenure.alerts.choices import AlertRule
from tenure.alerts.digest import digests_send
from tenure.alerts.services import alerts_run


class Command(BaseCommand):
    help = (
        "Evaluate the alert rules for an as-of date: raise a task for each new cause, refresh "
        "the open ones, close those whose cause cleared. Safe to run on a schedule: nothing is "
        "raised twice. --digest then emails each person their open tasks, once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the date the rules are evaluated for, YYYY-MM-DD (today)",
        )
        parser.add_argument(
            "--digest", action="store_true", help="send today's digest emails after the run"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: dt.date = options["as_of"] or timezone.localdate()
        dry_run = bool(options["dry_run"])
        self.stdout.write(f"Alert rules as of {as_of}{' (dry run)' if dry_run else ''}")
        run = alerts_run(as_of=as_of, dry_run=dry_run, progress=self.stdout.write)
        for rule, count in sorted(run.raised.items()):
            self.stdout.write(f"  raised {count:,} × {AlertRule(rule).label}")
        summary = (
            f"{run.raised_total:,} raised, {run.still_open:,} still open, "
            f"{run.cleared_total:,} cleared"
            + (f", {run.snoozed:,} snoozed (closed recently by a person)" if run.snoozed else "")
            + (f", {run.unassigned:,} without anyone to assign" if run.unassigned else "")
        )
        self.stdout.write(self.style.SUCCESS(("Would have: " if dry_run else "") + summary))
        if run.focus_chosen:
            managers = f"{run.focus_chosen:,} manager{'' if run.focus_chosen == 1 else 's'}"
            self.stdout.write(f"  this week's focus account set for {managers}")
        if options["digest"] and not dry_run:
            sent = digests_send(today=as_of, progress=self.stdout.write)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Digests: {sent.sent:,} sent, {sent.already_sent:,} already sent today"
                )
            )
            for address, error in sent.failed:
                self.stderr.write(f"  could not send to {address}: {error}")
