"""Benchmark ``tenure alerts``: the eight rules over a large managed portfolio.

Builds, with bulk inserts, ``--accounts`` accounts each with a key account manager (one of
50), two health rows 20 days apart, a revenue snapshot, three years of monthly revenue
(a third of the accounts seasonal), a strategic interaction some days back, a decision maker
(2 % of them gone in the last two months) and, for a tenth of the accounts, a plan with two
actions. Then times:

- **first run**: every rule evaluated, every new cause raised as a task;
- **second run**: the same day again: nothing raised, every open task refreshed;
- **per account** (the obvious alternative: evaluating each account on its own, as the
  follow-up after a write does): measured on ``--sample`` accounts and scaled up.

Usage::

    python benchmarks/bench_alerts.py                      # 20,000 accounts
    python benchmarks/bench_alerts.py --accounts 2000      # a quick look

Survey answers are left out (the detractor rule then reads an empty table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

AS_OF = dt.date(2026, 11, 25)
MONTHS = 36


def build(accounts: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tenure.accounts.models import Account, Contact, Position, TeamMembership
    from tenure.engagement.models import Interaction
    from tenure.health.models import AccountHealth
    from tenure.planning.models import AccountPlan, Action
    from tenure.scoring.models import AccountSnapshot, RevenueSeries, ScoringRun

    rng = np.random.default_rng(seed)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"kam{k:02d}", email=f"kam{k}@supplier.example")
        for k in range(50)
    )
    Account.objects.bulk_create(
        (
            Account(name=f"Account {i:06d}", external_id=f"A{i:06d}", is_key_account=i % 10 == 0)
            for i in range(accounts)
        ),
        batch_size=5000,
    )
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    TeamMembership.objects.bulk_create(
        (TeamMembership(account_id=a, user=users[i % 50], role="kam") for i, a in enumerate(ids)),
        batch_size=5000,
    )
    earlier = ScoringRun.objects.create(as_of=AS_OF - dt.timedelta(days=20))
    latest = ScoringRun.objects.create(as_of=AS_OF)
    before = rng.uniform(40, 95, accounts)
    now = np.clip(before - rng.normal(3, 6, accounts), 0, 100)
    risk = rng.beta(1.2, 8, accounts)
    for run, scores in ((earlier, before), (latest, now)):
        AccountHealth.objects.bulk_create(
            (
                AccountHealth(
                    run=run,
                    account_id=a,
                    as_of=run.as_of,
                    health_score=float(s),
                    risk=float(r),
                    risk_horizon_days=180,
                )
                for a, s, r in zip(ids, scores, risk, strict=True)
            ),
            batch_size=5000,
        )
    growth = rng.normal(0.02, 0.18, accounts)
    AccountSnapshot.objects.bulk_create(
        (
            AccountSnapshot(
                run=latest,
                account_id=a,
                as_of=AS_OF,
                revenue_t12m=round(100_000 * (1 + g), 2),
                revenue_prev12m=100_000,
                growth=float(g),
            )
            for a, g in zip(ids, growth, strict=True)
        ),
        batch_size=5000,
    )
    month = np.arange(MONTHS)
    seasonal = rng.random(accounts) < 0.33
    peak = rng.integers(0, 12, accounts)
    RevenueSeries.objects.bulk_create(
        (
            RevenueSeries(
                account_id=a,
                as_of=AS_OF,
                first_month=dt.date(2023, 11, 1),
                values=[
                    round(float(v), 2)
                    for v in 1000
                    * (1 + (2.0 if s else 0.0) * (((month + 10) % 12) == p))
                    * rng.uniform(0.85, 1.15, MONTHS)
                ],
            )
            for a, s, p in zip(ids, seasonal, peak, strict=True)
        ),
        batch_size=5000,
    )
    days_back = rng.integers(0, 200, accounts)
    Interaction.objects.bulk_create(
        (
            Interaction(
                account_id=a,
                occurred_at=timezone.make_aware(
                    dt.datetime.combine(AS_OF - dt.timedelta(days=int(d)), dt.time(10))
                ),
                kind="meeting",
                is_strategic=True,
                summary="Review",
            )
            for a, d in zip(ids, days_back, strict=True)
        ),
        batch_size=5000,
    )
    Contact.objects.bulk_create(
        (Contact(first_name="Pat", last_name=f"P{a}", email=f"p{a}@x.example") for a in ids),
        batch_size=5000,
    )
    contacts = list(Contact.objects.order_by("id").values_list("id", flat=True))
    gone = rng.random(accounts) < 0.02
    Position.objects.bulk_create(
        (
            Position(
                account_id=a,
                contact_id=c,
                buying_role="decision_maker",
                started_on=dt.date(2020, 1, 1),
                left_on=AS_OF - dt.timedelta(days=int(rng.integers(1, 60))) if g else None,
            )
            for a, c, g in zip(ids, contacts, gone, strict=True)
        ),
        batch_size=5000,
    )
    planned = ids[::10]
    AccountPlan.objects.bulk_create(
        (
            AccountPlan(
                account_id=a,
                title="Plan",
                horizon="short",
                starts_on=dt.date(2026, 10, 1),
                ends_on=dt.date(2026, 12, 31),
                owner=users[i % 50],
            )
            for i, a in enumerate(planned)
        ),
        batch_size=5000,
    )
    Action.objects.bulk_create(
        (
            Action(
                plan_id=p,
                title=f"Step {k}",
                owner=users[(p + k) % 50],
                due_on=AS_OF + dt.timedelta(days=int(rng.integers(-20, 30))),
            )
            for p in AccountPlan.objects.values_list("id", flat=True)
            for k in range(2)
        ),
        batch_size=5000,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tenure-bench-alerts-"))
    os.environ["TENURE_HOME"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    os.environ.setdefault("TENURE_HTTPS", "0")
    import django

    django.setup()
    from _store import migrate

    migrate(workdir)
    began = time.perf_counter()
    build(args.accounts, args.seed)
    print(f"Setup ({args.accounts:,} accounts): {time.perf_counter() - began:.1f} s")

    from tenure.accounts.models import Account
    from tenure.alerts.models import Task
    from tenure.alerts.services import alerts_run

    timings = {}
    for label in ("first run", "second run"):
        started = time.perf_counter()
        result = alerts_run(as_of=AS_OF)
        timings[label] = time.perf_counter() - started
        print(
            f"{label}: {timings[label]:.2f} s — {result.raised_total:,} raised, "
            f"{result.still_open:,} still open, {result.cleared_total:,} cleared"
        )
    by_rule = dict(
        Task.objects.values_list("rule").annotate(n=django.db.models.Count("pk")).order_by()
    )
    print("  open tasks by rule:", ", ".join(f"{r} {n:,}" for r, n in sorted(by_rule.items())))

    sample = list(Account.objects.order_by("?").values_list("id", flat=True)[: args.sample])
    started = time.perf_counter()
    for account_id in sample:
        alerts_run(as_of=AS_OF, account_ids=[account_id])
    per_account = (time.perf_counter() - started) / len(sample)
    scaled = per_account * args.accounts
    print(
        f"per account (the alternative): {per_account * 1000:.1f} ms each on {len(sample)} "
        f"accounts → {scaled:.0f} s for {args.accounts:,}; "
        f"the set-based run is {scaled / timings['second run']:.0f}× faster"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {rss:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
