"""Surveys (versioned templates), campaigns, tokenised invitations, responses and answers.

A response points at the exact template version it was given on: once a version has
answers it is frozen, and editing the template makes a new version (see
``services.survey_template_revise``), so old answers keep their meaning.

The raw token of a survey link exists only in the email; the database keeps its SHA-256.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact

from tenure.accounts.choices import Tier
from tenure.accounts.models import Account, Contact
from tenure.core.models import TimeStampedModel
from tenure.feedback.choices import (
    CampaignStatus,
    CampaignTarget,
    InvitationSource,
    QuestionKind,
    TokenPurpose,
)

#: The longest open answer accepted, in characters (form, service and column agree).
TEXT_ANSWER_MAX_LENGTH = 2000


class SurveyTemplate(TimeStampedModel):
    """A survey as staff know it ("Relationship survey"); its content lives in versions."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="For staff: when to use this survey.")
    is_active = models.BooleanField(
        default=True, help_text="Inactive templates cannot start new campaigns."
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="survey_template_name_unique_ci",
                violation_error_message="another survey template already has this name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyVersion(TimeStampedModel):
    """One frozen-once-answered version of a template: its title, intro and questions."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, help_text="The heading customers see.")
    intro = models.TextField(blank=True, help_text="Shown to customers above the questions.")

    class Meta:
        ordering = ["template_id", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"],
                name="survey_version_number_unique",
                violation_error_message="this template already has a version with this number",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="survey_version_number_positive",
                violation_error_message="version numbers start at 1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class Question(TimeStampedModel):
    """One question of a version. ``key`` names the item across versions (for trends)."""

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(
        max_length=40,
        help_text="Stable name of the item across versions, e.g. 'manager' or 'service'. "
        "Give a reworded question a new key if its answers no longer compare.",
    )
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"],
                name="question_key_unique_per_version",
                violation_error_message="two questions of a version cannot share a key",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(kind=QuestionKind.NPS),
                name="question_one_nps_per_version",
                violation_error_message="a survey has at most one likelihood-to-recommend question",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values),
                name="question_kind_valid",
                violation_error_message="unknown question kind",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Campaign(TimeStampedModel):
    """A round of survey invitations to one account, a tier, or the key-account list."""

    name = models.CharField(max_length=200)
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        SurveyVersion,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text="The version customers answer: the template's latest when created.",
    )
    target = models.CharField(max_length=12, choices=CampaignTarget.choices)
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="campaigns"
    )
    tier = models.CharField(max_length=1, choices=Tier.choices, blank=True)
    status = models.CharField(
        max_length=6, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(help_text="Links stop working at this time.")
    closed_at = models.DateTimeField(null=True, blank=True)
    min_interval_days = models.PositiveSmallIntegerField(
        default=90, help_text="Skip people surveyed fewer than this many days ago."
    )
    max_per_period = models.PositiveSmallIntegerField(
        default=2, help_text="At most this many survey invitations per person per period…"
    )
    period_days = models.PositiveSmallIntegerField(default=365, help_text="…of this many days.")
    max_reminders = models.PositiveSmallIntegerField(default=2)
    reminder_interval_days = models.PositiveSmallIntegerField(default=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skipped = models.JSONField(
        default=list,
        blank=True,
        help_text="People left out when sending: contact and account ids and the reason.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target=CampaignTarget.ACCOUNT, account__isnull=False, tier="")
                | Q(target=CampaignTarget.TIER, account__isnull=True, tier__in=Tier.values)
                | Q(target=CampaignTarget.KEY_ACCOUNTS, account__isnull=True, tier=""),
                name="campaign_target_matches_account_or_tier",
                violation_error_message="a campaign targets one account, one tier, "
                "or the key-account list",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values),
                name="campaign_status_valid",
                violation_error_message="unknown campaign status",
            ),
            models.CheckConstraint(
                condition=Q(status=CampaignStatus.DRAFT) | Q(sent_at__isnull=False),
                name="campaign_sent_unless_draft",
                violation_error_message="an open or closed campaign has a sending time",
            ),
            models.CheckConstraint(
                condition=Q(status=CampaignStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CampaignStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="campaign_closed_at_iff_closed",
                violation_error_message="only a closed campaign has a closing time",
            ),
            models.CheckConstraint(
                condition=Q(max_reminders__lte=5),
                name="campaign_reminders_at_most_5",
                violation_error_message="send at most 5 reminders",
            ),
            models.CheckConstraint(
                condition=Q(
                    reminder_interval_days__gte=1, period_days__gte=1, max_per_period__gte=1
                ),
                name="campaign_budget_positive",
                violation_error_message="intervals, periods and caps must be at least 1",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def links_end(self) -> dt.datetime:
        """When the links stop working: the closing date, or the day it was closed if earlier."""
        if self.closed_at is not None and self.closed_at < self.closes_at:
            return self.closed_at
        return self.closes_at

    def links_ended(self, now: dt.datetime) -> bool:
        """Have the links stopped working (closed, or past the closing date)?"""
        return self.status == CampaignStatus.CLOSED or now >= self.closes_at

    def accepts_answers(self, now: dt.datetime) -> bool:
        """Answers can be given or changed: the campaign is open and not past its close."""
        return self.status == CampaignStatus.OPEN and now < self.closes_at


class Invitation(TimeStampedModel):
    """One person asked in one campaign, for one account. At most one per person and campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    source = models.CharField(
        max_length=6, choices=InvitationSource.choices, default=InvitationSource.EMAIL
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                name="invitation_one_per_contact_campaign",
                violation_error_message="this person is already invited in this campaign",
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent=0) | Q(sent_at__isnull=False),
                name="invitation_reminders_after_sending",
                violation_error_message="an invitation is sent before it is reminded",
            ),
            models.CheckConstraint(
                condition=Q(source__in=InvitationSource.values),
                name="invitation_source_valid",
                violation_error_message="unknown invitation source",
            ),
        ]
        indexes = [models.Index(fields=["contact", "sent_at"], name="invitation_contact_sent_idx")]

    def __str__(self) -> str:
        return f"{self.contact} for {self.account} ({self.campaign})"


