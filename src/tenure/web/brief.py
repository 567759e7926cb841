"""The meeting brief: one page to read before the next meeting with an account.

It gathers what the account page spreads over many sections — the people and when we last
spoke to them, wins to mention, open issues, the plan's open actions, the latest survey
answers, revenue and its seasonal outlook, health and risk — and derives a suggested agenda
from them in a fixed order, so the same records always give the same brief.

Everything is read from the CRM store (the scoring run's snapshots stand in for the
ledger). Names and birthdays appear only for readers who may see personal data; survey
answers follow ``feedback.anonymity``'s rule, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.utils import timezone

from tenure.accounts.choices import BuyingRole, TeamRole
from tenure.accounts.models import Account, Position
from tenure.accounts.permissions import AnyUser, can_see_personal_data
from tenure.engagement.cadence import policy_for
from tenure.engagement.calendar import birthday_between
from tenure.engagement.choices import TouchpointKind, TouchpointStatus
from tenure.engagement.models import Touchpoint
from tenure.engagement.selectors import positions_with_last_contact
from tenure.feedback.anonymity import NpsFigure
from tenure.feedback.audience import reader_scope
from tenure.feedback.selectors import account_sentiment, survey_figures
from tenure.feedback.sentiment import AccountSentiment
from tenure.growth.choices import OpportunityStatus
from tenure.growth.models import Opportunity
from tenure.growth.selectors import account_opportunities
from tenure.health.engagement_features import DECISION_ROLES
from tenure.health.selectors import account_health_panel
from tenure.insights.nps import DETRACTOR_MAX
from tenure.insights.seasonality import MonthlyPanel
from tenure.planning.choices import ActionStatus, MilestoneKind, Severity
from tenure.planning.models import Action, Milestone
from tenure.scoring.selectors import stored_panel
from tenure.web.brief_agenda import AgendaItem, suggested_agenda
from tenure.web.brief_outlook import (
    HealthSummary,
    RevenueSummary,
    SeasonalOutlook,
    health_summary,
    revenue_summary,
    seasonal_outlook,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import WithAnnotations

__all__ = [
    "FeedbackAnswer",
    "FeedbackDigest",
    "MeetingBrief",
    "NextMeeting",
    "OpenAction",
    "Stakeholder",
    "meeting_brief",
]

#: Without a cadence policy's strategic rhythm, a person is "not contacted lately" after this.
STALE_DAYS = 90
#: Wins older than this are no longer news.
WIN_DAYS = 180
#: The touchpoint kinds that are meetings with the customer.
MEETING_KINDS = (TouchpointKind.MEETING, TouchpointKind.BUSINESS_REVIEW)
#: Birthdays within this many days of today (or of the meeting) are worth knowing.
BIRTHDAY_DAYS = 30

_SEVERITY_ORDER = {s: i for i, s in enumerate(reversed(Severity.values))}
_ROLE_ORDER = {r: i for i, r in enumerate(BuyingRole.values)}


@dataclass(frozen=True)
class NextMeeting:
    """The next planned meeting or business review; ``attendee`` is their person, if named."""

    scheduled_on: dt.date
    kind: str
    title: str
    owner: str
    attendee: str
    days_away: int


@dataclass(frozen=True)
class Stakeholder:
    """A current contact as the brief shows them: ``name`` is empty without personal data."""

    name: str
    role: str
    role_key: str
    title: str
    department: str
    strength: int
    last_contacted_on: dt.date | None
    days_since_contact: int | None
    stale: bool
    attending: bool
    birthday_on: dt.date | None

    @property
    def label(self) -> str:
        """The name, else the role and title: how the agenda refers to the person."""
        if self.name:
            return self.name
        title = f" ({self.title})" if self.title else ""
        return f"the {self.role.lower()}{title}" if self.role else f"a contact{title}"

    @property
    def is_decision_maker(self) -> bool:
        return self.role_key in DECISION_ROLES

    @property
    def never_contacted(self) -> bool:
        return self.last_contacted_on is None


@dataclass(frozen=True)
class OpenAction:
    title: str
    owner: str
    due_on: dt.date
    plan: str
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class FeedbackAnswer:
    """One survey answer that may be shown: ``respondent`` only when named and allowed."""

    respondent: str
    answered_on: dt.date | None
    period: str
    score: int | None
    comments: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackDigest:
    """The account's survey signal over the last 12 months, under the anonymity rule."""

    sentiment: AccountSentiment
    min_group: int
    detractors: tuple[FeedbackAnswer, ...]
    comments: tuple[FeedbackAnswer, ...]

    @property
    def nps(self) -> NpsFigure:
        return self.sentiment.nps

    @property
    def has_answers(self) -> bool:
        return self.sentiment.nps.n > 0


