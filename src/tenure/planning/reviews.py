"""Quarterly performance reviews: the prefilled figures, the writes, and the comparison.

A review's figures come from the CRM store only — goals and milestones from planning,
monthly revenue and health from the scoring run's snapshots, NPS from the survey figures
(under their anonymity rule), interactions from engagement — never from the ledger. They are
frozen into ``Review.snapshot`` when the review is started.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tenure.access.permissions import require_edit
from tenure.accounts.models import Account
from tenure.core.errors import DomainError
from tenure.core.numbers import money_or_none
from tenure.core.validation import validate_and_save
from tenure.engagement.models import Interaction
from tenure.feedback.selectors import Scope, survey_figures
from tenure.health.models import AccountHealth
from tenure.planning.choices import MilestoneKind, ReviewStatus
from tenure.planning.models import Goal, Milestone, Review
from tenure.scoring.models import RevenueSeries

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


# --- the prefilled figures ----------------------------------------------------------------


def review_prefill(
    account: Account, *, year: int, quarter: int, today: dt.date | None = None
) -> dict[str, Any]:
    """The figures a review of ``account`` for the quarter starts from, as plain JSON.

    Money and goal values are decimal strings (never floats), dates ISO strings. Goals are
    those of plans overlapping the quarter; a goal is on track when its progress at least
    matches the share of its plan's time gone by the quarter's end.
    """
    start, end = Review.bounds(year, quarter)
    return {
        "version": SNAPSHOT_VERSION,
        "taken_on": (today or timezone.localdate()).isoformat(),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "goals": _goals(account, start, end),
        "revenue": _revenue(account, start),
        "health": _health(account, start, end),
        "nps": _nps(account, start, end),
        "interactions": _interactions(account, start, end),
        **_milestones(account, start, end),
    }


def _goals(account: Account, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    goals = (
        Goal.objects.filter(
            objective__plan__account=account,
            objective__plan__starts_on__lte=end,
            objective__plan__ends_on__gte=start,
        )
        .select_related("objective__plan")
        .order_by(
            "objective__plan__starts_on", "objective__plan_id", "objective_id", "due_on", "id"
        )
    )
    rows = []
    for goal in goals:
        plan = goal.objective.plan
        span = (goal.due_on - plan.starts_on).days
        gone = (min(end, goal.due_on) - plan.starts_on).days
        expected = 1.0 if span <= 0 else min(max(gone / span, 0.0), 1.0)
        progress = goal.progress
        rows.append(
            {
                "plan": plan.title,
                "objective": goal.objective.title,
                "kind": goal.objective.get_kind_display(),
                "kpi": goal.kpi,
                "unit": goal.unit,
                "baseline": str(goal.baseline),
                "target": str(goal.target),
                "current": None if goal.current is None else str(goal.current),
                "progress": progress,
                "expected": expected,
                "on_track": progress is not None and progress >= expected,
                "due_on": goal.due_on.isoformat(),
            }
        )
    return rows


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _revenue(account: Account, start: dt.date) -> dict[str, Any]:
    """Revenue of the quarter's complete months and of the same months a year earlier.

    A month still in progress on the series' as-of date is left out (half a month would
    read as a slump), and the year-earlier figure covers the same months, so the change
    compares like with like even for a quarter not over yet.
    """
    series = RevenueSeries.objects.filter(account=account).first()
    empty = {"quarter": None, "prior_year": None, "yoy": None, "months": 0, "as_of": None}
    if series is None:
        return empty

    def month_value(month: dt.date) -> Decimal | None:
        first = series.first_month
        index = (month.year - first.year) * 12 + month.month - first.month
        if index < 0 or index >= len(series.values) or _month_end(month) > series.as_of:
            return None
        return money_or_none(series.values[index])

    months = [dt.date(start.year, start.month + offset, 1) for offset in range(3)]
    current = {m: v for m in months if (v := month_value(m)) is not None}
    if not current:
        return {**empty, "as_of": series.as_of.isoformat()}
    quarter_total = sum(current.values(), Decimal("0.00"))
    before = [month_value(m.replace(year=m.year - 1)) for m in current]
    known = [v for v in before if v is not None]
    prior_total = sum(known, Decimal("0.00")) if len(known) == len(before) else None
    # No change is defined against a year with nothing (or net returns) to compare with.
    yoy = float(quarter_total / prior_total - 1) if prior_total and prior_total > 0 else None
    return {
        "quarter": str(quarter_total),
        "prior_year": None if prior_total is None else str(prior_total),
        "yoy": yoy,
        "months": len(current),
        "as_of": series.as_of.isoformat(),
    }


def _health(account: Account, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Health and risk of the newest scoring run within the quarter (the nearest to its end)."""
    row = (
        AccountHealth.objects.filter(account=account, as_of__gte=start, as_of__lte=end)
        .order_by("-as_of")
        .only("as_of", "health_score", "risk", "risk_horizon_days")
        .first()
    )
    if row is None:
        return {"score": None, "risk": None, "risk_horizon_days": None, "as_of": None}
    return {
        "score": row.health_score,
        "risk": row.risk,
        "risk_horizon_days": row.risk_horizon_days,
        "as_of": row.as_of.isoformat(),
    }


