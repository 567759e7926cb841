"""One page per account: its key figures in a header, and everything else in tabs.

The page is where the apps meet (stakeholders, interactions, plans, revenue, health, wallet,
opportunities, audit), so it is composed here, above them, instead of inside ``accounts``.
The header and the asked tab (``?tab=``, the first by default) render with the page; the
other tabs load on demand (:func:`account_tab`), see :mod:`tenure.web.account_tabs`.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from tenure.accounts.models import Account, Contact
from tenure.accounts.permissions import account_guard
from tenure.core.http import AuthenticatedHttpRequest
from tenure.engagement.forms import InteractionForm
from tenure.engagement.selectors import last_strategic_contact
from tenure.health.selectors import what_if_contact_left
from tenure.scoring.selectors import account_latest_snapshot
from tenure.web.account_header import account_header
from tenure.web.account_tabs import BY_NAME, TABS, tab_context, tab_named


def _account(pk: int) -> Account:
    try:
        return Account.objects.select_related("parent").get(pk=pk)
    except Account.DoesNotExist as missing:
        raise Http404("No such account") from missing


def account_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account's header, its tabs, and the asked tab's content."""
    account = _account(pk)
    account_guard(request, account, write=False)
    today = timezone.localdate()
    tab = tab_named(request.GET.get("tab"))
    header = account_header(account=account, user=request.user, today=today)
    context = {
        **tab_context(request, account, tab, today=today),
        "header": header,
        "tabs": TABS,
        "active_tab": tab,
        "last_strategic": last_strategic_contact(account=account),
        "form": InteractionForm(account=account),
    }
    if header.currency:
        context.setdefault("reporting_currency", header.currency)
    return render(request, "accounts/detail.html", context)


def account_tab(request: AuthenticatedHttpRequest, pk: int, name: str) -> HttpResponse:
    """One tab's content, for the page to swap in; a person who opens the address itself
    (a bookmark, a new browser tab) gets the whole page on that tab."""
    tab = BY_NAME.get(name)
    if tab is None:
        raise Http404("No such tab")
    account = _account(pk)
    account_guard(request, account, write=False)
    if not request.htmx:
        query = request.GET.copy()
        query["tab"] = tab.name
        return redirect(f"{reverse('accounts:detail', args=[account.pk])}?{query.urlencode()}")
    context = tab_context(request, account, tab, today=timezone.localdate())
    return render(request, tab.template, context)


def what_if_left(request: AuthenticatedHttpRequest, pk: int, contact_id: int) -> HttpResponse:
    """The health and risk the account would have without this contact."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=False)
    contact = get_object_or_404(Contact, pk=contact_id, positions__account=account)
    context = {
        "account": account,
        "contact": contact,
        "what_if": what_if_contact_left(
            account, contact, snapshot=account_latest_snapshot(account_id=account.pk)
        ),
    }
    return render(request, "accounts/what_if.html", context)
