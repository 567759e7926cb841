"""Saved views of the list pages (accounts, my accounts, people): a name for a query string.

One design for every page: the page says which query parameters it knows
(``PAGE_PARAMS``); anything else (and ``page=``, the pagination) is dropped before saving.
The tasks page keeps its own ``TaskView`` (tenure.alerts).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from tenure.access.choices import SavedViewPage
from tenure.access.models import SavedView
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.validation import validate_and_save

#: The query parameters each page understands; a saved query keeps only these.
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    SavedViewPage.ACCOUNTS: ("q", "tier", "status", "manager", "key", "sort"),
    SavedViewPage.MY_ACCOUNTS: ("view", "q", "tier", "manager", "key"),
    SavedViewPage.PEOPLE: ("q",),
}
MAX_QUERY = 300
MAX_NAME = 60


def clean_query(*, page: str, params: QueryDict) -> str:
    """The page's known, non-empty parameters of ``params`` as a query string."""
    if page not in PAGE_PARAMS:
        raise DomainError("unknown page", field="page")
    kept = QueryDict(mutable=True)
    for key in PAGE_PARAMS[page]:
        value = params.get(key, "").strip()
        if value:
            kept[key] = value
    return kept.urlencode()


def saved_views(*, user: Any, page: str) -> QuerySet[SavedView]:
    """A person's own views of one page, the default first."""
    return SavedView.objects.filter(user=user, page=page).order_by("-is_default", "name")


def default_view(*, user: Any, page: str) -> SavedView | None:
    return SavedView.objects.filter(user=user, page=page, is_default=True).first()


#: Where each page lives (URL names).
PAGE_URLS: dict[str, str] = {
    SavedViewPage.ACCOUNTS: "accounts:index",
    SavedViewPage.MY_ACCOUNTS: "home",
    SavedViewPage.PEOPLE: "accounts:contacts",
}


def page_url(page: str, query: str = "") -> str:
    """The page's address, with ``query`` if any."""
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
            return redirect(page_url(page, default.query)), {}
    current = clean_query(page=page, params=request.GET)
    return None, {
        "saved_views": views,
        "saved_page": page,
        "current_query": current,
        "current_view": next((v for v in views if v.query == current), None),
    }


@transaction.atomic
def saved_view_save(
    *, user: Any, page: str, name: str, query: str, default: bool = False
) -> SavedView:
    """Save (or overwrite, by name) a person's view of a page; ``default`` makes it the one
    the page opens with (and unsets their previous default for that page)."""
    if page not in PAGE_PARAMS:
        raise DomainError("unknown page", field="page")
    name = name.strip()
    if not name:
        raise DomainError("name the view", field="name")
    if len(name) > MAX_NAME:
        raise DomainError(f"a view's name is at most {MAX_NAME} characters", field="name")
    query = clean_query(page=page, params=QueryDict(query))
    if not query:
        raise DomainError("choose a filter or sort before saving a view", field="query")
    if len(query) > MAX_QUERY:
        raise DomainError(
            f"the filters are too long to save (at most {MAX_QUERY} characters)", field="query"
        )
    view = SavedView.objects.filter(user=user, page=page, name=name).first() or SavedView(
        user=user, page=page, name=name
    )
    if default:
        SavedView.objects.filter(user=user, page=page, is_default=True).exclude(pk=view.pk).update(
            is_default=False
        )
    view.query = query
    view.is_default = default
    validate_and_save(view)
    return view


@transaction.atomic
def saved_view_set_default(*, view: SavedView, default: bool = True) -> SavedView:
    """Make ``view`` the page's default (or stop it being one)."""
    if default:
        SavedView.objects.filter(user=view.user, page=view.page, is_default=True).exclude(
            pk=view.pk
        ).update(is_default=False)
    view.is_default = default
    validate_and_save(view)
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, confirmed: bool) -> None:
    """Forget a saved view (nothing it shows is touched); only once confirmed."""
    if not confirmed:
        raise DomainError("confirm that the view should be deleted", field="confirm")
    view.delete()
