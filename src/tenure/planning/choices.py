"""Choices for account plans and the wins-and-issues log."""

from django.db import models


class Horizon(models.TextChoices):
    SHORT = "short", "Short term (a quarter)"
    LONG = "long", "Long term (2–3 years)"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ObjectiveKind(models.TextChoices):
    PROTECT = "protect", "Protect"
    DEVELOP = "develop", "Develop"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class MilestoneKind(models.TextChoices):
    SUCCESS = "success", "Success story"
    DEFECT = "defect", "Defect"
    LATE_DELIVERY = "late_delivery", "Late delivery"
    ESCALATION = "escalation", "Escalation"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"
