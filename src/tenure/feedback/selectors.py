"""Reads for surveys: campaigns, survey links, the contact budget, and the survey figures.

The figures (NPS, satisfaction, open answers, exports) and the signals for alerts and
health (detractors, account sentiment) are written in ``feedback.figures`` and
``feedback.sentiment`` on the rows and rule of ``feedback.anonymity``, where the
third-party principle is applied for every reader; they are offered here with the other
reads, so callers import one module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenure.accounts.choices import AccountStatus
from tenure.accounts.models import Account, Contact, Position
from tenure.feedback.anonymity import Scope, min_group_size
from tenure.feedback.choices import CampaignStatus, CampaignTarget, InvitationSource
from tenure.feedback.figures import Figures, export_rows, portfolio_nps, survey_figures
from tenure.feedback.models import (
    Campaign,
    Invitation,
    InvitationToken,
    Question,
    Response,
    SurveyTemplate,
    SurveyVersion,
)
from tenure.feedback.sentiment import (
    AccountSentiment,
    DetractorCause,
    account_sentiment,
    detractor_causes,
)
from tenure.feedback.tokens import hash_token, looks_like_token

__all__ = [
    "AccountSentiment",
    "BudgetDecision",
    "ContactBudget",
    "DetractorCause",
    "Figures",
    "Scope",
    "account_sentiment",
    "campaign_accounts",
    "campaign_detail",
    "campaign_list",
    "campaign_skipped",
    "campaign_targets",
    "campaigns_to_remind",
    "contact_budget_allows",
    "detractor_causes",
    "export_rows",
    "invitation_for_token",
    "invitation_response",
    "invitations_to_remind",
    "min_group_size",
    "portfolio_nps",
    "supplier_name",
    "survey_figures",
    "survey_history",
    "survey_templates_active",
    "surveyed_at",
    "surveyed_invitations",
    "template_latest_version",
    "version_has_answers",
]


def supplier_name() -> str:
    """The supplier's name shown to customers (``TENURE_SUPPLIER_NAME``)."""
    return str(getattr(settings, "TENURE_SUPPLIER_NAME", "") or "Your supplier")


# --- the contact budget -------------------------------------------------------------------


@dataclass(frozen=True)
class ContactBudget:
    """How often one person may be surveyed: a gap between surveys and a cap per period."""

    min_interval_days: int = 90
    max_per_period: int = 2
    period_days: int = 365

    @classmethod
    def of(cls, campaign: Campaign) -> ContactBudget:
        return cls(campaign.min_interval_days, campaign.max_per_period, campaign.period_days)


@dataclass(frozen=True)
class BudgetDecision:
    """Whether a person may be contacted, and why not. Truthy when allowed."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def surveyed_at() -> Coalesce:
    """When an invitation surveyed its person: sent, or, if never sent, answered.

    An emailed invitation surveyed its person when it was sent; one that arrived through
    the answer import (another tool, paper) was never sent from here, and surveyed its
    person when they answered. Both count in the contact budget: the person was asked.
    The one definition the campaign budget and the cadence budget read; use it with
    :func:`surveyed_invitations`.
    """
    return Coalesce("sent_at", "response__answered_at")


def surveyed_invitations() -> QuerySet[Invitation]:
    """Invitations that surveyed someone: sent, or answered through the import."""
    return Invitation.objects.filter(Q(sent_at__isnull=False) | Q(response__isnull=False))


def survey_history(*, contact_ids: Iterable[int]) -> dict[int, list[dt.date]]:
    """The dates each person was surveyed (any campaign, emailed or imported), oldest first.

    One query for many people, so sending to a whole tier stays fast.
    """
    history: dict[int, list[dt.date]] = defaultdict(list)
    rows = (
        surveyed_invitations()
        .filter(contact_id__in=list(contact_ids))
        .annotate(surveyed_at=surveyed_at())
        .order_by("surveyed_at")
        .values_list("contact_id", "surveyed_at")
    )
    for contact_id, moment in rows:
        history[contact_id].append(timezone.localdate(moment))
    return history


def contact_budget_allows(
    *,
    contact: Contact,
    on_date: dt.date,
    budget: ContactBudget | None = None,
    history: list[dt.date] | None = None,
) -> BudgetDecision:
    """May ``contact`` be sent a survey on ``on_date``? The one place the budget is checked.

    Refused when the last survey went out fewer than ``min_interval_days`` ago, or when the
    person already had ``max_per_period`` surveys in the last ``period_days``. ``history``
    (dates of earlier invitations) can be passed in from :func:`survey_history` to avoid a
    query per person. The cadence work extends this function with other channels.
    """
    budget = budget or ContactBudget()
    dates = (
        history
        if history is not None
        else survey_history(contact_ids=[contact.pk]).get(contact.pk, [])
    )
    past = [d for d in dates if d <= on_date]
    if past:
        last = max(past)
        if (on_date - last).days < budget.min_interval_days:
            # No day: an imported invitation is dated by its answer (an import records only
            # the people who answered), and the reason is shown with the person's name on the
            # campaign page and in its history, which would date an anonymous answer.
            return BudgetDecision(False, f"surveyed fewer than {budget.min_interval_days} days ago")
    window_start = on_date - dt.timedelta(days=budget.period_days)
    recent = [d for d in past if d > window_start]
    if len(recent) >= budget.max_per_period:
        return BudgetDecision(
            False,
            f"already surveyed {len(recent)} time{'s' if len(recent) != 1 else ''} "
            f"in the last {budget.period_days} days (cap {budget.max_per_period})",
        )
    return BudgetDecision(True)


# --- campaigns and who they reach -------------------------------------------------------


def campaign_accounts(*, campaign: Campaign) -> QuerySet[Account]:
    """The accounts a campaign targets. Churned accounts are left out of tier and list targets."""
    if campaign.target == CampaignTarget.ACCOUNT:
        # campaign_target_matches_account_or_tier: an account campaign has its account.
        assert campaign.account_id is not None
        return Account.objects.filter(pk=campaign.account_id)
    live = Account.objects.exclude(status=AccountStatus.CHURNED)
    if campaign.target == CampaignTarget.TIER:
        return live.filter(tier=campaign.tier)
    return live.filter(is_key_account=True)


def campaign_targets(*, campaign: Campaign) -> list[tuple[Contact, Account]]:
    """Each person with an active position at a targeted account, once, with that account.

    A person at two targeted accounts is asked once, for the first account by name.
    """
    positions = (
        Position.objects.filter(
            account__in=campaign_accounts(campaign=campaign), left_on__isnull=True
        )
        .select_related("contact", "account")
        .order_by("account__name", "account_id", "contact__last_name", "contact_id")
    )
    seen: set[int] = set()
    targets = []
    for position in positions:
        if position.contact_id not in seen:
            seen.add(position.contact_id)
            targets.append((position.contact, position.account))
    return targets


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns, newest first, with their template, target account and counts.

    ``invited`` and ``answered`` count emailed invitations only; ``imported`` the answers
    that came through the answer import, which records only the people who answered (so
    they make no response rate and have no sending time).
    """
    emailed = Q(invitations__source=InvitationSource.EMAIL)
    return Campaign.objects.select_related("version__template", "account").annotate(
        invited=Count("invitations", filter=emailed, distinct=True),
        answered=Count("invitations__response", filter=emailed, distinct=True),
        imported=Count(
            "invitations", filter=Q(invitations__source=InvitationSource.IMPORT), distinct=True
        ),
    )


