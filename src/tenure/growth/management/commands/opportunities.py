"""``tenure opportunities --backtest``: would the suggestions have come true?"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenure.core.errors import DomainError
from tenure.growth.ledger_inputs import crm_accounts, spend_by_account
from tenure.insights.wallet import peer_groups
from tenure.insights.wallet_backtest import backtest_opportunities
from tenure.ledger import store
from tenure.ledger.rates import ledger_in_reporting_currency


class Command(BaseCommand):
    help = (
        "Backtest the growth suggestions: hide each account's latest year of purchases, rank "
        "categories from the year before, and compare with what it then bought, against the "
        "popularity baseline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backtest", action="store_true", help="run the backtest (default)")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--k", type=int, nargs="+", default=[1, 3, 5])

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: dt.date = options["as_of"] or timezone.localdate()
        cutoff = as_of - dt.timedelta(days=365)
        try:
            # Spend in one currency, as the scoring run sums it.
            lines, _ = ledger_in_reporting_currency(store.order_lines(store.connect()), as_of=as_of)
        except DomainError as error:
            raise CommandError(error.message) from error
        earlier = spend_by_account(lines, as_of=cutoff)
        later = spend_by_account(lines, as_of=as_of)
        if earlier.height == 0:
            raise CommandError("no order lines before the hidden year: nothing to backtest")
        groups = peer_groups(crm_accounts())
        self.stdout.write(
            f"Hidden year: {cutoff} to {as_of}; ranking from the year before "
            f"({earlier['account_id'].n_unique():,} buying accounts)."
        )
        self.stdout.write(
            f"{'k':>3} {'accounts':>9} {'precision@k':>12} {'hit rate':>9}"
            f" {'popularity p@k':>15} {'popularity hits':>16}"
        )
        ks: list[int] = options["k"]
        for k in ks:
            r = backtest_opportunities(earlier, later, groups, k=k)
            self.stdout.write(
                f"{r.k:>3} {r.accounts:>9,} {r.precision_at_k:>12.3f} {r.hit_rate:>9.3f}"
                f" {r.baseline_precision_at_k:>15.3f} {r.baseline_hit_rate:>16.3f}"
            )
