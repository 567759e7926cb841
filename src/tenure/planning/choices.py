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


class OnboardingCheck(models.TextChoices):
    """How an onboarding step is known to be done: by hand, or by a check on the data."""

    MANUAL = "manual", "Ticked by hand"
    TEAM = "team", "The team has a key account manager"
    STAKEHOLDERS = "stakeholders", "A decision maker and a champion are mapped"
    KICKOFF = "kickoff", "A meeting is planned from the promotion on"
    PLANS = "plans", "An active short- and long-term plan exist"
    SURVEY = "survey", "A survey invitation went out from the promotion on"


class PlanSituation(models.TextChoices):
    """The common situations a plan template is written for."""

    PROTECT = "protect", "Protect: keep what we have"
    DEVELOP = "develop", "Develop: grow the account"
    RECOVER = "recover", "Recover: win back lost ground"
