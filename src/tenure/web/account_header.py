"""The key figures at the top of the account page, and the same figures over time.

The header reads the newest scoring run's snapshot and health row, the health row of the run
before (for the trend), the NPS the reader may see, the key account manager, the next planned
touchpoint and the open tasks: a fixed number of queries, whatever the account's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, TeamMembership
from tenure.accounts.permissions import AnyUser
from tenure.alerts.choices import TaskStatus
from tenure.alerts.models import Task
from tenure.core.charts import line_over_time
from tenure.core.figures import percent, score
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Touchpoint
from tenure.feedback.audience import reader_scope
from tenure.feedback.figures import NpsFigure, portfolio_nps, survey_figures
from tenure.health.models import AccountHealth
from tenure.scoring.models import AccountSnapshot
from tenure.scoring.selectors import account_latest_snapshot

#: Scoring runs shown in the health and risk charts (monthly runs: two years).
HISTORY_RUNS = 24
#: Quarters shown in the NPS chart.
NPS_QUARTERS = 8


@dataclass(frozen=True)
class AccountHeader:
    """The figures of the account page's header; any of them may be missing.

    ``health_change`` compares the newest health score with the one of the scoring run
    before it (``previous_as_of``); ``risk_driver`` is the main reason for the churn risk in
    words; ``currency`` is the reporting currency of the run the money figures come from.
    """

    snapshot: AccountSnapshot | None
    health: AccountHealth | None
    health_change: float | None
    previous_as_of: dt.date | None
    risk_driver: str
    currency: str
    nps: NpsFigure
    managers: list[str]
    next_touchpoint: Touchpoint | None
    open_tasks: int

    @property
    def revenue_t12m(self) -> Decimal | None:
        return self.snapshot.revenue_t12m if self.snapshot is not None else None


def _previous_health(latest: AccountHealth) -> AccountHealth | None:
    return (
        AccountHealth.objects.filter(account_id=latest.account_id, as_of__lt=latest.as_of)
        .exclude(run_id=latest.run_id)
        .order_by("-as_of")
        .only("as_of", "health_score")
        .first()
    )


def _managers(account: Account) -> list[str]:
    members = TeamMembership.objects.filter(
        account=account, role=TeamRole.KEY_ACCOUNT_MANAGER
    ).select_related("user")
    return [m.user.get_full_name() or m.user.get_username() for m in members]


def account_header(*, account: Account, user: AnyUser, today: dt.date) -> AccountHeader:
    """The header's figures for ``account`` as ``user`` may see them on ``today``."""
    snapshot = account_latest_snapshot(account_id=account.pk)
    health = (
        AccountHealth.objects.filter(account=account)
        .select_related("run")
        .order_by("-as_of")
        .first()
    )
    previous = _previous_health(health) if health is not None else None
    change = (
        health.health_score - previous.health_score
        if health is not None
        and previous is not None
        and health.health_score is not None
        and previous.health_score is not None
        else None
    )
    currency = (
        snapshot.run.currency
        if snapshot is not None
        else health.run.currency
        if health is not None
        else ""
    )
    next_touchpoint = (
        Touchpoint.objects.filter(
            account=account, status=TouchpointStatus.PLANNED, scheduled_on__gte=today
        )
        .order_by("scheduled_on", "id")
        .first()
    )
    return AccountHeader(
        snapshot=snapshot,
        health=health,
        health_change=change,
        previous_as_of=previous.as_of if previous is not None else None,
        risk_driver=(health.risk_driver_texts[:1] or [""])[0] if health is not None else "",
        currency=currency,
        nps=portfolio_nps(today=today, scope=reader_scope(user, account=account)),
        managers=_managers(account),
        next_touchpoint=next_touchpoint,
        open_tasks=Task.objects.filter(account=account, status=TaskStatus.OPEN).count(),
    )


def _health_rows(account: Account) -> QuerySet[AccountHealth]:
    newest = (
        AccountHealth.objects.filter(account=account)
        .order_by("-as_of")
        .only("as_of", "health_score", "risk", "churned")[:HISTORY_RUNS]
    )
    return newest


@dataclass(frozen=True)
class FiguresOverTime:
    """The Overview tab's charts: health, churn risk and NPS over time (each ``None`` when
    there are fewer than two points to draw a line through, with ``*_points`` the count)."""

    health: SafeString | None
    risk: SafeString | None
    nps: SafeString | None
    health_points: int
    risk_points: int
    nps_points: int


def figures_over_time(*, account: Account, user: AnyUser, today: dt.date) -> FiguresOverTime:
    """Health and risk from each scoring run's health row, NPS by quarter (under the
    anonymity rule: a quarter with too few answers is left out, never shown)."""
    rows = sorted(_health_rows(account), key=lambda row: row.as_of)
    health = [(r.as_of, r.health_score) for r in rows if r.health_score is not None]
    risk = [(r.as_of, r.risk) for r in rows if r.risk is not None and not r.churned]
    quarters = survey_figures(
        scope=reader_scope(user, account=account), today=today, trend_quarters=NPS_QUARTERS
    ).trend
    nps = [
        (q.key, q.result.score)
        for q in quarters
        if q.result is not None and q.result.score is not None and isinstance(q.key, dt.date)
    ]
    name = account.name
    return FiguresOverTime(
        health=line_over_time(
            health,
            title=f"Health of {name} at each scoring run, 0 to 100",
            unit="health score, 0–100",
            low=0,
            high=100,
            label=score,
        )
        if len(health) > 1
        else None,
        risk=line_over_time(
            risk,
            title=f"Churn risk of {name} at each scoring run",
            unit="churn risk, %",
            low=0,
            high=1,
            label=percent,
        )
        if len(risk) > 1
        else None,
        nps=line_over_time(
            nps,
            title=f"NPS of {name} by quarter, −100 to 100",
            unit="NPS by quarter, −100 to 100",
            low=-100,
            high=100,
            label=score,
        )
        if len(nps) > 1
        else None,
        health_points=len(health),
        risk_points=len(risk),
        nps_points=len(nps),
    )
