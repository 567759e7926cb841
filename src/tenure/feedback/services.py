"""Writes with business rules for surveys: templates, campaigns, sending, reminders, answers.

Views, the admin, the ``tenure survey`` command and the import call these; nothing else
calls ``.save()`` on the feedback models. CSV imports are in ``feedback.survey_import``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from tenure.accounts.choices import Tier
from tenure.accounts.models import Account, Contact
from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save
from tenure.engagement.cadence import contact_budgets
from tenure.feedback import selectors
from tenure.feedback.choices import (
    SCALES,
    CampaignStatus,
    CampaignTarget,
    InvitationSource,
    QuestionKind,
    TokenPurpose,
)
from tenure.feedback.contact_source import CHANNEL_SURVEY
from tenure.feedback.emails import survey_email, survey_link
from tenure.feedback.models import (
    TEXT_ANSWER_MAX_LENGTH,
    Answer,
    Campaign,
    Invitation,
    InvitationToken,
    Question,
    Response,
    SurveyTemplate,
    SurveyVersion,
)
from tenure.feedback.tokens import new_token

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^[-a-z0-9_]{1,40}$")


# --- survey templates -------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """One question as written by staff; ``key`` names the item across versions."""

    key: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = False


def check_questions(questions: Sequence[QuestionSpec]) -> None:
    """Refuse an empty survey, bad keys or kinds, repeated keys, or two NPS questions."""
    if not questions:
        raise DomainError("a survey needs at least one question", field="questions")
    keys = [q.key for q in questions]
    for spec in questions:
        if not _KEY.match(spec.key):
            raise DomainError(
                f"question key {spec.key!r} must be 1–40 lower-case letters, digits, - or _",
                field="questions",
            )
        if spec.kind not in QuestionKind.values:
            raise DomainError(f"unknown question kind {spec.kind!r}", field="questions")
        if not spec.text.strip():
            raise DomainError(f"question {spec.key!r} has no text", field="questions")
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise DomainError(f"question keys repeat: {', '.join(duplicates)}", field="questions")
    if sum(q.kind == QuestionKind.NPS for q in questions) > 1:
        raise DomainError(
            "a survey has at most one likelihood-to-recommend question", field="questions"
        )


def _add_questions(version: SurveyVersion, questions: Sequence[QuestionSpec]) -> None:
    rows = [
        Question(
            version=version,
            position=number,
            key=q.key,
            kind=q.kind,
            text=q.text.strip(),
            help_text=q.help_text.strip(),
            required=q.required,
        )
        for number, q in enumerate(questions, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
    Question.objects.bulk_create(rows)


def _specs_of(version: SurveyVersion) -> list[QuestionSpec]:
    return [
        QuestionSpec(q.key, q.kind, q.text, q.help_text, q.required)
        for q in version.questions.order_by("position", "id")
    ]


@transaction.atomic
def survey_template_create(
    *,
    name: str,
    title: str,
    questions: Sequence[QuestionSpec],
    intro: str = "",
    description: str = "",
) -> SurveyTemplate:
    """Create a survey template and its first version."""
    check_questions(questions)
    template = SurveyTemplate(name=name.strip(), description=description.strip())
    validate_and_save(template)
    version = SurveyVersion(template=template, number=1, title=title.strip(), intro=intro.strip())
    validate_and_save(version)
    _add_questions(version, questions)
    return template


@transaction.atomic
def survey_template_revise(
    *,
    template: SurveyTemplate,
    title: str,
    questions: Sequence[QuestionSpec],
    intro: str = "",
) -> SurveyVersion:
    """Edit a template's content and return the version that now holds it.

    While nobody has answered the latest version it is changed in place. Once it has
    answers it is frozen: the edit becomes a new version (number + 1) that new campaigns
    use, so the old answers keep pointing at the questions they answered. An edit that
    changes nothing returns the latest version unchanged.
    """
    check_questions(questions)
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    latest = selectors.template_latest_version(template=template)
    title, intro = title.strip(), intro.strip()
    questions = [
        QuestionSpec(q.key, q.kind, q.text.strip(), q.help_text.strip(), q.required)
        for q in questions
    ]
    if latest is not None and (latest.title, latest.intro, _specs_of(latest)) == (
        title,
        intro,
        questions,
    ):
        return latest
    if latest is not None and not selectors.version_has_answers(version=latest):
        latest.title, latest.intro = title, intro
        validate_and_save(latest)
        latest.questions.all().delete()
        _add_questions(latest, questions)
        return latest
    version = SurveyVersion(
        template=template,
        number=(latest.number + 1) if latest is not None else 1,
        title=title,
        intro=intro,
    )
    validate_and_save(version)
    _add_questions(version, questions)
    return version


# --- campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    name: str,
    template: SurveyTemplate,
    target: str,
    closes_at: dt.datetime,
    account: Account | None = None,
    tier: str = "",
    created_by: User | None = None,
    min_interval_days: int = 90,
    max_per_period: int = 2,
    period_days: int = 365,
    max_reminders: int = 2,
    reminder_interval_days: int = 7,
    now: dt.datetime | None = None,
) -> Campaign:
    """Prepare a campaign on the template's latest version. Nothing is sent yet."""
    now = now or timezone.now()
    if not template.is_active:
        raise DomainError(f"the template {template.name} is not active", field="template")
    version = selectors.template_latest_version(template=template)
    if version is None or not version.questions.exists():
        raise DomainError(f"the template {template.name} has no questions", field="template")
    if target not in CampaignTarget.values:
        raise DomainError(f"unknown target {target!r}", field="target")
    if target == CampaignTarget.ACCOUNT and account is None:
        raise DomainError("choose the account to survey", field="account")
    if target == CampaignTarget.TIER and tier not in Tier.values:
        raise DomainError("choose the tier to survey (A, B or C)", field="tier")
    if closes_at.tzinfo is None:
        raise DomainError("the closing time must carry a time zone", field="closes_at")
    if closes_at <= now:
        raise DomainError("the closing date must lie in the future", field="closes_at")
    campaign = Campaign(
        name=name.strip(),
        template=template,
        version=version,
        target=target,
        account=account if target == CampaignTarget.ACCOUNT else None,
        tier=tier if target == CampaignTarget.TIER else "",
        closes_at=closes_at,
        created_by=created_by,
        min_interval_days=min_interval_days,
        max_per_period=max_per_period,
        period_days=period_days,
        max_reminders=max_reminders,
        reminder_interval_days=reminder_interval_days,
    )
    validate_and_save(campaign)
    return campaign