def _nps(account: Account, start: dt.date, end: dt.date) -> dict[str, Any]:
    # Through the survey figures, so a quarter with too few anonymous answers stays hidden
    # here exactly as it is on the survey pages.
    figure = survey_figures(
        Scope(account_id=account.pk, since=start, until=end), today=end, trend_quarters=1
    ).portfolio
    score = figure.result.score if figure.result is not None else None
    return {"score": score, "responses": figure.n, "hidden": figure.hidden}


def _interactions(account: Account, start: dt.date, end: dt.date) -> dict[str, int]:
    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    counts = Interaction.objects.filter(
        account=account,
        occurred_at__gte=midnight(start),
        occurred_at__lt=midnight(end + dt.timedelta(days=1)),
    ).aggregate(
        strategic=Count("id", filter=Q(is_strategic=True)),
        transactional=Count("id", filter=Q(is_strategic=False)),
    )
    return {"strategic": counts["strategic"], "transactional": counts["transactional"]}


def _milestones(account: Account, start: dt.date, end: dt.date) -> dict[str, list[dict]]:
    wins, issues = [], []
    for m in Milestone.objects.filter(account=account, occurred_on__range=(start, end)).order_by(
        "occurred_on", "id"
    ):
        row = {
            "title": m.title,
            "kind": m.get_kind_display(),
            "occurred_on": m.occurred_on.isoformat(),
        }
        if m.kind == MilestoneKind.SUCCESS:
            wins.append(row)
        else:
            resolved = None if m.resolved_on is None else m.resolved_on.isoformat()
            issues.append({**row, "severity": m.get_severity_display(), "resolved_on": resolved})
    return {"wins": wins, "issues": issues}


# --- writes -------------------------------------------------------------------------------


@transaction.atomic
def review_start(
    account: Account,
    *,
    year: int,
    quarter: int,
    author: User,
    today: dt.date | None = None,
) -> Review:
    """Start the review of a quarter that has begun, with its figures frozen as of now."""
    require_edit(author, account)
    if not 1 <= quarter <= 4:
        raise DomainError("a quarter is 1, 2, 3 or 4", field="quarter")
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise DomainError(f"{year} is not a year", field="year")
    label = quarter_label(year, quarter)
    start, end = Review.bounds(year, quarter)
    today = today or timezone.localdate()
    if start > today:
        raise DomainError(
            f"{label} has not started yet: it starts on {start:%-d %b %Y}", field="quarter"
        )
    if Review.objects.filter(account=account, year=year, quarter=quarter).exists():
        raise DomainError(f"{account.name} already has a review for {label}", field="quarter")
    review = Review(
        account=account,
        year=year,
        quarter=quarter,
        period_start=start,
        period_end=end,
        author=author,
        snapshot=review_prefill(account, year=year, quarter=quarter, today=today),
    )
    validate_and_save(review)
    return review


def _draft_for_update(review: Review, by: User) -> Review:
    require_edit(by, review.account)
    # Locked and re-read, so an edit cannot slip in after a concurrent finalise.
    locked = Review.objects.select_for_update().select_related("account").get(pk=review.pk)
    if locked.status == ReviewStatus.FINAL:
        raise DomainError(
            f"the {locked.period_label} review was finalised on "
            f"{timezone.localtime(locked.finalised_at):%-d %b %Y} and can no longer change"
        )
    return locked


@transaction.atomic
def review_update(
    review: Review, *, achievements: str, improvements: str, next_focus: str, by: User
) -> Review:
    """Record the manager's achievements, improvement areas and next-quarter focus."""
    draft = _draft_for_update(review, by)
    draft.achievements = achievements.strip()
    draft.improvements = improvements.strip()
    draft.next_focus = next_focus.strip()
    validate_and_save(draft)
    return draft


@transaction.atomic
def review_finalise(review: Review, *, by: User) -> Review:
    """Make a review final: from then on it is the record of the quarter, read-only."""
    draft = _draft_for_update(review, by)
    if not draft.achievements:
        raise DomainError("write the achievements before finalising", field="achievements")
    if not draft.improvements:
        raise DomainError("write the improvement areas before finalising", field="improvements")
    draft.status = ReviewStatus.FINAL
    draft.finalised_at = timezone.now()
    validate_and_save(draft)
    return draft


# --- reads --------------------------------------------------------------------------------


def reviews_for_account(account: Account) -> QuerySet[Review]:
    """The account's reviews, newest quarter first, with their authors loaded."""
    return Review.objects.filter(account=account).select_related("author").order_by("-period_start")


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


def review_sheet(review: Review) -> ReviewSheet:
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


def review_comparison(account: Account, *, until: Review | None = None) -> list[ReviewFigures]:
    """The account's reviews side by side, oldest quarter first (up to ``until``'s quarter)."""
    reviews = reviews_for_account(account).order_by("period_start")
    if until is not None:
        reviews = reviews.filter(period_start__lte=until.period_start)
    return [ReviewFigures.of(review) for review in reviews]
