"""The alert rules: each reads the CRM store and says which causes hold today.

A rule is a function from a :class:`RuleContext` to the :class:`Firing` s that hold on the
context's date, one per cause. Rules never write; :func:`tenure.alerts.services.alerts_run`
turns firings into tasks and closes the tasks whose cause no longer fires.

Event rules (a decision maker left, a detractor answer) raise only for events of the last
``lookback_days``, so a first run does not dig up years of history; but a cause that already
has an open task is evaluated whatever its age, so the task closes when the cause is dealt
with and not merely because the event grew old.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypedDict

import polars as pl
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from tenure.accounts.choices import AccountStatus, BuyingRole, TeamRole
from tenure.accounts.models import Account, Position, TeamMembership
from tenure.alerts.choices import AlertRule
from tenure.alerts.models import AlertSettings
from tenure.core.dates import day_label, start_of_day
from tenure.core.figures import money, percent
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint
from tenure.feedback.selectors import detractor_causes
from tenure.health.models import AccountHealth, risk_driver_texts
from tenure.insights.seasonality import DEFAULT_STRENGTH_THRESHOLD, peak_windows
from tenure.planning.choices import ActionStatus
from tenure.planning.models import Action
from tenure.planning.onboarding_selectors import onboarding_in_progress
from tenure.scoring.models import AccountSnapshot
from tenure.scoring.selectors import portfolio_profiles


@dataclass(frozen=True)
class Firing:
    """One cause that holds: the task it should be, if none is open for it yet."""

    account_id: int
    rule: str
    cause_key: str
    title: str
    evidence: str
    evidence_url: str
    due_on: dt.date
    assignee_id: int | None = None  # None: the account's key account manager


@dataclass
class RuleContext:
    """What every rule needs: the date, the thresholds, the accounts, the open causes."""

    as_of: dt.date
    settings: AlertSettings
    accounts: QuerySet[Account]
    open_keys: dict[str, set[tuple[int, str]]] = field(default_factory=dict)

    @property
    def end_of_day(self) -> dt.datetime:
        return start_of_day(self.as_of + dt.timedelta(days=1))

    @property
    def lookback_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.settings.lookback_days)

    def open_causes(self, rule: str) -> set[tuple[int, str]]:
        return self.open_keys.get(rule, set())


def alert_scope() -> QuerySet[Account]:
    """The accounts alerts watch: key accounts and accounts with a key account manager,
    unless churned."""
    managed = TeamMembership.objects.filter(
        account=OuterRef("pk"), role=TeamRole.KEY_ACCOUNT_MANAGER
    )
    return Account.objects.exclude(status=AccountStatus.CHURNED).filter(
        Q(is_key_account=True) | Exists(managed)
    )


class _Pk(TypedDict):
    pk: int


def _ids(ctx: RuleContext) -> QuerySet[Account, _Pk]:
    # A subquery, not a list: the scope may hold more ids than a query may have parameters.
    return ctx.accounts.values("pk")


def _account_url(account_id: int, anchor: str = "", *, tab: str = "") -> str:
    """The account page, on ``tab`` (the first one when empty), at the section ``anchor``."""
    return (
        reverse("accounts:detail", args=[account_id])
        + (f"?tab={tab}" if tab else "")
        + (f"#{anchor}" if anchor else "")
    )


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def health_drop(ctx: RuleContext) -> Iterable[Firing]:
    """Health fell more than the threshold from its high point within the window."""
    days = ctx.settings.health_drop_days
    rows = (
        AccountHealth.objects.filter(
            account_id__in=_ids(ctx),
            as_of__gte=ctx.as_of - dt.timedelta(days=days),
            as_of__lte=ctx.as_of,
            health_score__isnull=False,
        )
        .order_by("account_id", "as_of")
        .values_list("account_id", "as_of", "health_score")
    )
    series: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    for account_id, as_of, score in rows.iterator(chunk_size=5000):
        assert score is not None  # health_score__isnull=False above
        series[account_id].append((as_of, score))
    for account_id, points in series.items():
        latest_on, latest = points[-1]
        high_on, high = max(points[:-1] or points, key=lambda p: (p[1], p[0]))
        drop = high - latest
        if drop <= ctx.settings.health_drop_points:
            continue
        yield Firing(
            account_id=account_id,
            rule=AlertRule.HEALTH_DROP,
            cause_key="",
            title=f"Health fell {drop:.0f} points",
            evidence=(
                f"Health {high:.0f} on {day_label(high_on)}, "
                f"{latest:.0f} on {day_label(latest_on)}: "
                f"down {drop:.0f} points (alert above {ctx.settings.health_drop_points:g} "
                f"within {_days(days)})."
            ),
            evidence_url=_account_url(account_id, "health-h"),
            due_on=ctx.as_of + dt.timedelta(days=3),
        )


def _latestday_label(
    model: type[AccountHealth] | type[AccountSnapshot], as_of: dt.date
) -> dt.date | None:
    # Every scoring run writes a row for every account, so the newest run date is everyone's.
    return model.objects.filter(as_of__lte=as_of).aggregate(latest=Max("as_of"))["latest"]


def high_risk(ctx: RuleContext) -> Iterable[Firing]:
    """The latest churn risk is at or above the threshold."""
    latest = _latestday_label(AccountHealth, ctx.as_of)
    if latest is None:
        return
    threshold = ctx.settings.risk_threshold
    rows = AccountHealth.objects.filter(
        account_id__in=_ids(ctx), as_of=latest, risk__gte=threshold
    ).values_list("account_id", "risk", "risk_horizon_days", "risk_drivers")
    for account_id, risk, horizon, drivers in rows.iterator(chunk_size=5000):
        reasons = "; ".join(risk_driver_texts(drivers))
        within = f" within {horizon} days" if horizon else ""
        yield Firing(
            account_id=account_id,
            rule=AlertRule.HIGH_RISK,
            cause_key="",
            title=f"Churn risk {percent(risk)}",
            evidence=(
                f"Churn risk {percent(risk)}{within} as of {day_label(latest)} "
                f"(alert from {percent(threshold)})." + (f" Why: {reasons}." if reasons else "")
            ),
            evidence_url=_account_url(account_id, "health-h"),
            due_on=ctx.as_of + dt.timedelta(days=7),
        )


def decision_maker_left(ctx: RuleContext) -> Iterable[Firing]:
    """A decision maker left, and no current decision maker has been met since."""
    open_positions = [
        int(key.split(":")[1]) for _, key in ctx.open_causes(AlertRule.DECISION_MAKER_LEFT)
    ]
    left = (
        Position.objects.filter(
            account_id__in=_ids(ctx),
            buying_role=BuyingRole.DECISION_MAKER,
            left_on__isnull=False,
            left_on__lte=ctx.as_of,
        )
        .filter(Q(left_on__gte=ctx.lookback_start) | Q(pk__in=open_positions))
        .values_list("pk", "account_id", "contact_id", "title", "left_on")
    )
    departures: list[tuple[int, int, int, str, dt.date]] = []
    for pk, account_id, contact_id, title, left_on in left:
        assert left_on is not None  # left_on__isnull=False above
        departures.append((pk, account_id, contact_id, title, left_on))
    if not departures:
        return
    accounts = {account_id for _, account_id, _, _, _ in departures}
    current: dict[int, set[int]] = defaultdict(set)
    for account_id, contact_id in Position.objects.filter(
        account_id__in=accounts, buying_role=BuyingRole.DECISION_MAKER, left_on__isnull=True
    ).values_list("account_id", "contact_id"):
        current[account_id].add(contact_id)
    earliest = min(left_on for *_, left_on in departures)
    met: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for account_id, contact_id, at in Interaction.objects.filter(
        account_id__in=accounts,
        contacts__isnull=False,
        occurred_at__gte=start_of_day(earliest),
        occurred_at__lt=ctx.end_of_day,
    ).values_list("account_id", "contacts__id", "occurred_at"):
        met[account_id].append((contact_id, timezone.localdate(at)))
    for pk, account_id, contact_id, title, left_on in departures:
        if any(
            contact in current[account_id] and contact != contact_id and last >= left_on
            for contact, last in met[account_id]
        ):
            continue
        role = f"the {title}" if title else "a contact"
        yield Firing(
            account_id=account_id,
            rule=AlertRule.DECISION_MAKER_LEFT,
            cause_key=f"position:{pk}",
            title=f"Decision maker left ({title})" if title else "Decision maker left",
            evidence=(
                f"A decision maker, {role}, left on {day_label(left_on)}; no current decision "
                "maker has been met since. Find the successor and meet them."
            ),
            evidence_url=reverse("accounts:contact", args=[contact_id]),
            due_on=ctx.as_of + dt.timedelta(days=7),
        )


def no_strategic_contact(ctx: RuleContext) -> Iterable[Firing]:
    """No strategic interaction for longer than the threshold."""
    days = ctx.settings.no_strategic_days
    since = ctx.as_of - dt.timedelta(days=days)
    last_strategic = (
        Interaction.objects.filter(
            account=OuterRef("pk"), is_strategic=True, occurred_at__lt=ctx.end_of_day
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    rows = (
        ctx.accounts.annotate(last=Subquery(last_strategic))
        # A key account named only recently has not had the time to fall behind.
        .exclude(key_account_since__gt=since)
        .filter(Q(last__isnull=True) | Q(last__lt=start_of_day(since)))
        .values_list("pk", "last")
    )
    for account_id, last in rows.iterator(chunk_size=5000):
        if last is None:
            said = "No strategic interaction has been logged."
        else:
            on = timezone.localdate(last)
            ago = _days((ctx.as_of - on).days)
            said = f"The last strategic interaction was on {day_label(on)}, {ago} ago."
        yield Firing(
            account_id=account_id,
            rule=AlertRule.NO_STRATEGIC_CONTACT,
            cause_key="",
            title=f"No strategic contact in {days} days",
            evidence=f"{said} Alert after {_days(days)}.",
            evidence_url=reverse("engagement:log", args=[account_id]),
            due_on=ctx.as_of + dt.timedelta(days=7),
        )


def detractor(ctx: RuleContext) -> Iterable[Firing]:
    """Detractor answers (NPS 0–6) not yet followed up.

    The answers come as ``feedback.selectors.detractor_causes`` gives them, under the
    anonymity rule: a named answer with its score and day; anonymous answers of a campaign
    and quarter together, without score, day or response, once the campaign has stopped
    taking answers and only where the account's group is shown. Followed up means a
    strategic interaction with the account after the answers, or, when the respondent
    agreed to be named, any interaction with them. An anonymous answer is never matched to
    its respondent: that would tell the manager who it was.
    """
    causes = detractor_causes(
        account_ids=_ids(ctx),
        since=ctx.lookback_start,
        as_of=ctx.as_of,
        keys=[key for _, key in ctx.open_causes(AlertRule.DETRACTOR)],
    )
    if not causes:
        return
    accounts = {c.account_id for c in causes}
    interactions = defaultdict(list)
    for account_id, occurred_at, strategic, contact_id in Interaction.objects.filter(
        account_id__in=accounts, occurred_at__lt=ctx.end_of_day
    ).values_list("account_id", "occurred_at", "is_strategic", "contacts__id"):
        interactions[account_id].append((occurred_at, strategic, contact_id))
    for cause in causes:
        if any(
            at > cause.answered_at and (strategic or (cause.named and who == cause.contact_id))
            for at, strategic, who in interactions[cause.account_id]
        ):
            continue
        if cause.named and cause.answered_on is not None:
            title = f"Detractor answer: NPS {cause.score}"
            said = (
                f"NPS {cause.score} from a named respondent on {day_label(cause.answered_on)} "
                f"in “{cause.campaign}”."
            )
        else:
            title = "Detractor answers from anonymous respondents"
            said = (
                f"Someone who answered anonymously in “{cause.campaign}” ({cause.period}) "
                "gave 6 or less."
            )
        yield Firing(
            account_id=cause.account_id,
            rule=AlertRule.DETRACTOR,
            cause_key=cause.key,
            title=title,
            evidence=f"{said} Follow up with a strategic conversation.",
            evidence_url=reverse("feedback:campaign", args=[cause.campaign_id]),
            due_on=ctx.as_of + dt.timedelta(days=2),
        )


def peak_unprepared(ctx: RuleContext) -> Iterable[Firing]:
    """A seasonal peak starts within the warning weeks with nothing planned before it."""
    weeks = ctx.settings.peak_weeks
    profiles = portfolio_profiles(account_ids=_ids(ctx))
    seasonal = profiles.filter(
        pl.col("strength").is_not_null() & (pl.col("strength") >= DEFAULT_STRENGTH_THRESHOLD)
    )
    upcoming: list[tuple[int, dt.date, str]] = []
    for account_id, indices in zip(
        seasonal["account_id"].to_list(), seasonal["indices"].to_list(), strict=True
    ):
        for window in peak_windows(indices):
            starts = window.next_start(ctx.as_of)
            if (starts - ctx.as_of).days <= weeks * 7:
                upcoming.append((account_id, starts, window.label))
    if not upcoming:
        return
    # Prepared: something planned or done in the run-up (twice the warning time), or a
    # conversation held in it.
    earliest = min(s for _, s, _ in upcoming) - dt.timedelta(weeks=2 * weeks)
    accounts = {a for a, _, _ in upcoming}
    touches: dict[int, list[dt.date]] = defaultdict(list)
    for account_id, on in Touchpoint.objects.filter(
        account_id__in=accounts,
        scheduled_on__gte=earliest,
        status__in=[TouchpointStatus.PLANNED, TouchpointStatus.DONE],
    ).values_list("account_id", "scheduled_on"):
        touches[account_id].append(on)
    for account_id, at in Interaction.objects.filter(
        account_id__in=accounts,
        occurred_at__gte=start_of_day(earliest),
        occurred_at__lt=ctx.end_of_day,
    ).values_list("account_id", "occurred_at"):
        touches[account_id].append(timezone.localdate(at))
    for account_id, starts, label in upcoming:
        run_up = starts - dt.timedelta(weeks=2 * weeks)
        if any(run_up <= on <= starts for on in touches[account_id]):
            continue
        yield Firing(
            account_id=account_id,
            rule=AlertRule.PEAK_UNPREPARED,
            cause_key=f"peak:{starts.isoformat()}",
            title=f"{label} peak in {_days((starts - ctx.as_of).days)}, nothing planned",
            evidence=(
                f"The {label} peak starts on {day_label(starts)}; no touchpoint is planned and no "
                f"conversation was held in the {2 * weeks} weeks before it."
            ),
            # The account page's "Cadence and coming up" section, not its htmx fragment.
            evidence_url=_account_url(account_id, "account-upcoming", tab="timeline"),
            due_on=max(ctx.as_of, starts - dt.timedelta(weeks=max(weeks - 2, 1))),
        )


def revenue_down(ctx: RuleContext) -> Iterable[Firing]:
    """Trailing-12-month revenue fell more than the threshold against the 12 months before."""
    latest = _latestday_label(AccountSnapshot, ctx.as_of)
    if latest is None:
        return
    limit = ctx.settings.revenue_drop_percent
    rows = AccountSnapshot.objects.filter(
        account_id__in=_ids(ctx),
        as_of=latest,
        revenue_prev12m__gt=0,
        growth__lt=-limit / 100,
    ).values_list("account_id", "revenue_t12m", "revenue_prev12m", "growth", "run__currency")
    for account_id, now, before, growth, currency in rows.iterator(chunk_size=5000):
        assert growth is not None  # growth__lt above
        yield Firing(
            account_id=account_id,
            rule=AlertRule.REVENUE_DOWN,
            cause_key="",
            title=f"Revenue down {-growth:.0%} year over year",
            evidence=(
                f"Trailing 12 months to {day_label(latest)}: {money(now, currency)}, against "
                f"{money(before, currency)} "
                f"the 12 months before ({growth:+.0%}; alert below −{limit:g} %)."
            ),
            evidence_url=_account_url(account_id, "revenue-h"),
            due_on=ctx.as_of + dt.timedelta(days=7),
        )


def overdue_action(ctx: RuleContext) -> Iterable[Firing]:
    """An open plan action is past its due date: a task for the action's owner."""
    rows = Action.objects.filter(
        status=ActionStatus.OPEN, due_on__lt=ctx.as_of, plan__account_id__in=_ids(ctx)
    ).values_list("pk", "plan__account_id", "plan_id", "plan__title", "title", "due_on", "owner_id")
    for pk, account_id, plan_id, plan_title, title, due_on, owner_id in rows.iterator(
        chunk_size=5000
    ):
        late = (ctx.as_of - due_on).days
        yield Firing(
            account_id=account_id,
            rule=AlertRule.OVERDUE_ACTION,
            cause_key=f"action:{pk}",
            title=f"Overdue: {title}"[:200],
            evidence=(
                f"“{title}” in the plan “{plan_title}” was due on {day_label(due_on)}, "
                f"{_days(late)} ago."
            ),
            evidence_url=reverse("planning:plan", args=[plan_id]),
            due_on=ctx.as_of,
            assignee_id=owner_id,
        )


