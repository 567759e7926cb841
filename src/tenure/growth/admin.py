from django.contrib import admin

from tenure.growth.models import GrowthSettings, Opportunity, WalletEstimate


@admin.register(GrowthSettings)
class GrowthSettingsAdmin(admin.ModelAdmin):
    list_display = ["created_at", "min_confidence", "min_peers", "decline_cooldown_days"]


@admin.register(WalletEstimate)
class WalletEstimateAdmin(admin.ModelAdmin):
    list_display = ["account", "as_of", "potential", "share_of_wallet", "n_peers"]
    search_fields = ["account__name"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]  # noqa: ARG002
        return False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["account", "category", "status", "confidence", "shown", "as_of"]
    list_filter = ["status", "shown", "category"]
    search_fields = ["account__name", "category"]
    readonly_fields = ["decided_at", "decided_by", "action"]
