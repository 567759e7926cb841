from django.contrib import admin

from tenure.accounts.models import Account, Contact, Position, TeamMembership


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    autocomplete_fields = ["contact", "account"]


class TeamInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "tier", "is_key_account", "status", "country"]
    list_filter = ["tier", "is_key_account", "status", "industry"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["parent"]
    inlines = [TeamInline, PositionInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "phone"]
    search_fields = ["first_name", "last_name", "email"]
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["contact", "account", "title", "buying_role", "strength", "left_on"]
    list_filter = ["buying_role", "seniority"]
    search_fields = ["contact__last_name", "account__name"]
    autocomplete_fields = ["contact", "account"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["account", "user", "role"]
    list_filter = ["role"]
    search_fields = ["account__name", "user__username"]
    autocomplete_fields = ["account", "user"]
