from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from tenure.accounts.choices import TeamRole
from tenure.accounts.merge import account_merge, contact_merge, merge_summary
from tenure.accounts.models import (
    Account,
    AccountAlias,
    Contact,
    MergeRecord,
    Position,
    TeamMembership,
)
from tenure.core.errors import DomainError


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
    actions = ["merge_accounts"]

    @admin.action(description="Merge selected accounts into…", permissions=["change", "delete"])
    def merge_accounts(self, request: HttpRequest, queryset: QuerySet[Account]) -> Any:
        return merge_selected(self, request, queryset, merge=account_merge, facts=_account_facts)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "phone"]
    search_fields = ["first_name", "last_name", "email"]
    inlines = [PositionInline]
    actions = ["merge_contacts"]

    @admin.action(description="Merge selected contacts into…", permissions=["change", "delete"])
    def merge_contacts(self, request: HttpRequest, queryset: QuerySet[Contact]) -> Any:
        return merge_selected(self, request, queryset, merge=contact_merge, facts=_contact_facts)


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


# --- Merging duplicates --------------------------------------------------------------------


class MergeForm(forms.Form):
    """Which of the selected objects to keep, and why they are being merged."""

    keep = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Keep")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=1000,
        help_text="Kept in the merge record.",
    )

    def __init__(self, *args: Any, objects: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(o.pk, str(o)) for o in objects]


def merge_selected(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    merge: Callable[..., MergeRecord],
    facts: Callable[[list[int]], list[tuple[Any, list[tuple[str, Any]]]]],
) -> TemplateResponse | None:
    """The "Merge selected … into…" action: ask which to keep and why, then merge."""
    objects = sorted(queryset, key=lambda o: o.pk)
    opts = model_admin.model._meta
    if len(objects) < 2:
        message = f"Select at least two {opts.verbose_name_plural} to merge."
        model_admin.message_user(request, message, messages.WARNING)
        return None
    data = request.POST if request.POST.get("post") else None
    form = MergeForm(data, objects=objects, initial={"keep": objects[0].pk})
    if form.is_valid():
        keep = next(o for o in objects if o.pk == form.cleaned_data["keep"])
        duplicates = [o for o in objects if o.pk != keep.pk]
        try:
            record = merge(
                keep=keep,
                duplicates=duplicates,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            model_admin.message_user(
                request, f"Nothing was merged: {error.message}", messages.ERROR
            )
            return None
        model_admin.message_user(request, " ".join(merge_summary(record)), messages.SUCCESS)
        return None
    request.current_app = model_admin.admin_site.name
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Merge {opts.verbose_name_plural}",
        "opts": opts,
        "form": form,
        "chosen": form["keep"].value(),
        "rows": facts([o.pk for o in objects]),
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/accounts/merge_confirmation.html", context)


def _account_facts(ids: list[int]) -> list[tuple[Any, list[tuple[str, Any]]]]:
    accounts = (
        Account.objects.filter(pk__in=ids)
        .annotate(
            open_positions=Count(
                "positions", filter=Q(positions__left_on__isnull=True), distinct=True
            ),
            interaction_count=Count("interactions", distinct=True),
            plan_count=Count("plans", distinct=True),
            subsidiary_count=Count("subsidiaries", distinct=True),
        )
        .order_by("pk")
    )
    managers = dict(
        TeamMembership.objects.filter(
            account_id__in=ids, role=TeamRole.KEY_ACCOUNT_MANAGER
        ).values_list("account_id", "user__username")
    )
    return [
        (
            account,
            [
                ("external id", account.external_id or "—"),
                ("created", account.created_at.date()),
                ("status", account.get_status_display()),
                ("key account", "yes" if account.is_key_account else "no"),
                ("manager", managers.get(account.pk, "—")),
                ("current contacts", account.open_positions),
                ("interactions", account.interaction_count),
                ("plans", account.plan_count),
                ("subsidiaries", account.subsidiary_count),
            ],
        )
        for account in accounts
    ]


def _contact_facts(ids: list[int]) -> list[tuple[Any, list[tuple[str, Any]]]]:
    contacts = (
        Contact.objects.filter(pk__in=ids)
        .annotate(
            position_count=Count("positions", distinct=True),
            interaction_count=Count("interactions", distinct=True),
        )
        .prefetch_related("positions__account")
        .order_by("pk")
    )
    return [
        (
            contact,
            [
                ("email", contact.email or "—"),
                ("created", contact.created_at.date()),
                (
                    "accounts",
                    ", ".join(sorted({p.account.name for p in contact.positions.all()})) or "—",
                ),
                ("positions", contact.position_count),
                ("interactions", contact.interaction_count),
            ],
        )
        for contact in contacts
    ]


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:  # noqa: ARG002
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # noqa: ARG002
        return False


@admin.register(MergeRecord)
class MergeRecordAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "kind", "kept_name", "kept_id", "merged_count", "merged_by"]
    list_filter = ["kind"]
    search_fields = ["kept_name", "reason"]
    fields = [
        "created_at",
        "kind",
        "kept",
        "merged_ids",
        "merged_by",
        "reason",
        "summary",
        "snapshots_shown",
        "details_shown",
    ]
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # noqa: ARG002
        return False

    @admin.display(description="merged")
    def merged_count(self, record: MergeRecord) -> int:
        return len(record.merged_ids)

    @admin.display(description="kept")
    def kept(self, record: MergeRecord) -> str:
        try:
            url = reverse(f"admin:accounts_{record.kind}_change", args=[record.kept_id])
        except NoReverseMatch:
            return f"{record.kept_name} (#{record.kept_id})"
        return format_html('<a href="{}">{} (#{})</a>', url, record.kept_name, record.kept_id)

    @admin.display(description="what happened")
    def summary(self, record: MergeRecord) -> str:
        return " ".join(merge_summary(record))

    @admin.display(description="the duplicates before the merge")
    def snapshots_shown(self, record: MergeRecord) -> str:
        return _pretty(record.snapshots)

    @admin.display(description="details")
    def details_shown(self, record: MergeRecord) -> str:
        return _pretty(record.details)


@admin.register(AccountAlias)
class AccountAliasAdmin(_ReadOnlyAdmin):
    """Old external ids of merged accounts. Deleting one stops mapping that id."""

    list_display = ["external_id", "account", "created_at"]
    search_fields = ["external_id", "account__name"]
    list_select_related = ["account"]


def _pretty(value: Any) -> str:
    text = json.dumps(value, indent=2, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html("<pre>{}</pre>", text)