@dataclass(frozen=True)
class MeetingBrief:
    """Everything the brief shows about one account, as of ``today``."""

    account: Account
    today: dt.date
    personal_data: bool
    meeting: NextMeeting | None
    team: tuple[tuple[str, str], ...]
    stakeholders: tuple[Stakeholder, ...]
    stale_days: int
    rhythm_source: str
    wins: tuple[Milestone, ...]
    issues: tuple[Milestone, ...]
    actions: tuple[OpenAction, ...]
    feedback: FeedbackDigest
    revenue: RevenueSummary | None
    outlook: SeasonalOutlook | None
    health: HealthSummary | None
    opportunities: tuple[Opportunity, ...]
    agenda: tuple[AgendaItem, ...]

    @property
    def overdue_actions(self) -> tuple[OpenAction, ...]:
        return tuple(a for a in self.actions if a.overdue)


def meeting_brief(account: Account, *, today: dt.date, user: AnyUser | None) -> MeetingBrief:
    """The brief for ``account`` as of ``today``, as ``user`` may see it.

    Reads a fixed number of queries whatever the number of people, issues or answers.
    The caller checks that ``user`` may see the account (``account_guard``).
    """
    personal = can_see_personal_data(user)
    planned = list(
        Touchpoint.objects.filter(
            account=account, status=TouchpointStatus.PLANNED, scheduled_on__gte=today
        )
        .select_related("owner", "contact")
        .order_by("scheduled_on", "id")
    )
    meeting_row = next((t for t in planned if t.kind in MEETING_KINDS), None)
    policy = policy_for(account)
    stale_days = policy.strategic_every_days or STALE_DAYS
    stakeholders = _stakeholders(
        account,
        today=today,
        stale_days=stale_days,
        personal=personal,
        attending=meeting_row.contact_id if meeting_row else None,
        birthday_until=max(today, meeting_row.scheduled_on if meeting_row else today)
        + dt.timedelta(days=BIRTHDAY_DAYS),
    )
    meeting = _meeting(meeting_row, today, stakeholders) if meeting_row else None
    wins, issues = _milestones(account, today)
    panel = _revenue_panel(account)
    preparation = next(
        (t.scheduled_on for t in planned if t.kind == TouchpointKind.SEASONAL_PREPARATION), None
    )
    outlook = seasonal_outlook(panel, today, preparation) if panel is not None else None
    feedback = _feedback(account, today, user)
    opportunities = tuple(
        o
        for o in account_opportunities(account_id=account.pk)
        if o.status == OpportunityStatus.OFFERED
        or (o.status == OpportunityStatus.SUGGESTED and o.shown)
    )
    actions = _actions(account, today)
    health = account_health_panel(account.pk)
    return MeetingBrief(
        account=account,
        today=today,
        personal_data=personal,
        meeting=meeting,
        team=_team(account),
        stakeholders=stakeholders,
        stale_days=stale_days,
        rhythm_source=policy.source if policy.strategic_every_days else "",
        wins=wins,
        issues=issues,
        actions=actions,
        feedback=feedback,
        revenue=revenue_summary(account, panel, health),
        outlook=outlook,
        health=health_summary(health),
        opportunities=opportunities,
        agenda=suggested_agenda(
            issues=issues,
            actions=actions,
            outlook=outlook,
            today=today,
            opportunities=opportunities,
            feedback=feedback,
            stakeholders=stakeholders,
            wins=wins,
        ),
    )


def _revenue_panel(account: Account) -> MonthlyPanel | None:
    """The account's complete months of stored revenue, or None before there are any."""
    try:
        panel = stored_panel(account_ids=[account.pk])
    except ValueError:
        # A series still inside its first month has no complete month to build on.
        return None
    if not panel.account_ids or int(panel.history_months[0]) == 0:
        return None
    return panel


# --- people --------------------------------------------------------------------------------


class _LastContact(TypedDict):
    last_contact_at: dt.datetime | None


