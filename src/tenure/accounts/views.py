"""The searchable, sortable list of accounts (one account's page: ``tenure.web.account_page``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from tenure.access.permissions import visible_account_q
from tenure.accounts.choices import AccountStatus, Tier
from tenure.accounts.models import Account
from tenure.accounts.selectors import (
    ACCOUNT_SORTS,
    AccountFilters,
    account_list,
    key_account_managers,
)
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.query_params import int_param, text_param

PAGE_SIZE = 25


def account_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All accounts: search by name or external id, filter, sort, page."""
    params = request.GET
    filters = AccountFilters(
        search=text_param(params, "q"),
        tier=params.get("tier", "") if params.get("tier") in Tier.values else "",
        key_only=params.get("key") == "1",
        manager_id=int_param(params, "manager"),
        status=params.get("status", "") if params.get("status") in AccountStatus.values else "",
    )
    sort = params.get("sort", "name")
    if sort not in ACCOUNT_SORTS:
        sort = "name"
    accounts = account_list(filters=filters, sort=sort).filter(visible_account_q(request.user))
    page = Paginator(accounts, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "sort": sort,
        "tiers": Tier.choices,
        "statuses": AccountStatus.choices,
        "managers": key_account_managers(),
        "querystring": query.urlencode(),
        "total": Account.objects.count(),
    }
    template = "accounts/_table.html" if request.htmx else "accounts/index.html"
    return render(request, template, context)
