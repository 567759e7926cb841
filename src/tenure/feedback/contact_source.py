"""Survey emails count in every person's contact budget (see ``tenure.engagement.cadence``).

An invitation and its last reminder are each a contact on the survey channel (an invitation
that arrived through the answer import on the day it was answered: the person was asked,
only not from here); a manager
about to log a third call with someone just surveyed is warned, and a campaign skips
people whom calls, meetings and surveys together would over-contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from django.db.models import Q
from django.utils import timezone

from tenure.core.dates import day_range
from tenure.engagement.cadence import ContactEvent
from tenure.feedback.selectors import surveyed_at, surveyed_invitations

CHANNEL_SURVEY = "survey"


def survey_contacts(
    contact_ids: Collection[int], start: dt.date, end: dt.date
) -> Iterator[ContactEvent]:
    """Surveys (emailed or imported) and reminders sent to these people between two dates
    (inclusive)."""
    low, high = day_range(start, end)
    rows = (
        surveyed_invitations()
        .filter(contact_id__in=list(contact_ids))
        .annotate(surveyed_at=surveyed_at())
        .filter(
            Q(surveyed_at__gte=low, surveyed_at__lt=high)
            | Q(last_reminded_at__gte=low, last_reminded_at__lt=high)
        )
    )
    for contact_id, sent_at, reminded_at in rows.values_list(
        "contact_id", "surveyed_at", "last_reminded_at"
    ):
        for moment in (sent_at, reminded_at):
            if moment is not None and low <= moment < high:
                yield ContactEvent(contact_id, timezone.localdate(moment), CHANNEL_SURVEY)
