"""Quarterly performance reviews: quarters, the frozen figures, one review's sheet and the
comparison across quarters.

The figures are gathered by ``tenure.web.review_figures`` (they come from several apps) and
frozen into ``Review.snapshot`` by ``tenure.planning.services.review_start``; everything here
reads that snapshot, never the live data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tenure.accounts.models import Account
from tenure.core.errors import DomainError
from tenure.planning.models import Review
from tenure.planning.selectors import account_reviews

#: Bumped when the snapshot's layout changes, so old reviews can still be read.
SNAPSHOT_VERSION = 1


# --- quarters -----------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    """The (year, quarter) a day falls in."""
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def last_complete_quarter(today: dt.date) -> tuple[int, int]:
    """The newest quarter that has ended on or before ``today``."""
    year, quarter = quarter_of(today)
    if today == Review.bounds(year, quarter)[1]:
        return year, quarter
    return previous_quarter(year, quarter)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year} Q{quarter}"


# --- the figures a review freezes --------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter; a clear error for a quarter or year that is not one."""
    if not 1 <= quarter <= 4:
        raise DomainError("a quarter is 1, 2, 3 or 4", field="quarter")
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise DomainError(f"{year} is not a year", field="year")
    return Review.bounds(year, quarter)


@dataclass(frozen=True)
class QuarterFigures:
    """What a review of one account's quarter starts from, gathered from the apps that own each
    figure (``tenure.web.review_figures``) and frozen into ``Review.snapshot``.

    Every value is plain JSON already: money and goal values as decimal strings (never
    floats), dates as ISO strings, so the snapshot reads the same in any later version.
    """

    account_id: int
    year: int
    quarter: int
    taken_on: dt.date
    goals: list[dict[str, Any]]
    revenue: dict[str, Any]
    health: dict[str, Any]
    nps: dict[str, Any]
    interactions: dict[str, int]
    wins: list[dict[str, Any]]
    issues: list[dict[str, Any]]

    def snapshot(self) -> dict[str, Any]:
        start, end = quarter_bounds(self.year, self.quarter)
        return {
            "version": SNAPSHOT_VERSION,
            "taken_on": self.taken_on.isoformat(),
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "goals": self.goals,
            "revenue": self.revenue,
            "health": self.health,
            "nps": self.nps,
            "interactions": self.interactions,
            "wins": self.wins,
            "issues": self.issues,
        }


# --- reads --------------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass(frozen=True)
class ReviewFigures:
    """A review's key figures, the row of the comparison across quarters."""

    review_id: int
    label: str
    status: str
    revenue: Decimal | None
    revenue_prior_year: Decimal | None
    yoy: float | None
    revenue_months: int
    health: float | None
    risk: float | None
    nps: float | None
    nps_responses: int
    nps_hidden: bool
    goals_on_track: int
    goals: int

    # Percentages for templates, which cannot multiply.
    @property
    def yoy_percent(self) -> float | None:
        return None if self.yoy is None else self.yoy * 100

    @classmethod
    def of(cls, review: Review) -> ReviewFigures:
        s = review.snapshot
        revenue, health, nps, goals = s["revenue"], s["health"], s["nps"], s["goals"]
        return cls(
            review_id=review.pk,
            label=review.period_label,
            status=review.get_status_display(),
            revenue=_money(revenue["quarter"]),
            revenue_prior_year=_money(revenue["prior_year"]),
            yoy=revenue["yoy"],
            revenue_months=revenue["months"],
            health=health["score"],
            risk=health["risk"],
            nps=nps["score"],
            nps_responses=nps["responses"],
            nps_hidden=nps["hidden"],
            goals_on_track=sum(1 for g in goals if g["on_track"]),
            goals=len(goals),
        )


@dataclass(frozen=True)
class GoalLine:
    plan: str
    objective: str
    kind: str
    kpi: str
    unit: str
    baseline: Decimal
    target: Decimal
    current: Decimal | None
    progress: float | None
    expected: float
    on_track: bool
    due_on: dt.date

    @property
    def progress_percent(self) -> float | None:
        return None if self.progress is None else self.progress * 100

    @property
    def expected_percent(self) -> float:
        return self.expected * 100


@dataclass(frozen=True)
class MilestoneLine:
    title: str
    kind: str
    occurred_on: dt.date
    severity: str = ""
    resolved_on: dt.date | None = None


@dataclass(frozen=True)
class ReviewSheet:
    """Everything a review page or its PDF shows, typed back from the frozen snapshot."""

    review: Review
    figures: ReviewFigures
    taken_on: dt.date
    revenue_as_of: dt.date | None
    health_as_of: dt.date | None
    risk_horizon_days: int | None
    strategic: int
    transactional: int
    goals: list[GoalLine] = field(default_factory=list)
    wins: list[MilestoneLine] = field(default_factory=list)
    issues: list[MilestoneLine] = field(default_factory=list)


def review_sheet(*, review: Review) -> ReviewSheet:
    """The review's frozen figures with dates as dates and money as decimals."""
    s = review.snapshot
    goals = [
        GoalLine(
            **{
                **g,
                "baseline": Decimal(g["baseline"]),
                "target": Decimal(g["target"]),
                "current": _money(g["current"]),
                "due_on": dt.date.fromisoformat(g["due_on"]),
            }
        )
        for g in s["goals"]
    ]

    def line(m: dict[str, Any]) -> MilestoneLine:
        return MilestoneLine(
            **{
                **m,
                "occurred_on": dt.date.fromisoformat(m["occurred_on"]),
                "resolved_on": _date(m.get("resolved_on")),
            }
        )

    return ReviewSheet(
        review=review,
        figures=ReviewFigures.of(review),
        taken_on=dt.date.fromisoformat(s["taken_on"]),
        revenue_as_of=_date(s["revenue"]["as_of"]),
        health_as_of=_date(s["health"]["as_of"]),
        risk_horizon_days=s["health"]["risk_horizon_days"],
        strategic=s["interactions"]["strategic"],
        transactional=s["interactions"]["transactional"],
        goals=goals,
        wins=[line(m) for m in s["wins"]],
        issues=[line(m) for m in s["issues"]],
    )


def review_comparison(*, account: Account, until: Review | None = None) -> list[ReviewFigures]:
    """The account's reviews side by side, oldest quarter first (up to ``until``'s quarter)."""
    reviews = account_reviews(account=account).order_by("period_start")
    if until is not None:
        reviews = reviews.filter(period_start__lte=until.period_start)
    return [ReviewFigures.of(review) for review in reviews]
