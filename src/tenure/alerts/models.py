"""Alert settings, and the tasks alerts become.

A task is one alert firing for one cause: an account's health drop, one overdue action, one
detractor answer. ``(account, rule, cause_key)`` names the cause, and a partial unique
constraint keeps at most one *open* task per cause, so re-running the rules never raises
the same alert twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenure.accounts.models import Account
from tenure.alerts.choices import AlertRule, NotificationKind, TaskStatus
from tenure.core.models import TimeStampedModel


class AlertSettings(TimeStampedModel):
    """The thresholds of the alert rules. The newest row is in force; older rows are history."""

    health_drop_points = models.FloatField(
        default=10.0, help_text="Raise when health fell more than this many points…"
    )
    health_drop_days = models.PositiveSmallIntegerField(
        default=30, help_text="…within this many days."
    )
    risk_threshold = models.FloatField(
        default=0.3, help_text="Raise when the churn risk is at or above this probability."
    )
    no_strategic_days = models.PositiveSmallIntegerField(
        default=90, help_text="Raise when no strategic interaction happened for this many days."
    )
    peak_weeks = models.PositiveSmallIntegerField(
        default=6, help_text="Raise when a seasonal peak starts within this many weeks unprepared."
    )
    revenue_drop_percent = models.FloatField(
        default=20.0, help_text="Raise when trailing-12-month revenue fell more than this share."
    )
    lookback_days = models.PositiveSmallIntegerField(
        default=90,
        help_text="Events (a departure, a detractor answer) older than this raise no new task.",
    )
    snooze_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="A task a person closed is not raised again for the same cause for this long.",
    )
    disabled_rules = models.JSONField(default=list, blank=True, help_text="Rules that never fire.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "alert settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_threshold__gt=0, risk_threshold__lte=1),
                name="alert_settings_risk_is_probability",
                violation_error_message="the risk threshold is a probability above 0, at most 1",
            ),
            models.CheckConstraint(
                condition=Q(health_drop_points__gt=0, health_drop_points__lte=100),
                name="alert_settings_health_points_in_range",
                violation_error_message="a health drop lies between 0 and 100 points",
            ),
            models.CheckConstraint(
                condition=Q(revenue_drop_percent__gt=0, revenue_drop_percent__lte=100),
                name="alert_settings_revenue_percent_in_range",
                violation_error_message="a revenue drop lies between 0 and 100 %",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert settings of {self.created_at:%Y-%m-%d}"

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled_rules


class Task(TimeStampedModel):
    """Something a person should do because an alert fired, with the evidence and a due date."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tasks")
    rule = models.CharField(max_length=14, choices=AlertRule.choices)
    cause_key = models.CharField(
        max_length=80, blank=True, help_text="Which cause within the rule: an action, an answer…"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        help_text="Empty when the account has nobody to give it to.",
    )
    title = models.CharField(max_length=200)
    evidence = models.TextField(help_text="The figures that made the rule fire, in words.")
    evidence_url = models.CharField(max_length=300, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=9, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    raised_on = models.DateField(help_text="The date of the run that raised it.")
    checked_on = models.DateField(help_text="The date of the last run that found it still true.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the cause cleared by itself.",
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "rule", "cause_key"],
                condition=Q(status="open"),
                name="task_one_open_per_cause",
                violation_error_message="this alert already has an open task",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values),
                name="task_status_valid",
                violation_error_message="unknown task status",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="task_closed_at_iff_closed",
                violation_error_message="a closed task has a closing time, an open one none",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due_idx"),
            models.Index(fields=["status", "rule"], name="task_status_rule_idx"),
            # The team's open tasks counted per assignee (the director's home) from the index
            # alone, and sorted by due date a page at a time (the tasks page, the API).
            models.Index(
                fields=["status", "assignee", "due_on"], name="task_status_assignee_due_idx"
            ),
            models.Index(fields=["status", "due_on"], name="task_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class TaskView(TimeStampedModel):
    """A person's saved filters and sort on the tasks page; at most one is their default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_views"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(
        max_length=300, help_text="The filters and sort, as the tasks page's query string."
    )
    is_default = models.BooleanField(
        default=False, help_text="Opened when the tasks page is visited without filters."
    )

    class Meta:
        ordering = ["user_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="task_view_name_unique_per_user",
                violation_error_message="you already have a view with this name",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_default=True),
                name="task_view_one_default_per_user",
                violation_error_message="only one view is the default",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="task_view_has_name",
                violation_error_message="name the view",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DigestLog(models.Model):
    """One digest sent to one person on one day: re-running the digest sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    tasks = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"],
                name="digest_once_per_user_and_day",
                violation_error_message="this person already had today's digest",
            )
        ]

    def __str__(self) -> str:
        return f"Digest to {self.user_id} on {self.sent_on}"


class AccountFollow(TimeStampedModel):
    """A person asked to hear about an account: new tasks on it, interactions others log."""

    #: Following a merged duplicate means following the kept account; someone who followed
    #: both keeps the one follow.
    merge_policy = "prefer_kept"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_follows"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="followers")

    class Meta:
        ordering = ["user_id", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "account"],
                name="account_follow_once",
                violation_error_message="you already follow this account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.account_id}"


class Notification(TimeStampedModel):
    """One in-app notice to one person about one account; unread until ``read_at`` is set."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=11, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, help_text="Where the notice leads: the account page.")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
                violation_error_message="unknown notification kind",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationSettings(TimeStampedModel):
    """A person's choice of in-app notifications; without a row, all of them are on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    in_app = models.BooleanField("in-app notifications", default=True)
    tasks = models.BooleanField(
        "new tasks", default=True, help_text="A task raised for me or on an account I follow."
    )
    interactions = models.BooleanField(
        "interactions", default=True, help_text="Someone else logged one on an account I follow."
    )

    class Meta:
        ordering = ["user_id"]
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"

    def wants(self, kind: str) -> bool:
        """Does this person want an in-app notice of this kind?"""
        if not self.in_app:
            return False
        return self.tasks if kind == NotificationKind.TASK_RAISED else self.interactions
