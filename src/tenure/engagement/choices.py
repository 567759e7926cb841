"""Choices for interactions (what happened) and touchpoints (what is planned)."""

from django.db import models


class InteractionKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    VIDEO = "video", "Video call"
    EMAIL = "email", "Email"
    EVENT = "event", "Event"
    BUSINESS_REVIEW = "review", "Business review"


class Sentiment(models.IntegerChoices):
    NEGATIVE = -1, "Negative"
    NEUTRAL = 0, "Neutral"
    POSITIVE = 1, "Positive"


class TouchpointKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    BUSINESS_REVIEW = "review", "Business review"
    BIRTHDAY = "birthday", "Birthday"
    CONFERENCE = "conference", "Conference"
    EVENT = "event", "Event"
    HOLIDAY_GREETING = "holiday", "Holiday greeting"
    SEASONAL_PREPARATION = "seasonal", "Seasonal preparation"
    OTHER = "other", "Other"


class TouchpointStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
