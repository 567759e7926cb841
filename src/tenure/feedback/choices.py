"""Choices for surveys, campaigns and invitations."""

from django.db import models


class QuestionKind(models.TextChoices):
    NPS = "nps", "Likelihood to recommend (0–10)"
    RATING = "rating", "Rating (1–5)"
    TEXT = "text", "Open answer"


#: The answer scale of each kind that takes a number, inclusive.
SCALES: dict[str, tuple[int, int]] = {QuestionKind.NPS: (0, 10), QuestionKind.RATING: (1, 5)}

#: What the ends of each scale mean, shown beside the numbers.
SCALE_ANCHORS: dict[str, tuple[str, str]] = {
    QuestionKind.NPS: ("Not at all likely", "Extremely likely"),
    QuestionKind.RATING: ("Poor", "Excellent"),
}


class CampaignTarget(models.TextChoices):
    ACCOUNT = "account", "One account"
    TIER = "tier", "Every account in a tier"
    KEY_ACCOUNTS = "key_accounts", "The whole key-account list"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class InvitationSource(models.TextChoices):
    EMAIL = "email", "Emailed link"
    IMPORT = "import", "Imported answers"


class TokenPurpose(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder"
