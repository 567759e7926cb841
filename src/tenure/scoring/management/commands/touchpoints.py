"""``tenure touchpoints --seasonal``: plan preparation touchpoints before seasonal peaks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenure.engagement.seasonal import DEFAULT_LEAD_WEEKS, seasonal_touchpoints_plan
from tenure.insights.seasonality import DEFAULT_STRENGTH_THRESHOLD
from tenure.scoring.selectors import portfolio_profiles


class Command(BaseCommand):
    help = (
        "Plan touchpoints automatically. --seasonal: a 'seasonal preparation' touchpoint "
        "some weeks before each upcoming peak of every seasonal account, owned by its key "
        "account manager. Safe to run again (from cron): a peak is planned for once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seasonal", action="store_true", help="plan seasonal preparation touchpoints"
        )
        parser.add_argument(
            "--lead-weeks",
            type=int,
            default=DEFAULT_LEAD_WEEKS,
            help=f"weeks before the peak (default {DEFAULT_LEAD_WEEKS})",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_STRENGTH_THRESHOLD,
            help="strength of seasonality from which an account is seasonal "
            f"(default {DEFAULT_STRENGTH_THRESHOLD})",
        )
        parser.add_argument(
            "--horizon-days",
            type=int,
            default=365,
            help="plan for peaks starting within this many days (default 365)",
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="run as of this day"
        )
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["seasonal"]:
            raise CommandError("say what to plan: --seasonal")
        if options["lead_weeks"] < 0 or options["horizon_days"] < 1:
            raise CommandError("--lead-weeks cannot be negative and --horizon-days must be ≥ 1")
        today = options["today"] or timezone.localdate()
        plan = seasonal_touchpoints_plan(
            today=today,
            profiles=portfolio_profiles(strength_threshold=options["threshold"]),
            lead_weeks=options["lead_weeks"],
            strength_threshold=options["threshold"],
            horizon_days=options["horizon_days"],
            dry_run=options["dry_run"],
            progress=self.stdout.write,
        )
        verb = "would plan" if options["dry_run"] else "planned"
        self.stdout.write(
            f"{plan.seasonal_accounts:,} seasonal accounts: {verb} {plan.planned:,} preparation "
            f"touchpoint(s); {plan.already_planned:,} peak(s) already planned for."
        )
        if plan.late:
            self.stdout.write(f"  {plan.late:,} fall today: the peak is nearer than the lead time.")
        if plan.without_manager:
            self.stdout.write(
                f"  {plan.without_manager:,} without a key account manager to own them."
            )
        for account, warning in plan.warnings[:20]:
            self.stdout.write(self.style.WARNING(f"  {account.name}: {warning}"))
        if len(plan.warnings) > 20:
            self.stdout.write(f"  … and {len(plan.warnings) - 20:,} more cadence warnings.")
