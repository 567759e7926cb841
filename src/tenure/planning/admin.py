from django.contrib import admin

from tenure.planning.models import AccountPlan, Action, Goal, Milestone, Objective


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
