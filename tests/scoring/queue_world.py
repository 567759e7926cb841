"""A scored portfolio with many open key-list proposals, for the queue's tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tenure.accounts.models import Account
from tenure.scoring.models import AccountSnapshot, PortfolioSnapshot, ScoringRun
from tests.accounts.factories import AccountFactory, TeamMembershipFactory

AS_OF = dt.date(2026, 10, 31)


def proposals_world(*, promotions: int, removals: int = 0) -> list[Account]:
    """One finished run as of ``AS_OF`` proposing ``promotions`` accounts for the list (P01…,
    largest first) and the removal of ``removals`` key accounts (R01…)."""
    run = ScoringRun.objects.create(
        as_of=AS_OF, status="done", currency="EUR", finished_at=timezone.now()
    )
    total = promotions + removals
    PortfolioSnapshot.objects.create(
        run=run,
        as_of=AS_OF,
        concentration={"n_accounts": total, "total_revenue": 1000.0 * total},
        tiers=[],
        pareto=[[0.0, 0.0], [1.0, 1.0]],
    )
    accounts = []
    for n in range(total):
        removal = n >= promotions
        name = f"R{n - promotions + 1:02d}" if removal else f"P{n + 1:02d}"
        account = AccountFactory(name=name, is_key_account=removal)
        TeamMembershipFactory(account=account, role="kam")  # a key account needs its manager
        AccountSnapshot.objects.create(
            run=run,
            account=account,
            as_of=AS_OF,
            revenue_t12m=Decimal(100_000 - n),
            tier="A",
            revenue_rank=n + 1,
            keylist_action="demote" if removal else "promote",
            keylist_reasons=["score 80 ≥ 75"],
        )
        accounts.append(account)
    return accounts
