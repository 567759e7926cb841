"""The notifications pages: the list, the header's unread count (fetched by htmx so that no
other page pays a query for it), a person's settings, and the "follow this account" toggle."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import AccessDenied, can_view_account
from tenure.alerts import notifications as services
from tenure.alerts.selectors import (
    follows_account,
    notification_list,
    notification_settings_of,
    unread_notification_count,
)


def notifications_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/notifications.html",
        {"page": page, "unread": unread_notification_count(user=request.user)},
    )


@require_GET
def notifications_count(request: HttpRequest) -> HttpResponse:
    """The header link's text: "Notifications" and the unread count when there are any."""
    return render(
        request,
        "alerts/_notification_count.html",
        {"unread": unread_notification_count(user=request.user)},
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    done = services.notifications_mark_read(user=request.user)
    if done:
        messages.success(request, f"Marked {done} notification{'s' if done != 1 else ''} read.")
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def notification_settings_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_settings_save(
            user=request.user,
            in_app=request.POST.get("in_app") == "on",
            tasks=request.POST.get("tasks") == "on",
            interactions=request.POST.get("interactions") == "on",
        )
        messages.success(request, "Saved your notification settings.")
        return redirect("notifications:settings")
    return render(
        request,
        "alerts/notification_settings.html",
        {"chosen": notification_settings_of(user=request.user)},
    )


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET: the button in its current state. POST ``follow=1`` or ``follow=0``: change it."""
    account = get_object_or_404(Account, pk=account_id)
    if not can_view_account(request.user, account):
        raise PermissionDenied("You may not see this account, so you cannot follow it.")
    if request.method == "POST":
        try:
            if request.POST.get("follow") == "1":
                services.account_follow(user=request.user, account=account)
            else:
                services.account_unfollow(user=request.user, account=account)
        except AccessDenied as error:
            raise PermissionDenied(error.message) from error
        if not request.headers.get("HX-Request"):
            return redirect(account.get_absolute_url())
    following = follows_account(user=request.user, account_id=account.pk)
    return render(
        request, "alerts/_follow_button.html", {"account": account, "following": following}
    )
