"""The brief's suggested agenda, derived from its sections in a fixed order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.core.dates import day_label
from tenure.growth.choices import OpportunityStatus
from tenure.growth.models import Opportunity
from tenure.planning.models import Milestone

if TYPE_CHECKING:
    from tenure.web.brief import FeedbackDigest, OpenAction, Stakeholder
    from tenure.web.brief_outlook import SeasonalOutlook

__all__ = ["AgendaItem", "suggested_agenda"]

#: A peak starting within this many days goes on the agenda.
PEAK_SOON_DAYS = 120
#: Most items of one kind on the agenda: a meeting has room for a handful of topics.
AGENDA_PER_TOPIC = 3


@dataclass(frozen=True)
class AgendaItem:
    topic: str
    text: str


def suggested_agenda(
    *,
    issues: tuple[Milestone, ...],
    actions: tuple[OpenAction, ...],
    outlook: SeasonalOutlook | None,
    today: dt.date,
    opportunities: tuple[Opportunity, ...],
    feedback: FeedbackDigest,
    stakeholders: tuple[Stakeholder, ...],
    wins: tuple[Milestone, ...],
) -> tuple[AgendaItem, ...]:
    """Topics for the meeting, in a fixed order: what hurts the customer first (open
    issues, then what we promised and have not done), then what is coming (the season,
    growth), then what they told us, who we are losing touch with, and the good news.
    """
    items: list[AgendaItem] = []
    for issue in issues[:AGENDA_PER_TOPIC]:
        items.append(
            AgendaItem(
                "issue",
                f"Address the open issue “{issue.title}” ({issue.get_severity_display().lower()} "
                f"{issue.get_kind_display().lower()}, open since {day_label(issue.occurred_on)}).",
            )
        )
    for action in [a for a in actions if a.overdue][:AGENDA_PER_TOPIC]:
        items.append(
            AgendaItem(
                "action",
                f"Report on the overdue action “{action.title}” (due {day_label(action.due_on)}, "
                f"{action.owner}).",
            )
        )
    if outlook is not None and outlook.current_peak:
        items.append(
            AgendaItem("season", f"Check how the {outlook.current_peak} peak is going for them.")
        )
    elif (
        outlook is not None
        and outlook.next_peak_starts_on is not None
        and (outlook.next_peak_starts_on - today).days <= PEAK_SOON_DAYS
    ):
        items.append(
            AgendaItem(
                "season",
                f"Prepare the {outlook.next_peak} peak (from "
                f"{day_label(outlook.next_peak_starts_on)}): volumes, stock and delivery dates.",
            )
        )
    for opportunity in opportunities[:AGENDA_PER_TOPIC]:
        if opportunity.status == OpportunityStatus.OFFERED:
            text = f"Ask for their decision on the {opportunity.category} offer."
        else:
            text = f"Explore {opportunity.category}: {opportunity.evidence}."
        items.append(AgendaItem("growth", text))
    items += _feedback_items(feedback)
    items += _people_items(stakeholders)
    for win in wins[:AGENDA_PER_TOPIC]:
        items.append(
            AgendaItem("win", f"Mention the win: {win.title} ({day_label(win.occurred_on)}).")
        )
    return tuple(items)


def _feedback_items(feedback: FeedbackDigest) -> list[AgendaItem]:
    items = []
    for answer in feedback.detractors[:AGENDA_PER_TOPIC]:
        who = answer.respondent or "a respondent who agreed to be named"
        when = day_label(answer.answered_on) if answer.answered_on else answer.period
        items.append(
            AgendaItem(
                "feedback", f"Follow up on the survey answer of {who} ({answer.score}/10, {when})."
            )
        )
    nps = feedback.nps.result
    if not items and feedback.sentiment.last_detractor_on is not None:
        items.append(
            AgendaItem(
                "feedback",
                "Follow up on the survey: someone answered 6 or less on "
                f"{day_label(feedback.sentiment.last_detractor_on)}.",
            )
        )
    elif not items and nps is not None and nps.score is not None and nps.score < 0:
        items.append(
            AgendaItem("feedback", f"Discuss the survey result: NPS {nps.score:.0f} over a year.")
        )
    return items


def _people_items(stakeholders: tuple[Stakeholder, ...]) -> list[AgendaItem]:
    deciding = [s for s in stakeholders if s.is_decision_maker and s.stale]
    items = []
    for person in deciding[:AGENDA_PER_TOPIC]:
        # Without a name the label already says the role.
        who = f"{person.label} ({person.role.lower()})" if person.name else person.label
        if person.last_contacted_on is None:
            text = f"Ask to meet {who}: never contacted."
        else:
            text = f"Re-engage {who}: last contacted {day_label(person.last_contacted_on)}."
        items.append(AgendaItem("people", text))
    return items
