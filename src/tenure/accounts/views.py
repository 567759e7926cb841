"""Account pages: the searchable, sortable list and one page per account."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from tenure.access.permissions import (
    account_guard,
    can_edit_account,
    can_see_personal_data,
    visible_account_q,
)
from tenure.accounts.choices import AccountStatus, BuyingRole, Tier
from tenure.accounts.models import Account
from tenure.accounts.selectors import (
    ACCOUNT_SORTS,
    AccountFilters,
    account_detail,
    account_interactions,
    account_list,
    key_account_managers,
    last_strategic_contact,
)
from tenure.audit.selectors import account_audit
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.query_params import int_param, text_param
from tenure.engagement.forms import InteractionForm
from tenure.growth.selectors import account_opportunities, account_wallet_summary
from tenure.scoring.health_selectors import account_health_panel
from tenure.scoring.selectors import account_latest_snapshot, account_series
from tenure.core.charts import monthly_bars

PAGE_SIZE = 25
NEEDED_ROLES = frozenset({"decision_maker", "economic_buyer", "champion"})


def _gaps_text(labels: list[str]) -> str:
    """``nobody engaged as economic buyer or as champion``: each missing role named on its own,
    so "no economic buyer, champion engaged" cannot read as "a champion is engaged"."""
    roles = [label.lower() for label in labels]
    if not roles:
        return ""
    if len(roles) == 1:
        return f"nobody engaged as {roles[0]}"
    return f"nobody engaged as {', as '.join(roles[:-1])} or as {roles[-1]}"


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


def account_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything about one account on one page."""
    try:
        account = account_detail(pk=pk)
    except Account.DoesNotExist as missing:
        raise Http404("No such account") from missing
    account_guard(request, account, write=False)
    interactions = Paginator(account_interactions(account=account), 20).get_page(
        request.GET.get("page")
    )
    snapshot = account_latest_snapshot(account_id=account.pk)
    series = account_series(account_id=account.pk)
    chart = (
        monthly_bars(
            series.first_month,
            series.values,
            title=f"Monthly revenue of {account.name}",
            currency=snapshot.run.currency if snapshot is not None else "",
        )
        if series is not None
        else None
    )
    positions = list(account.positions.all())
    active = [p for p in positions if p.left_on is None]
    covered = {p.buying_role for p in active}
    # The roles a key relationship needs engaged; the others are nice to have.
    gaps = [
        label for role, label in BuyingRole.choices if role in NEEDED_ROLES and role not in covered
    ]
    by_role = [
        (label, [p for p in active if p.buying_role == role])
        for role, label in [*BuyingRole.choices, ("", "No role recorded")]
    ]
    context = {
        "account": account,
        "interactions": interactions,
        "active_positions": active,
        "former_positions": [p for p in positions if p.left_on is not None],
        "single_threaded": len(active) == 1,
        "coverage_gaps": gaps,
        "coverage_gaps_text": _gaps_text(gaps),
        "stakeholders_by_role": [(label, people) for label, people in by_role if people],
        "departments": sorted({p.department for p in active if p.department}),
        "team": list(account.team.all()),
        "plans": list(account.plans.all()),
        "milestones": list(account.milestones.all()),
        "touchpoints": account.planned_touchpoints,
        "snapshot": snapshot,
        **({"reporting_currency": snapshot.run.currency} if snapshot is not None else {}),
        "last_strategic": last_strategic_contact(account=account),
        "wallet": account_wallet_summary(account=account),
        "health_panel": account_health_panel(account.pk),
        "audit_events": account_audit(account.pk),
        "opportunities": list(account_opportunities(account_id=account.pk)),
        "form": InteractionForm(account=account),
        "can_edit": can_edit_account(request.user, account),
        "redact": not can_see_personal_data(request.user),
        "revenue_chart": chart,
    }
    return render(request, "accounts/detail.html", context)
