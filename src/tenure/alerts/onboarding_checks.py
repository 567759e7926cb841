"""The onboarding checks on engagement and feedback data, registered with planning.

Planning sits below engagement and feedback, so it cannot look at touchpoints or survey
invitations itself; alerts sits above all three and lends it these two checks when Django
starts (``AlertsConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Sequence

from tenure.core.dates import day_label, start_of_day
from tenure.engagement.choices import TouchpointKind, TouchpointStatus
from tenure.engagement.models import Touchpoint
from tenure.feedback.models import Invitation
from tenure.planning.choices import OnboardingCheck
from tenure.planning.models import Onboarding
from tenure.planning.onboarding_checks import onboarding_check_register


def kickoff_check(onboardings: Sequence[Onboarding]) -> dict[int, str]:
    """A meeting with the account is planned (or held) on or after the promotion day."""
    start = {o.account_id: o for o in onboardings}
    earliest = min(o.started_on for o in onboardings)
    meetings = (
        Touchpoint.objects.filter(
            account_id__in=list(start),
            kind=TouchpointKind.MEETING,
            status__in=[TouchpointStatus.PLANNED, TouchpointStatus.DONE],
            scheduled_on__gte=earliest,
        )
        .order_by("account_id", "scheduled_on", "id")
        .values_list("account_id", "scheduled_on", "title")
    )
    found: dict[int, str] = {}
    for account_id, scheduled_on, title in meetings:
        onboarding = start[account_id]
        if scheduled_on >= onboarding.started_on and onboarding.pk not in found:
            named = f"“{title}” " if title else ""
            found[onboarding.pk] = f"Meeting {named}on {day_label(scheduled_on)}"
    return found


def survey_check(onboardings: Sequence[Onboarding]) -> dict[int, str]:
    """A survey invitation for the account was prepared on or after the promotion day."""
    start = {o.account_id: o for o in onboardings}
    earliest = start_of_day(min(o.started_on for o in onboardings))
    invitations = (
        Invitation.objects.filter(account_id__in=list(start), created_at__gte=earliest)
        .order_by("account_id", "created_at", "id")
        .values_list("account_id", "created_at", "campaign__name")
    )
    found: dict[int, str] = {}
    for account_id, created_at, campaign in invitations:
        onboarding = start[account_id]
        if created_at >= start_of_day(onboarding.started_on) and onboarding.pk not in found:
            found[onboarding.pk] = f"Survey “{campaign}” prepared on {day_label(created_at.date())}"
    return found


def register() -> None:
    onboarding_check_register(OnboardingCheck.KICKOFF, kickoff_check)
    onboarding_check_register(OnboardingCheck.SURVEY, survey_check)
