"""The alert rules and the states of the tasks they raise."""

from django.db import models


class AlertRule(models.TextChoices):
    HEALTH_DROP = "health_drop", "Health dropped"
    HIGH_RISK = "high_risk", "Churn risk high"
    DECISION_MAKER_LEFT = "dm_left", "Decision maker left"
    NO_STRATEGIC_CONTACT = "no_strategic", "No strategic contact"
    DETRACTOR = "detractor", "Detractor answer"
    PEAK_UNPREPARED = "peak", "Seasonal peak without a touchpoint"
    REVENUE_DOWN = "revenue_down", "Revenue down year over year"
    OVERDUE_ACTION = "overdue_action", "Plan action overdue"
    ONBOARDING_OVERDUE = "onboarding", "Onboarding step overdue"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"
    RESOLVED = "resolved", "Cause cleared"


class NotificationKind(models.TextChoices):
    TASK_RAISED = "task", "A task raised on an account"
    INTERACTION = "interaction", "An interaction logged on an account I follow"
