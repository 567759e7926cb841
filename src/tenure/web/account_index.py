"""The list of all accounts: searchable, filterable, sortable, for the page and the API.

Each row carries the manager, the last (strategic) interaction and whether an issue is
open: accounts, engagement and planning together, so the list is composed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import HttpResponse
from django.shortcuts import render

from tenure.access.choices import SavedViewPage
from tenure.access.saved_views import page_views
from tenure.accounts.choices import AccountStatus, TeamRole, Tier
from tenure.accounts.models import Account, TeamMembership
from tenure.accounts.permissions import visible_account_q
from tenure.accounts.selectors import key_account_managers
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.paging import PagedRows
from tenure.core.query_params import int_param, text_param
from tenure.engagement.models import Interaction
from tenure.planning.models import Milestone

#: Sort keys a user may pick on the accounts list, mapped to ORDER BY expressions.
ACCOUNT_SORTS: dict[str, list[str]] = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "tier": ["tier_order", "name", "id"],
    "-tier": ["-tier_order", "name", "id"],
    "last_strategic": ["last_strategic_at", "name", "id"],
    "-last_strategic": ["-last_strategic_at", "name", "id"],
    "manager": ["manager_name", "name", "id"],
    "-manager": ["-manager_name", "name", "id"],
}


@dataclass(frozen=True)
class AccountFilters:
    """What the accounts list is narrowed by; empty values mean "any"."""

    search: str = ""
    tier: str = ""
    key_only: bool = False
    manager_id: int | None = None
    status: str = ""


def account_list(*, filters: AccountFilters | None = None, sort: str = "name") -> QuerySet[Account]:
    """Accounts with manager, last (strategic) interaction and open issues annotated."""
    return _annotate(_filtered(filters or AccountFilters())).order_by(*_sort_keys(sort))


def _filtered(filters: AccountFilters) -> QuerySet[Account]:
    queryset = Account.objects.all()
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(external_id__iexact=term))
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.key_only:
        queryset = queryset.filter(is_key_account=True)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.manager_id:
        queryset = queryset.filter(
            team__role=TeamRole.KEY_ACCOUNT_MANAGER, team__user_id=filters.manager_id
        )
    return queryset


def _annotations() -> dict[str, Any]:
    manager = TeamMembership.objects.filter(
        account=OuterRef("pk"), role=TeamRole.KEY_ACCOUNT_MANAGER
    )
    strategic = Interaction.objects.filter(account=OuterRef("pk"), is_strategic=True)
    # The newest interaction through the index on (account, time): a ``Max`` over the join
    # grouped every account's interactions (all 5,000,000 of them for a page of 25).
    latest = Interaction.objects.filter(account=OuterRef("pk")).order_by("-occurred_at")
    open_issue = Milestone.objects.open_issues().filter(account=OuterRef("pk"))
    return {
        "manager_name": Subquery(manager.values("user__username")[:1]),
        "manager_id": Subquery(manager.values("user_id")[:1]),
        "last_strategic_at": Subquery(strategic.order_by("-occurred_at").values("occurred_at")[:1]),
        "last_interaction_at": Subquery(latest.values("occurred_at")[:1]),
        "has_open_issue": Exists(open_issue),
        # Accounts without a tier sort after C.
        "tier_order": _tier_order(),
    }


def _annotate(queryset: QuerySet[Account]) -> QuerySet[Account]:
    return queryset.annotate(**_annotations())


def _sort_keys(sort: str) -> list[str]:
    return ACCOUNT_SORTS.get(sort, ACCOUNT_SORTS["name"])


def account_rows(
    *, filters: AccountFilters | None = None, sort: str = "name", visible: Q
) -> PagedRows[Account]:
    """The accounts list (as :func:`account_list`) that ``visible`` lets the caller see, for a
    paginator: sorted and counted on the bare rows, annotated one page at a time.

    Only the annotation the sort needs is computed for every account. Annotating all of them
    to show 25 (six subqueries per account: SQLite evaluates them before it sorts) took
    seconds at 50,000 accounts.
    """
    keys = _sort_keys(sort)
    needed = {key.lstrip("-") for key in keys}
    annotations = {k: v for k, v in _annotations().items() if k in needed}
    accounts = _filtered(filters or AccountFilters()).filter(visible)
    return PagedRows(
        accounts.annotate(**annotations).order_by(*keys),
        lambda ids: _annotate(Account.objects.filter(pk__in=ids)),
    )


def _tier_order() -> Case:
    return Case(
        *(When(tier=tier, then=Value(rank)) for rank, tier in enumerate(Tier.values)),
        default=Value(len(Tier.values)),
        output_field=IntegerField(),
    )


PAGE_SIZE = 25


def account_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All accounts: search by name or external id, filter, sort, page; visited bare, the
    person's default saved view."""
    default, views = page_views(request, SavedViewPage.ACCOUNTS)
    if default is not None:
        return default
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
    accounts = account_rows(filters=filters, sort=sort, visible=visible_account_q(request.user))
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
        **views,
    }
    template = "accounts/_table.html" if request.htmx else "accounts/index.html"
    return render(request, template, context)
