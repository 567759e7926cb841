from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tenure.core.admin import ReadOnlyAdmin
from tenure.planning.models import (
    AccountPlan,
    Action,
    Goal,
    Milestone,
    Objective,
    Onboarding,
    OnboardingStep,
    OnboardingStepTemplate,
    PlanTemplate,
    PlanTemplateAction,
    PlanTemplateGoal,
    PlanTemplateObjective,
    Review,
)


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    autocomplete_fields = ["owner"]
    raw_id_fields = ["goal"]


@admin.register(AccountPlan)
class AccountPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "horizon", "starts_on", "ends_on", "status"]
    list_filter = ["horizon", "status"]
    search_fields = ["title", "account__name"]
    autocomplete_fields = ["account", "owner"]
    inlines = [ObjectiveInline, ActionInline]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "kind"]
    list_filter = ["kind"]
    search_fields = ["title"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["kpi", "objective", "baseline", "target", "current", "due_on"]
    search_fields = ["kpi"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "owner", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    autocomplete_fields = ["owner"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "kind", "severity", "occurred_on", "resolved_on"]
    list_filter = ["kind", "severity"]
    search_fields = ["title", "account__name"]
    autocomplete_fields = ["account"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Reviews are started by the service (it takes the snapshot) and final ones stay final."""

    list_display = ["account", "period_label", "status", "author", "finalised_at"]
    list_filter = ["status", "year", "quarter"]
    search_fields = ["account__name"]
    readonly_fields = [
        "account",
        "year",
        "quarter",
        "period_start",
        "period_end",
        "author",
        "status",
        "snapshot",
        "finalised_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        if obj is not None and obj.is_final:
            return False
        return super().has_change_permission(request, obj)


# --- onboarding and plan templates (directors edit both on their own pages too) ----------


@admin.register(OnboardingStepTemplate)
class OnboardingStepTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "auto_check", "due_days", "position"]
    ordering = ["position", "id"]


class OnboardingStepInline(admin.TabularInline):
    """Read-only: steps are ticked on the checklist page, which says who and when."""

    model = OnboardingStep
    extra = 0
    fields = readonly_fields = ("title", "auto_check", "due_on", "done_on", "done_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Onboarding)
class OnboardingAdmin(ReadOnlyAdmin):
    """Started by a promotion (``onboarding_start``), never by hand."""

    list_display = ["account", "started_on", "started_by"]
    search_fields = ["account__name"]
    autocomplete_fields = ["account"]
    raw_id_fields = ["started_by"]
    inlines = [OnboardingStepInline]


class PlanTemplateObjectiveInline(admin.TabularInline):
    model = PlanTemplateObjective
    extra = 0
    show_change_link = True


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "situation", "horizon"]
    list_filter = ["situation"]
    inlines = [PlanTemplateObjectiveInline]


class PlanTemplateGoalInline(admin.TabularInline):
    model = PlanTemplateGoal
    extra = 0


class PlanTemplateActionInline(admin.TabularInline):
    model = PlanTemplateAction
    extra = 0


@admin.register(PlanTemplateObjective)
class PlanTemplateObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "template", "kind"]
    inlines = [PlanTemplateGoalInline, PlanTemplateActionInline]
