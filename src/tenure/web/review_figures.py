"""The figures a quarterly review starts from, gathered from the app that owns each one.

Goals and milestones from planning, monthly revenue and health from the scoring run, NPS
from the survey figures (under their anonymity rule), interactions from engagement, never
from the ledger. Gathering reads several apps, so it happens here; planning only freezes
the result (:class:`~tenure.planning.reviews.QuarterFigures`) in ``review_start``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.core.numbers import money_or_none
from tenure.engagement.models import Interaction
from tenure.feedback.selectors import Scope, survey_figures
from tenure.health.models import AccountHealth
from tenure.planning.reviews import QuarterFigures, quarter_bounds
from tenure.planning.selectors import quarter_goals, quarter_milestones
from tenure.scoring.models import RevenueSeries


def quarter_figures(*, account: Account, year: int, quarter: int, today: dt.date) -> QuarterFigures:
    """Every figure of ``account``'s quarter as it stands on ``today``."""
    start, end = quarter_bounds(year, quarter)
    milestones = quarter_milestones(account=account, start=start, end=end)
    return QuarterFigures(
        account_id=account.pk,
        year=year,
        quarter=quarter,
        taken_on=today,
        goals=quarter_goals(account=account, start=start, end=end),
        revenue=_revenue(account, start),
        health=_health(account, start, end),
        nps=_nps(account, start, end),
        interactions=_interactions(account, start, end),
        wins=milestones["wins"],
        issues=milestones["issues"],
    )


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
        scope=Scope(account_id=account.pk, since=start, until=end), today=end, trend_quarters=1
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