class InvitationToken(TimeStampedModel):
    """The SHA-256 of one emailed link. Each email (invitation, reminder) has its own link."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=10, choices=TokenPurpose.choices)

    class Meta:
        ordering = ["invitation_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("token_hash"), 64),
                name="invitation_token_is_sha256_hex",
                violation_error_message="a token is stored as its SHA-256 in hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for invitation {self.invitation_id}"


class Response(TimeStampedModel):
    """One person's answers in one campaign; they may change them until the campaign closes."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    answered_at = models.DateTimeField(help_text="When the answers were first given.")
    changed_at = models.DateTimeField(null=True, blank=True)
    consent_to_share = models.BooleanField(
        "may share name with the account manager",
        default=False,
        help_text="Only with this consent are the answers shown with the person's name.",
    )

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(changed_at__isnull=True) | Q(changed_at__gte=F("answered_at")),
                name="response_changed_after_answered",
                violation_error_message="answers cannot change before they were given",
            ),
        ]
        indexes = [models.Index(fields=["answered_at"], name="response_answered_idx")]

    def __str__(self) -> str:
        # No id: a page listing what a delete takes with it shows this under the person's
        # invitation, and an id could be matched to the answer elsewhere.
        return f"Answers to {self.version}"


class Answer(TimeStampedModel):
    """The answer to one question: a score (0–10 or 1–5) or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.SmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=TEXT_ANSWER_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["response_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="answer_one_per_question",
                violation_error_message="a question is answered once per response",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                name="answer_score_0_to_10",
                violation_error_message="a score lies between 0 and 10",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | ~Q(text=""),
                name="answer_not_empty",
                violation_error_message="an answer has a score or a text",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"
