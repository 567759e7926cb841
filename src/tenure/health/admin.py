"""Admin of health and risk: scorecard versions, churn settings, the health rows and kept
backtests (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tenure.accounts.permissions import can_adopt_scorecards
from tenure.core.admin import ReadOnlyAdmin
from tenure.health.models import AccountHealth, BacktestRecord, ChurnSettings, HealthScorecard
from tenure.health.scorecard_drafts import health_scorecard_adopt
from tenure.health.services import health_scorecard_current, health_scorecard_publish


@admin.register(HealthScorecard)
class HealthScorecardAdmin(admin.ModelAdmin):
    """A new version is added (and becomes active); a used version is never edited."""

    list_display = ["version", "is_active", "created_at", "note"]
    fields = ["version", "definition", "note", "is_active"]
    actions = ["adopt"]

    @admin.action(description="Adopt the selected version (put it in force)")
    def adopt(self, request: HttpRequest, queryset: QuerySet[HealthScorecard]) -> None:
        # Drafts (learnt weights from `tenure backtest --draft`) wait here for a director.
        if not can_adopt_scorecards(request.user):
            self.message_user(request, "Only admins and directors adopt a scorecard.", "error")
            return
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to adopt.", "error")
            return
        row = health_scorecard_adopt(queryset.get().version)
        self.message_user(request, f"Health scorecard {row.version} is now in force.")

    def get_readonly_fields(
        self, request: HttpRequest, obj: HealthScorecard | None = None
    ) -> list[str]:
        return ["version", "definition", "is_active"] if obj is not None else ["is_active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new version starts from the active one, so editing means changing a copy.
        row, _ = health_scorecard_current()
        return {"definition": row.definition, "version": f"{row.version}-next"}

    def save_model(
        self, request: HttpRequest, obj: HealthScorecard, form: Any, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["note", "updated_at"])
            return
        published = health_scorecard_publish(
            definition=obj.definition, version=obj.version, note=obj.note
        )
        obj.pk, obj.is_active = published.pk, True


@admin.register(ChurnSettings)
class ChurnSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "interval_multiple",
        "min_silence_days",
        "revenue_drop",
        "horizon_days",
    ]


@admin.register(AccountHealth)
class AccountHealthAdmin(ReadOnlyAdmin):
    list_display = ["account", "as_of", "health_score", "risk", "clv", "health_version"]
    list_filter = ["as_of", "health_version", "churned"]
    search_fields = ["account__name", "account__external_id"]


@admin.register(BacktestRecord)
class BacktestRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "as_of", "scorecard_version", "model_version"]
    list_filter = ["scorecard_version", "model_version"]
    # The PNG bytes would show as a wall of digits: the page renders them.
    exclude = ["calibration_png", "lift_png"]
