"""The audit trail in the admin: filterable, searchable, and read-only for everyone."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tenure.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes an event here, superusers included.

    Filter one account's history with ``?account_id=42`` in the address.
    """

    list_display = ["created_at", "actor", "action", "model", "object_repr", "account_id"]
    list_filter = ["action", "model", "created_at", "actor"]
    search_fields = ["object_repr", "object_id", "actor", "note"]
    date_hierarchy = "created_at"
    list_per_page = 50
    # Counting a large trail on every page is slow on PostgreSQL; the pager does without.
    show_full_result_count = False
    fields = [
        "created_at",
        "actor",
        "actor_id",
        "action",
        "model",
        "object_id",
        "object_repr",
        "account_id",
        "changes_table",
        "count",
        "note",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:  # noqa: ARG002
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:  # noqa: ARG002
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:  # noqa: ARG002
        return False

    @admin.display(description="changes")
    def changes_table(self, event: AuditEvent) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((c.field, _shown(c.before), _shown(c.after)) for c in event.changes()),
        )
        return format_html(
            "<table><thead><tr><th>field</th><th>before</th><th>after</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


def _shown(value: object) -> str:
    return "—" if value is None else str(value)
