"""``latest_snapshots``: each visible account's newest snapshot, in the scores API's order."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.scoring.models import AccountSnapshot, ScoringRun
from tenure.scoring.selectors import latest_snapshots
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
DATES = [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_each_visible_accounts_newest_snapshot_by_rank_whatever_runs_it_was_in(settings):
    settings.TENURE_KAM_SEES_ALL = False
    runs = [ScoringRun.objects.create(as_of=d, status="done") for d in DATES]
    manager = UserFactory()
    accounts = [AccountFactory(name=f"A{n}") for n in range(7)]
    for n, account in enumerate(accounts):
        # Scored in the runs from n % 3 on, or only in the first (an account that left the
        # ledger keeps its old snapshot); ranks shuffled, one unranked.
        scored = runs[:1] if n == 6 else runs[n % 3 :]
        for run in scored:
            AccountSnapshot.objects.create(
                run=run,
                account=account,
                as_of=run.as_of,
                tier="A",
                revenue_rank=None if n == 4 else (n * 5) % 7 + run.pk,
            )
        if n % 2:
            TeamMembershipFactory(account=account, user=manager, role="kam")

    def reference(visible):
        newest = {}
        for s in AccountSnapshot.objects.filter(account__in=visible):
            if s.account_id not in newest or s.as_of > newest[s.account_id].as_of:
                newest[s.account_id] = s
        ranked = sorted(
            newest.values(),
            key=lambda s: (s.revenue_rank is None, s.revenue_rank or 0, s.account_id),
        )
        return [(s.account_id, s.as_of) for s in ranked]

    director = UserFactory(is_staff=True)
    every = [(s.account_id, s.as_of) for s in latest_snapshots(user=director)]
    assert every == reference(accounts)
    assert (every[-1][0], dict(every)[accounts[6].pk]) == (accounts[4].pk, DATES[0])
    assert latest_snapshots(user=director).count() == 7
    mine = [(s.account_id, s.as_of) for s in latest_snapshots(user=manager)]
    assert mine == reference(accounts[1::2])
    assert latest_snapshots(user=manager).count() == 3