def campaign_detail(*, pk: int) -> Campaign:
    """One campaign with its counts (``Campaign.DoesNotExist`` when missing)."""
    return campaign_list().get(pk=pk)


def campaign_skipped(*, campaign: Campaign) -> list[dict[str, object]]:
    """The people left out at the last send, with their names, accounts and reasons."""
    entries = [e for e in campaign.skipped if isinstance(e, dict)]
    contacts = Contact.objects.in_bulk([e.get("contact") for e in entries])
    accounts = Account.objects.in_bulk([e.get("account") for e in entries])
    return [
        {
            "contact": contacts.get(e.get("contact")),
            "account": accounts.get(e.get("account")),
            "reason": e.get("reason", ""),
        }
        for e in entries
    ]


def campaigns_to_remind(*, now: dt.datetime) -> QuerySet[Campaign]:
    """Open campaigns still taking answers that allow reminders."""
    return Campaign.objects.filter(
        status=CampaignStatus.OPEN, closes_at__gt=now, max_reminders__gt=0
    ).select_related("version")


def invitations_to_remind(*, campaign: Campaign, now: dt.datetime) -> QuerySet[Invitation]:
    """Emailed invitations without an answer, under the reminder cap, quiet long enough."""
    quiet_since = now - dt.timedelta(days=campaign.reminder_interval_days)
    return (
        Invitation.objects.filter(
            campaign=campaign,
            source=InvitationSource.EMAIL,
            sent_at__isnull=False,
            response__isnull=True,
            reminders_sent__lt=campaign.max_reminders,
        )
        .filter(
            Q(last_reminded_at__isnull=True, sent_at__lte=quiet_since)
            | Q(last_reminded_at__lte=quiet_since)
        )
        .select_related("contact", "campaign__version")
        .order_by("id")
    )


# --- survey templates and the public page ----------------------------------------------


def survey_templates_active() -> QuerySet[SurveyTemplate]:
    """Templates that can start a campaign."""
    return SurveyTemplate.objects.filter(is_active=True).order_by("name", "id")


def template_latest_version(*, template: SurveyTemplate) -> SurveyVersion | None:
    """The version new campaigns use: the highest number."""
    return template.versions.order_by("-number").first()


def version_has_answers(*, version: SurveyVersion) -> bool:
    """A version with answers is frozen: editing its template makes a new version."""
    return Response.objects.filter(version=version).exists()


def invitation_for_token(*, raw_token: str, now: dt.datetime) -> Invitation | None:
    """The invitation behind a survey link, if the link exists and still takes answers.

    ``None`` for a malformed, unknown, closed or expired link alike: callers show the same
    page for all, so nobody learns whether a link ever existed.
    """
    if not looks_like_token(raw_token):
        return None
    found = (
        InvitationToken.objects.filter(token_hash=hash_token(raw_token))
        .select_related("invitation__campaign__version", "invitation__contact")
        .prefetch_related(
            Prefetch(
                "invitation__campaign__version__questions",
                queryset=Question.objects.order_by("position", "id"),
            )
        )
        .first()
    )
    if found is None or not found.invitation.campaign.accepts_answers(now):
        return None
    return found.invitation


def invitation_response(*, invitation: Invitation) -> Response | None:
    """The answers already given through an invitation, with each answer loaded."""
    return Response.objects.filter(invitation=invitation).prefetch_related("answers").first()
