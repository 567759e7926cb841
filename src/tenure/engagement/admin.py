from django.contrib import admin

from tenure.engagement.models import Interaction, Touchpoint


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "account", "kind", "is_strategic", "sentiment"]
    list_filter = ["kind", "is_strategic", "sentiment"]
    search_fields = ["account__name", "summary"]
    autocomplete_fields = ["account", "contacts", "team_members"]
    date_hierarchy = "occurred_at"


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["scheduled_on", "account", "kind", "status", "owner"]
    list_filter = ["kind", "status"]
    search_fields = ["account__name", "title"]
    autocomplete_fields = ["account", "contact", "owner"]
    raw_id_fields = ["interaction"]