def _stakeholders(
    account: Account,
    *,
    today: dt.date,
    stale_days: int,
    personal: bool,
    attending: int | None,
    birthday_until: dt.date,
) -> tuple[Stakeholder, ...]:
    # The plugin cannot see the last_contact_at the selector annotates.
    positions = cast(
        "QuerySet[WithAnnotations[Position, _LastContact]]",
        positions_with_last_contact().filter(account=account, left_on__isnull=True),
    )
    people = []
    for position in positions:
        contact = position.contact
        last = timezone.localdate(position.last_contact_at) if position.last_contact_at else None
        days = (today - last).days if last else None
        birthday = (
            birthday_between(contact.birthday, today, birthday_until)
            if personal and contact.birthday
            else None
        )
        people.append(
            Stakeholder(
                name=contact.full_name if personal else "",
                role=str(position.get_buying_role_display()) if position.buying_role else "",
                role_key=position.buying_role,
                title=position.title,
                department=position.department,
                strength=position.strength,
                last_contacted_on=last,
                days_since_contact=days,
                stale=days is None or days > stale_days,
                attending=contact.pk == attending,
                birthday_on=birthday,
            )
        )
    # Who is in the room first, then the buying centre from the top, the warmest first.
    people.sort(
        key=lambda s: (not s.attending, _ROLE_ORDER.get(s.role_key, len(_ROLE_ORDER)), -s.strength)
    )
    return tuple(people)


def _meeting(row: Touchpoint, today: dt.date, people: tuple[Stakeholder, ...]) -> NextMeeting:
    owner = row.owner
    attendee = next((s for s in people if s.attending), None)
    return NextMeeting(
        scheduled_on=row.scheduled_on,
        kind=str(row.get_kind_display()),
        title=row.title or str(row.get_kind_display()),
        owner=(owner.get_full_name() or owner.get_username()) if owner else "",
        attendee=attendee.label if attendee else "",
        days_away=(row.scheduled_on - today).days,
    )


def _team(account: Account) -> tuple[tuple[str, str], ...]:
    members = account.team.select_related("user").order_by("role", "id")
    rows = [
        (m.user.get_full_name() or m.user.get_username(), str(m.get_role_display()), m.role)
        for m in members
    ]
    rows.sort(key=lambda r: r[2] != TeamRole.KEY_ACCOUNT_MANAGER)
    return tuple((name, role) for name, role, _ in rows)


# --- plan, wins and issues -----------------------------------------------------------------


def _milestones(
    account: Account, today: dt.date
) -> tuple[tuple[Milestone, ...], tuple[Milestone, ...]]:
    since = today - dt.timedelta(days=WIN_DAYS)
    mine = Milestone.objects.filter(account=account)
    recent_wins = mine.filter(
        kind=MilestoneKind.SUCCESS, occurred_on__gte=since, occurred_on__lte=today
    )
    rows = recent_wins | mine.open_issues()
    wins = tuple(m for m in rows if m.is_win)
    issues = sorted(
        (m for m in rows if not m.is_win),
        key=lambda m: (_SEVERITY_ORDER.get(m.severity, 0), m.occurred_on, m.pk),
    )
    return wins, tuple(issues)


def _actions(account: Account, today: dt.date) -> tuple[OpenAction, ...]:
    rows = (
        Action.objects.filter(plan__account=account, status=ActionStatus.OPEN)
        .select_related("owner", "plan")
        .order_by("due_on", "id")
    )
    return tuple(
        OpenAction(
            title=a.title,
            owner=a.owner.get_full_name() or a.owner.get_username(),
            due_on=a.due_on,
            plan=a.plan.title,
            days_overdue=max(0, (today - a.due_on).days),
        )
        for a in rows
    )


# --- feedback ------------------------------------------------------------------------------


def _feedback(account: Account, today: dt.date, user: AnyUser | None) -> FeedbackDigest:
    # Names as on every page: with the respondent's consent, to a reader who may see them.
    scope = reader_scope(user, account=account)
    figures = survey_figures(scope=scope, today=today, trend_quarters=1)
    detractors = tuple(
        FeedbackAnswer(
            respondent=n.respondent,
            answered_on=n.answered_on,
            period="",
            score=n.nps,
            comments=tuple(text for _, text in n.comments if text),
        )
        for n in figures.named
        if n.nps is not None and n.nps <= DETRACTOR_MAX
    )
    shown = {text for d in detractors for text in d.comments}
    comments = tuple(
        FeedbackAnswer(
            respondent=c.respondent,
            answered_on=c.answered_on,
            period=c.period,
            score=None,
            comments=(c.text,),
        )
        for c in figures.comments
        if c.text not in shown
    )[:3]
    return FeedbackDigest(
        sentiment=account_sentiment(account, today=today),
        min_group=figures.min_group,
        detractors=detractors[:3],
        comments=comments,
    )