@dataclass(frozen=True)
class Skip:
    """A person a send left out, and why."""

    contact: Contact
    account: Account
    reason: str


@dataclass
class SendReport:
    """What a send or reminder run did."""

    sent: list[Invitation] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    failed: list[tuple[Invitation, str]] = field(default_factory=list)


@transaction.atomic
def _invite(*, campaign: Campaign, now: dt.datetime) -> list[Skip]:
    """Open the campaign and create an invitation for everyone the budget allows."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise DomainError("this campaign is closed", field="status")
    if campaign.closes_at <= now:
        raise DomainError("this campaign's closing date has passed", field="closes_at")
    if campaign.status == CampaignStatus.DRAFT:
        campaign.status, campaign.sent_at = CampaignStatus.OPEN, now
    targets = selectors.campaign_targets(campaign=campaign)
    invited = set(campaign.invitations.values_list("contact_id", flat=True))
    history = selectors.survey_history(contact_ids=(c.pk for c, _ in targets))
    budget = selectors.ContactBudget.of(campaign)
    today = timezone.localdate(now)
    # The campaign's own survey budget, then the one budget of every channel together
    # (calls, meetings, planned touchpoints, other surveys) from the cadence policies.
    everything = contact_budgets(
        {c.pk for c, _ in targets if c.pk not in invited}, today, CHANNEL_SURVEY, today=today
    )
    skipped: list[Skip] = []
    new = []
    for contact, account in targets:
        if contact.pk in invited:
            continue
        if not contact.email:
            skipped.append(Skip(contact, account, "no email address"))
            continue
        decision = selectors.contact_budget_allows(
            contact=contact, on_date=today, budget=budget, history=history.get(contact.pk, [])
        )
        if not decision:
            skipped.append(Skip(contact, account, decision.reason))
            continue
        overall = everything[contact.pk]
        if not overall:
            skipped.append(Skip(contact, account, overall.reason))
            continue
        new.append(Invitation(campaign=campaign, contact=contact, account=account))
    Invitation.objects.bulk_create(new)
    campaign.skipped = [
        {"contact": s.contact.pk, "account": s.account.pk, "reason": s.reason} for s in skipped
    ]
    validate_and_save(campaign)
    return skipped


def _email_link(
    invitation: Invitation,
    *,
    purpose: str,
    base_url: str,
    now: dt.datetime,
    connection: BaseEmailBackend,
) -> None:
    """Store a fresh link's hash, email the link, then record the sending.

    The hash is committed before the email leaves so the link works as soon as it
    arrives; if sending fails the hash is deleted again (nobody holds that link). No
    transaction is held open while the mail server is talking.
    """
    if not invitation.contact.email:
        raise DomainError(f"{invitation.contact} has no email address any more", field="email")
    raw, digest = new_token()
    token = InvitationToken.objects.create(
        invitation=invitation, token_hash=digest, purpose=purpose
    )
    message = survey_email(
        invitation,
        link=survey_link(base_url, raw),
        supplier=selectors.supplier_name(),
        reminder=purpose == TokenPurpose.REMINDER,
        connection=connection,
    )
    try:
        message.send(fail_silently=False)
    except Exception:
        token.delete()
        raise
    if purpose == TokenPurpose.REMINDER:
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now
        Invitation.objects.filter(pk=invitation.pk).update(
            reminders_sent=invitation.reminders_sent, last_reminded_at=now, updated_at=now
        )
    else:
        invitation.sent_at = now
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, updated_at=now)


def _deliver(
    invitations: Sequence[Invitation],
    *,
    purpose: str,
    base_url: str,
    now: dt.datetime,
    report: SendReport,
) -> None:
    with get_connection() as connection:
        for invitation in invitations:
            try:
                _email_link(
                    invitation, purpose=purpose, base_url=base_url, now=now, connection=connection
                )
            except Exception as error:  # one bad address must not stop the round
                logger.warning("survey email to invitation %s failed: %s", invitation.pk, error)
                report.failed.append((invitation, str(error) or type(error).__name__))
            else:
                report.sent.append(invitation)


def campaign_send(
    *, campaign: Campaign, base_url: str, now: dt.datetime | None = None
) -> SendReport:
    """Invite everyone the campaign targets (within the contact budget) and email their links.

    Sending again later invites people who joined the targeted accounts since and retries
    emails that failed; nobody gets a second invitation in the same campaign. Not one
    transaction on purpose: emails cannot be rolled back, so each invitation records its
    own sending.
    """
    now = now or timezone.now()
    report = SendReport(skipped=_invite(campaign=campaign, now=now))
    unsent = (
        Invitation.objects.filter(
            campaign=campaign, source=InvitationSource.EMAIL, sent_at__isnull=True
        )
        .select_related("contact", "campaign__version")
        .order_by("id")
    )
    _deliver(
        list(unsent), purpose=TokenPurpose.INVITATION, base_url=base_url, now=now, report=report
    )
    return report


def campaign_remind(
    *, campaign: Campaign, base_url: str, now: dt.datetime | None = None
) -> SendReport:
    """Remind people who have not answered, at most ``max_reminders`` times each.

    A reminder goes out only ``reminder_interval_days`` after the invitation or the last
    reminder, and only while the campaign takes answers. Each reminder carries a new link;
    earlier links keep working.
    """
    now = now or timezone.now()
    report = SendReport()
    campaign = Campaign.objects.select_related("version").get(pk=campaign.pk)
    if not campaign.accepts_answers(now):
        return report
    due = list(selectors.invitations_to_remind(campaign=campaign, now=now))
    _deliver(due, purpose=TokenPurpose.REMINDER, base_url=base_url, now=now, report=report)
    return report


@transaction.atomic
def campaign_close(*, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    """Close a campaign: its links stop working and answers can no longer change."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise DomainError("this campaign is already closed", field="status")
    if campaign.status == CampaignStatus.DRAFT:
        campaign.sent_at = now
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, now
    validate_and_save(campaign)
    return campaign


