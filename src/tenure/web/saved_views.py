"""Saved views on the list pages (accounts, my accounts, people): save, make default, delete.

One set of endpoints for every page; ``page`` is checked against ``SavedViewPage``. The list
pages call ``tenure.access.saved_views.page_views`` (a bare visit opens the default view) and
include ``web/_saved_views.html``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenure.access.choices import SavedViewPage
from tenure.access.models import SavedView
from tenure.access.saved_views import (
    clean_query,
    page_url,
    saved_view_delete,
    saved_view_save,
    saved_view_set_default,
)
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest


def _page(value: str) -> str:
    if value not in SavedViewPage.values:
        raise Http404("No such page for saved views.")
    return value


@require_POST
def view_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the page's filters and sort (posted as ``query``) under a name."""
    page = _page(request.POST.get("page", ""))
    query = request.POST.get("query", "")
    try:
        view = saved_view_save(
            user=request.user,
            page=page,
            name=request.POST.get("name", ""),
            query=query,
            default=request.POST.get("default") == "1",
        )
    except DomainError as error:
        label = "View name" if error.field == "name" else "View"
        messages.error(request, f"{label}: {error.message}.")
        return redirect(page_url(page, clean_query(page=page, params=QueryDict(query))))
    default = " (your default)" if view.is_default else ""
    messages.success(request, f"Saved the view “{view.name}”{default}.")
    return redirect(page_url(page, view.query))


@require_POST
def view_default(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Make one of my views its page's default, or (``default=0``) stop it being one."""
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    make = request.POST.get("default", "1") == "1"
    saved_view_set_default(view=view, default=make)
    if make:
        messages.success(request, f"“{view.name}” now opens with {view.get_page_display()}.")
    else:
        messages.success(request, f"“{view.name}” is no longer your default.")
    return redirect(page_url(view.page, view.query))


def view_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete one of my views (GET or an unconfirmed POST shows the question)."""
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        saved_view_delete(view=view, confirmed=True)
        messages.success(request, f"Deleted the view “{view.name}”.")
        return redirect(page_url(view.page))
    return render(
        request,
        "web/saved_view_delete.html",
        {"view": view, "back": page_url(view.page, view.query)},
    )