def onboarding_overdue(ctx: RuleContext) -> Iterable[Firing]:
    """A step of a new key account's onboarding is past its due date and not done: one
    task per step for the account's key account manager. A step that is ticked, or whose
    check comes to hold, clears its task."""
    for progress in onboarding_in_progress(as_of=ctx.as_of, accounts=ctx.accounts):
        account = progress.account
        for status in progress.steps:
            if not status.overdue:
                continue
            step = status.step
            yield Firing(
                account_id=account.pk,
                rule=AlertRule.ONBOARDING_OVERDUE,
                cause_key=f"onboarding_step:{step.pk}",
                title=f"Onboarding overdue: {step.title}"[:200],
                evidence=(
                    f"“{step.title}” was due on {day_label(step.due_on)}, "
                    f"{_days((ctx.as_of - step.due_on).days)} ago; {progress.done} of "
                    f"{progress.total} onboarding steps done since {account.name} became a key "
                    f"account on {day_label(progress.onboarding.started_on)}."
                ),
                evidence_url=reverse("planning:onboarding", args=[account.pk]),
                due_on=ctx.as_of,
            )


RULES: dict[str, Callable[[RuleContext], Iterable[Firing]]] = {
    AlertRule.HEALTH_DROP: health_drop,
    AlertRule.HIGH_RISK: high_risk,
    AlertRule.DECISION_MAKER_LEFT: decision_maker_left,
    AlertRule.NO_STRATEGIC_CONTACT: no_strategic_contact,
    AlertRule.DETRACTOR: detractor,
    AlertRule.PEAK_UNPREPARED: peak_unprepared,
    AlertRule.REVENUE_DOWN: revenue_down,
    AlertRule.OVERDUE_ACTION: overdue_action,
    AlertRule.ONBOARDING_OVERDUE: onboarding_overdue,
}

#: What a cleared task says about why it closed.
CLEARED: dict[str, str] = {
    AlertRule.HEALTH_DROP: "health recovered or the drop left the window",
    AlertRule.HIGH_RISK: "churn risk fell below the threshold",
    AlertRule.DECISION_MAKER_LEFT: "a current decision maker has been met since",
    AlertRule.NO_STRATEGIC_CONTACT: "a strategic interaction was logged",
    AlertRule.DETRACTOR: "the answer was followed up",
    AlertRule.PEAK_UNPREPARED: "a touchpoint is planned, or the peak began",
    AlertRule.REVENUE_DOWN: "trailing revenue recovered above the threshold",
    AlertRule.OVERDUE_ACTION: "the action was finished or rescheduled",
    AlertRule.ONBOARDING_OVERDUE: "the onboarding step was done",
}
