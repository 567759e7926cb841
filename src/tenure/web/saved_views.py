"""Saved views on the list pages (accounts, my accounts): save, make default, delete.

One set of endpoints for every page; ``page`` is checked against ``SavedViewPage``. The list
pages call ``page_views``: a visit without any query opens the person's default view, else it
gives what ``web/_saved_views.html`` shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tenure.access.choices import SavedViewPage
from tenure.access.models import SavedView
from tenure.access.saved_views import (
    clean_query,
    saved_view_delete,
    saved_view_save,
    saved_view_set_default,
    saved_views,
)
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest

#: Where each page lives.
PAGE_URLS: dict[str, str] = {
    SavedViewPage.ACCOUNTS: "accounts:index",
    SavedViewPage.MY_ACCOUNTS: "home",
}


def _page_url(page: str, query: str = "") -> str:
    url = reverse(PAGE_URLS[page])
    return f"{url}?{query}" if query else url


def page_views(
    request: AuthenticatedHttpRequest, page: str
) -> tuple[HttpResponseRedirect | None, dict[str, Any]]:
    """The person's views of ``page`` (one query, none for an htmx refresh): a redirect to
    their default view when the page is visited bare, else what ``web/_saved_views.html``
    shows."""
    if request.htmx:
        return None, {}
    views = list(saved_views(user=request.user, page=page))
    if not request.GET:
        default = next((v for v in views if v.is_default), None)
        if default is not None:
            return redirect(_page_url(page, default.query)), {}
    current = clean_query(page=page, params=request.GET)
    return None, {
        "saved_views": views,
        "saved_page": page,
        "current_query": current,
        "current_view": next((v for v in views if v.query == current), None),
    }


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
        return redirect(_page_url(page, clean_query(page=page, params=QueryDict(query))))
    default = " (your default)" if view.is_default else ""
    messages.success(request, f"Saved the view “{view.name}”{default}.")
    return redirect(_page_url(page, view.query))


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
    return redirect(_page_url(view.page, view.query))


def view_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete one of my views (GET or an unconfirmed POST shows the question)."""
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        saved_view_delete(view=view, confirmed=True)
        messages.success(request, f"Deleted the view “{view.name}”.")
        return redirect(_page_url(view.page))
    return render(
        request,
        "web/saved_view_delete.html",
        {"view": view, "back": _page_url(view.page, view.query)},
    )
