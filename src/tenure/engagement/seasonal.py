"""Proactive support windows: a preparation touchpoint some weeks before each peak.

For every account whose revenue is seasonal enough (the strength of seasonality of
``tenure.insights.seasonality`` at or above a threshold), and for each of its peak windows
starting within the horizon, a "seasonal preparation" touchpoint is planned
``lead_weeks`` before the peak, owned by the account's key account manager and titled
after the peak ("Prepare for the August–October peak").

Re-runs never duplicate: a ``SeasonalPreparation`` row records each (account, peak) that
was planned, with a database constraint on (account, first day of the peak). A peak whose
estimated start moved a little between runs (the profile is re-estimated every scoring
run) is the same peak: nothing is planned within ``SAME_PEAK_DAYS`` of an earlier one.
Deleting the touchpoint keeps the record, so a dismissed preparation stays dismissed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from tenure.accounts.choices import AccountStatus, TeamRole
from tenure.accounts.models import Account, TeamMembership
from tenure.audit.services import audit_record_bulk
from tenure.core.bulk_insert import create_all
from tenure.core.validation import check_rows
from tenure.engagement.cadence import cadence_check
from tenure.engagement.choices import TouchpointKind
from tenure.engagement.models import SeasonalPreparation, Touchpoint
from tenure.engagement.services import touchpoint_plan
from tenure.insights.seasonality import (
    DEFAULT_STRENGTH_THRESHOLD,
    add_months,
    peak_windows,
)

__all__ = [
    "DEFAULT_LEAD_WEEKS",
    "SAME_PEAK_DAYS",
    "SeasonalPlan",
    "last_complete_month",
    "seasonal_touchpoints_plan",
]

DEFAULT_LEAD_WEEKS = 6
#: An earlier preparation within this many days of a peak's start is for the same peak.
SAME_PEAK_DAYS = 45


def last_complete_month(as_of: dt.date) -> dt.date:
    """The first day of the last month wholly on or before ``as_of``."""
    month_end = calendar.monthrange(as_of.year, as_of.month)[1]
    this_month = as_of.replace(day=1)
    return this_month if as_of.day == month_end else add_months(this_month, -1)


@dataclass
class SeasonalPlan:
    """What a run of :func:`seasonal_touchpoints_plan` did (or, dry, would do).

    ``planned`` counts the touchpoints planned (or that would be); ``created`` holds them
    (empty on a dry run); ``late`` of them fall today because the peak is nearer than the
    lead time; ``warnings`` are the cadence warnings for the new touchpoints.
    """

    seasonal_accounts: int = 0
    planned: int = 0
    created: list[Touchpoint] = field(default_factory=list)
    already_planned: int = 0
    without_manager: int = 0
    late: int = 0
    warnings: list[tuple[Account, str]] = field(default_factory=list)


@transaction.atomic
def seasonal_touchpoints_plan(
    *,
    today: dt.date,
    profiles: pl.DataFrame,
    lead_weeks: int = DEFAULT_LEAD_WEEKS,
    strength_threshold: float = DEFAULT_STRENGTH_THRESHOLD,
    horizon_days: int = 365,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SeasonalPlan:
    """Plan a preparation touchpoint before each upcoming peak of every seasonal account.

    Parameters
    ----------
    today : datetime.date
        The day of the run; peaks starting from this day on are upcoming.
    lead_weeks : int
        How long before a peak's first day the touchpoint falls. When that day has passed
        but the peak has not started, the touchpoint is planned for ``today`` (``late``).
    strength_threshold : float
        Accounts from this strength of seasonality on are seasonal.
    horizon_days : int
        Peaks starting within this many days are planned for.
    profiles : polars.DataFrame
        Seasonal profiles (:func:`tenure.insights.seasonality.seasonal_profile`'s frame,
        keyed by ``account_id``): the scoring run passes those of its own monthly revenue,
        ``tenure touchpoints`` those of the stored series.
    dry_run : bool
        Count what would be planned, write nothing.
    """
    if lead_weeks < 0:
        raise ValueError("lead_weeks cannot be negative")
    seasonal = profiles.filter(
        pl.col("strength").is_not_null() & (pl.col("strength") >= strength_threshold)
    )
    wanted = dict(zip(seasonal["account_id"].to_list(), seasonal["indices"].to_list(), strict=True))
    accounts = Account.objects.filter(pk__in=list(wanted)).exclude(status=AccountStatus.CHURNED)
    managers = dict(
        TeamMembership.objects.filter(
            account_id__in=list(wanted), role=TeamRole.KEY_ACCOUNT_MANAGER
        ).values_list("account_id", "user")
    )
    earlier: dict[int, list[dt.date]] = {}
    for account_id, starts_on in SeasonalPreparation.objects.filter(
        account_id__in=list(wanted)
    ).values_list("account_id", "peak_starts_on"):
        earlier.setdefault(account_id, []).append(starts_on)
    owners = {u.pk: u for u in get_user_model().objects.filter(pk__in=set(managers.values()))}

    plan = SeasonalPlan()
    pending: list[_Pending] = []
    horizon = today + dt.timedelta(days=horizon_days)
    for account in accounts.order_by("name", "pk"):
        plan.seasonal_accounts += 1
        for window in peak_windows(wanted[account.pk]):
            peak_start = window.next_start(today)
            if peak_start > horizon:
                continue
            known = earlier.setdefault(account.pk, [])
            if any(abs((peak_start - d).days) <= SAME_PEAK_DAYS for d in known):
                plan.already_planned += 1
                continue
            scheduled = peak_start - dt.timedelta(weeks=lead_weeks)
            if scheduled < today:
                scheduled = today
                plan.late += 1
            owner = owners.get(managers.get(account.pk, -1))
            if owner is None:
                plan.without_manager += 1
            known.append(peak_start)
            pending.append(_Pending(account, window.label, peak_start, scheduled, owner))
        if progress and plan.seasonal_accounts % 1000 == 0:
            progress(f"  {plan.seasonal_accounts:,} seasonal accounts looked at")
    if dry_run:
        plan.planned = len(pending)
        transaction.set_rollback(True)
        return plan
    created = _plan_all(pending)
    plan.planned = len(created)
    plan.already_planned += len(pending) - len(created)
    plan.created = [touchpoint for _, touchpoint in created]
    for item, touchpoint in created:
        # Warnings are for the owner to read; a touchpoint nobody owns warns nobody.
        if touchpoint.owner_id is not None:
            plan.warnings += [
                (item.account, w)
                for w in cadence_check(account=item.account, on=item.scheduled, today=today)
            ]
    return plan


@dataclass(frozen=True)
class _Pending:
    account: Account
    label: str
    peak_start: dt.date
    scheduled: dt.date
    owner: User | None

    @property
    def title(self) -> str:
        return f"Prepare for the {self.label} peak"


def _plan_all(pending: list[_Pending]) -> list[tuple[_Pending, Touchpoint]]:
    """Create the touchpoints and their records in bulk; one by one if a concurrent run
    planned some of the same peaks meanwhile (the constraint refuses the bulk insert).

    A first run on a large portfolio plans thousands at once: one insert per touchpoint
    with its checks took most of the scoring run.
    """
    if not pending:
        return []
    touchpoints = [
        Touchpoint(
            account=item.account,
            scheduled_on=item.scheduled,
            kind=TouchpointKind.SEASONAL_PREPARATION,
            title=item.title,
            owner=item.owner,
        )
        for item in pending
    ]
    check_rows(touchpoints, label="seasonal touchpoint")
    try:
        with transaction.atomic():
            create_all(Touchpoint, touchpoints)
            create_all(
                SeasonalPreparation,
                (
                    SeasonalPreparation(
                        account=item.account,
                        peak_starts_on=item.peak_start,
                        peak_label=item.label,
                        touchpoint=touchpoint,
                    )
                    for item, touchpoint in zip(pending, touchpoints, strict=True)
                ),
            )
    except IntegrityError:
        one_by_one = [
            (item, _plan_one(item.account, item.label, item.peak_start, item.scheduled, item.owner))
            for item in pending
        ]
        return [(item, t) for item, t in one_by_one if t is not None]
    audit_record_bulk(
        model=Touchpoint, action="create", count=len(touchpoints), note="seasonal preparation"
    )
    return list(zip(pending, touchpoints, strict=True))


def _plan_one(
    account: Account,
    label: str,
    peak_start: dt.date,
    scheduled: dt.date,
    owner: User | None,
) -> Touchpoint | None:
    """One touchpoint and its record; ``None`` if a concurrent run planned this peak."""
    try:
        with transaction.atomic():
            touchpoint = touchpoint_plan(
                account=account,
                scheduled_on=scheduled,
                kind=TouchpointKind.SEASONAL_PREPARATION,
                title=f"Prepare for the {label} peak",
                owner=owner,
            )
            SeasonalPreparation.objects.create(
                account=account,
                peak_starts_on=peak_start,
                peak_label=label,
                touchpoint=touchpoint,
            )
    except IntegrityError:
        return None
    return touchpoint
