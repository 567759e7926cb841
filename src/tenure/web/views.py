"""Home and the health check.

A key account manager's home is "my accounts": what needs me this week, and why. A director's
(or an administrator's) is the team's: workload and overdue items per manager, the accounts at
risk and the key-list decisions waiting (``tenure.web.team_home``); the account list is one
link away (``?view=accounts``, or any filter).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from tenure.access.choices import SavedViewPage
from tenure.access.saved_views import page_views
from tenure.accounts.choices import Tier
from tenure.accounts.permissions import can_assign_managers
from tenure.accounts.selectors import key_account_managers
from tenure.alerts.selectors import my_task_counts
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.query_params import BadQueryParameter, int_param, text_param
from tenure.engagement.selectors import AttentionFilters, weekly_focus
from tenure.web.my_accounts import ranked_accounts
from tenure.web.team_home import team_home

#: Query parameters of the account list: any of them asks a director for the list, not the team.
_LIST_PARAMS = frozenset({"view", "q", "tier", "manager", "key", "page"})


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The manager's accounts, most urgent first, with this week's focus account on top;
    for a director, the team."""
    default, views = page_views(request, SavedViewPage.MY_ACCOUNTS)
    if default is not None:
        return default
    today = timezone.localdate()
    params = request.GET
    if can_assign_managers(request.user) and not _LIST_PARAMS & set(params):
        return render(request, "web/team_home.html", {"team": team_home(today=today)})
    filters = AttentionFilters(
        tier=params.get("tier", "") if params.get("tier") in Tier.values else "",
        key_only=params.get("key") == "1",
        manager_id=int_param(params, "manager"),
        search=text_param(params, "q"),
    )
    accounts, scored = ranked_accounts(user=request.user, today=today, filters=filters)
    page = Paginator(accounts, 25).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "focus": weekly_focus(user=request.user, today=today),
        "tasks": my_task_counts(user=request.user, today=today),
        "today": today,
        "tiers": Tier.choices,
        "managers": key_account_managers(),
        "querystring": query.urlencode(),
        "scored": scored,
        "leads_team": can_assign_managers(request.user),
        **views,
    }
    return render(request, "web/home.html", context)


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:  # noqa: ARG001
    """Liveness for load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 with the reason (a query parameter that is not a valid id, for instance)."""
    message = str(exception) if isinstance(exception, BadQueryParameter) else ""
    return render(request, "web/400.html", {"message": message}, status=400)