# --- answers --------------------------------------------------------------------------------


def clean_answers(
    questions: Sequence[Question], given: Mapping[int, object]
) -> dict[Question, int | str]:
    """Check answers against their questions: scale, length, required. Keyed by question."""
    by_id = {q.pk: q for q in questions}
    unknown = sorted(set(given) - set(by_id))
    if unknown:
        raise DomainError("the survey has changed since it was opened: reload it", field=None)
    cleaned: dict[Question, int | str] = {}
    for question in questions:
        value = given.get(question.pk)
        field_name = f"q{question.pk}"
        if question.kind in SCALES:
            if value is None or value == "":
                if question.required:
                    raise DomainError("please choose a number", field=field_name)
                continue
            low, high = SCALES[question.kind]
            try:
                number = int(str(value))
            except ValueError:
                number = low - 1
            if not low <= number <= high:
                raise DomainError(f"choose a number from {low} to {high}", field=field_name)
            cleaned[question] = number
        else:
            text = str(value or "").strip()
            if len(text) > TEXT_ANSWER_MAX_LENGTH:
                raise DomainError(
                    f"please keep this answer under {TEXT_ANSWER_MAX_LENGTH} characters",
                    field=field_name,
                )
            if not text:
                if question.required:
                    raise DomainError("please answer this question", field=field_name)
                continue
            cleaned[question] = text
    if not cleaned:
        raise DomainError("please answer at least one question")
    return cleaned


