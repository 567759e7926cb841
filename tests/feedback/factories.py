"""Builders for survey tests: templates, open campaigns, invitations with known tokens, answers."""

from __future__ import annotations

import datetime as dt
import itertools

from tenure.accounts.models import Account, Contact
from tenure.feedback import services
from tenure.feedback.choices import CampaignStatus, CampaignTarget, TokenPurpose
from tenure.feedback.models import Campaign, Invitation, InvitationToken, Response, SurveyTemplate
from tenure.feedback.services import QuestionSpec
from tenure.feedback.tokens import new_token
from tests.accounts.factories import AccountFactory, PositionFactory

#: "Now" for a test session. Pages read the real clock, so answers and closing dates are
#: placed relative to it; tests of quarters pass explicit dates and ``today``.
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)

RELATIONSHIP = [
    QuestionSpec("nps", "nps", "How likely are you to recommend us?", required=True),
    QuestionSpec("nps_why", "text", "What is the main reason for your score?"),
    QuestionSpec("manager", "rating", "How would you rate your account manager?"),
    QuestionSpec("service", "rating", "How would you rate our service?"),
    QuestionSpec("better", "text", "What could we do better?"),
]


_numbers = itertools.count(1)


def make_template(name: str = "", questions=None) -> SurveyTemplate:
    return services.survey_template_create(
        name=name or f"Relationship (test {next(_numbers)})",
        title="How are we doing?",
        questions=questions or RELATIONSHIP,
    )


def make_campaign(
    *,
    account: Account | None = None,
    template: SurveyTemplate | None = None,
    now: dt.datetime = NOW,
    closes_at: dt.datetime | None = None,
    **fields,
) -> Campaign:
    """A draft campaign for one account (created if not given)."""
    fields.setdefault("target", CampaignTarget.ACCOUNT)
    if fields["target"] == CampaignTarget.ACCOUNT:
        fields["account"] = account or AccountFactory()
    return services.campaign_create(
        name=fields.pop("name", "Spring survey"),
        template=template or make_template(),
        closes_at=closes_at or now + dt.timedelta(days=21),
        now=now,
        **fields,
    )


def open_campaign(**kwargs) -> Campaign:
    """A campaign already open (sent), without sending any email."""
    campaign = make_campaign(**kwargs)
    sent_at = kwargs.get("now", NOW)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.OPEN, sent_at=sent_at)
    campaign.refresh_from_db()
    return campaign


def invite(
    campaign: Campaign, contact: Contact | None = None, account: Account | None = None
) -> tuple[Invitation, str]:
    """An emailed invitation and its raw token (as the email would carry it)."""
    account = account or campaign.account or AccountFactory()
    if contact is None:
        contact = PositionFactory(account=account).contact
    invitation = Invitation.objects.create(
        campaign=campaign, contact=contact, account=account, sent_at=campaign.sent_at or NOW
    )
    raw, digest = new_token()
    InvitationToken.objects.create(
        invitation=invitation, token_hash=digest, purpose=TokenPurpose.INVITATION
    )
    return invitation, raw


def respond(
    campaign: Campaign,
    *,
    score: int | None = None,
    consent: bool = False,
    at: dt.datetime = NOW,
    account: Account | None = None,
    contact: Contact | None = None,
    **answers_by_key,
) -> Response:
    """Someone at the campaign's account answers: ``score`` for NPS, other answers by key."""
    invitation, _ = invite(campaign, contact=contact, account=account)
    questions = {q.key: q for q in campaign.version.questions.all()}
    answers = {}
    if score is not None:
        answers[questions["nps"]] = score
    for key, value in answers_by_key.items():
        answers[questions[key]] = value
    return services.write_response(invitation=invitation, answers=answers, consent=consent, at=at)
