import datetime as dt

from django import forms
from django.contrib import admin

from tenure.engagement.models import (
    CadencePolicy,
    Interaction,
    SeasonalPreparation,
    Touchpoint,
)
from tenure.engagement.services import interaction_date_problem


class InteractionAdminForm(forms.ModelForm):
    """The admin's form, held to the service's rule that nothing is logged after today."""

    class Meta:
        model = Interaction
        fields = "__all__"  # noqa: DJ007 (the ModelAdmin decides which fields show)

    def clean_occurred_at(self) -> dt.datetime:
        occurred_at: dt.datetime = self.cleaned_data["occurred_at"]
        problem = interaction_date_problem(occurred_at)
        if problem:
            raise forms.ValidationError(problem)
        return occurred_at


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    form = InteractionAdminForm
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


@admin.register(CadencePolicy)
class CadencePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "contact_every_days",
        "strategic_every_days",
        "max_contacts",
        "max_contacts_per_person",
        "period_days",
        "min_strategic_percent",
    ]
    autocomplete_fields = ["account"]


@admin.register(SeasonalPreparation)
class SeasonalPreparationAdmin(admin.ModelAdmin):
    list_display = ["account", "peak_starts_on", "peak_label", "touchpoint"]
    search_fields = ["account__name"]
    raw_id_fields = ["touchpoint"]