def write_response(
    *,
    invitation: Invitation,
    answers: Mapping[Question, int | str],
    consent: bool,
    at: dt.datetime,
) -> Response:
    """Create or replace the response of an invitation (inside the caller's transaction)."""
    version = invitation.campaign.version
    # Lock the invitation so two submissions at once cannot both create a response.
    list(Invitation.objects.select_for_update().filter(pk=invitation.pk).values_list("pk"))
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        response = Response(invitation=invitation, version=version, answered_at=at)
    else:
        response.changed_at = max(at, response.answered_at)
        response.answers.all().delete()
    response.consent_to_share = consent
    validate_and_save(response)
    rows = [
        Answer(
            response=response,
            question=question,
            score=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
        for question, value in answers.items()
    ]
    Answer.objects.bulk_create(rows)
    return response


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    answers: Mapping[int, object],
    consent: bool,
    now: dt.datetime | None = None,
) -> Response:
    """Record (or change) a person's answers, given as ``{question id: value}``.

    One response per invitation; it can be changed until the campaign closes.
    """
    now = now or timezone.now()
    invitation = Invitation.objects.select_related("campaign__version").get(pk=invitation.pk)
    if not invitation.campaign.accepts_answers(now):
        raise DomainError("this survey has closed")
    questions = list(invitation.campaign.version.questions.order_by("position", "id"))
    cleaned = clean_answers(questions, answers)
    return write_response(invitation=invitation, answers=cleaned, consent=consent, at=now)
