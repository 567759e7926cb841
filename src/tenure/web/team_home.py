"""The director's home: the team at a glance.

Workload and overdue items per manager, the accounts with the most value at risk, and the
key-list proposals waiting for a decision. It reads alerts, scoring and health together, so it
is composed here; each figure comes from its own app's selector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tenure.accounts.models import Account
from tenure.alerts.selectors import TaskCounts, task_counts_by_assignee
from tenure.health.selectors import most_at_risk
from tenure.planning.onboarding_selectors import OnboardingProgress, onboarding_in_progress
from tenure.scoring.models import AccountSnapshot
from tenure.scoring.selectors import keylist_candidates, manager_workload, portfolio_latest

#: Accounts at or above this churn risk are listed as at risk (the portfolio page's line).
AT_RISK = 0.2
AT_RISK_SHOWN = 10
PROPOSALS_SHOWN = 5
_NONE = TaskCounts(open=0, overdue=0)


@dataclass(frozen=True)
class ManagerLoad:
    """One key account manager's book and what is late on it."""

    manager: Any
    accounts: int
    key_accounts: int
    open_tasks: int
    overdue_tasks: int
    overdue_actions: int
    contacts_per_week: float

    @property
    def overdue_items(self) -> int:
        return self.overdue_tasks + self.overdue_actions


@dataclass(frozen=True)
class TeamHome:
    """What a director sees first."""

    workload: list[ManagerLoad]
    unassigned: TaskCounts
    open_tasks: int
    overdue_tasks: int
    at_risk: Sequence[Account]
    pending_count: int
    pending: list[AccountSnapshot]
    onboardings: list[OnboardingProgress]


def team_home(*, today: dt.date) -> TeamHome:
    """The team's figures as of ``today`` in a fixed number of queries (none per manager)."""
    tasks = task_counts_by_assignee(today=today)
    workload = [_load(row, tasks) for row in manager_workload(today=today)]
    at_risk = most_at_risk(threshold=AT_RISK, limit=AT_RISK_SHOWN)
    latest = portfolio_latest()
    pending_count, pending = 0, list[AccountSnapshot]()
    if latest is not None:
        candidates = keylist_candidates(as_of=latest.as_of)
        pending = list(candidates[:PROPOSALS_SHOWN])
        pending_count = len(pending) if len(pending) < PROPOSALS_SHOWN else candidates.count()
    return TeamHome(
        workload=workload,
        unassigned=tasks.get(None, _NONE),
        open_tasks=sum(c.open for c in tasks.values()),
        overdue_tasks=sum(c.overdue for c in tasks.values()),
        at_risk=at_risk,
        pending_count=pending_count,
        pending=pending,
        onboardings=onboarding_in_progress(as_of=today),
    )


def _load(row: dict[str, Any], tasks: dict[int | None, TaskCounts]) -> ManagerLoad:
    counts = tasks.get(row["manager"].pk, _NONE)
    return ManagerLoad(
        manager=row["manager"],
        accounts=row["accounts"],
        key_accounts=row["key_accounts"],
        open_tasks=counts.open,
        overdue_tasks=counts.overdue,
        overdue_actions=row["overdue_actions"],
        contacts_per_week=row["contacts_per_week"],
    )
