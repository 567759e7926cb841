from django.contrib import admin

from tenure.alerts.models import (
    AccountFollow,
    AlertSettings,
    DigestLog,
    Notification,
    NotificationSettings,
    Task,
    TaskView,
)


@admin.register(AlertSettings)
class AlertSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "health_drop_points",
        "risk_threshold",
        "no_strategic_days",
        "peak_weeks",
        "revenue_drop_percent",
    )


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "rule", "assignee", "due_on", "status", "raised_on")
    list_filter = ("status", "rule")
    search_fields = ("title", "account__name")
    raw_id_fields = ("account", "assignee", "closed_by")
    date_hierarchy = "due_on"


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    list_display = ("user", "sent_on", "tasks", "created_at")
    raw_id_fields = ("user",)


@admin.register(TaskView)
class TaskViewAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "is_default", "query", "updated_at")
    list_filter = ("is_default",)
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)


@admin.register(AccountFollow)
class AccountFollowAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "created_at")
    raw_id_fields = ("user", "account")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("text", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "account")


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "in_app", "tasks", "interactions")
    raw_id_fields = ("user",)
