from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tenure.core.admin import ReadOnlyAdmin
from tenure.scoring.models import (
    AccountSnapshot,
    KeyListDecision,
    PortfolioSnapshot,
    QualificationRating,
    QualificationScorecard,
    ScoringRun,
    ScoringSettings,
)
from tenure.scoring.services import scorecard_publish


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "status", "accounts_scored", "unmatched_keys", "created_at"]


@admin.register(AccountSnapshot)
class AccountSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["account", "as_of", "tier", "revenue_t12m", "qualification_score"]
    list_filter = ["as_of", "tier", "keylist_action"]
    search_fields = ["account__name", "account__external_id"]


@admin.register(PortfolioSnapshot)
class PortfolioSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "created_at"]


@admin.register(KeyListDecision)
class KeyListDecisionAdmin(ReadOnlyAdmin):
    list_display = ["account", "action", "outcome", "decided_by", "created_at"]
    list_filter = ["action", "outcome"]


@admin.register(QualificationScorecard)
class QualificationScorecardAdmin(admin.ModelAdmin):
    """New versions are added; a version in use is never edited (it explains past scores)."""

    list_display = ["version", "is_active", "created_at"]

    fields = ["version", "definition", "note", "is_active"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: QualificationScorecard | None = None
    ) -> list[str]:
        return ["version", "definition", "is_active"] if obj is not None else ["is_active"]

    def save_model(
        self, request: HttpRequest, obj: QualificationScorecard, form: Any, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["note", "updated_at"])
            return
        published = scorecard_publish(definition=obj.definition, version=obj.version, note=obj.note)
        obj.pk, obj.is_active = published.pk, True


@admin.register(QualificationRating)
class QualificationRatingAdmin(admin.ModelAdmin):
    list_display = ["account", "criterion", "score", "rated_by", "updated_at"]
    list_filter = ["criterion", "score"]
    search_fields = ["account__name"]
    autocomplete_fields = ["account"]


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(admin.ModelAdmin):
    list_display = ["created_at", "a_share", "b_share", "max_key_accounts"]
