"""Growth pages: act on a suggestion; the whitespace grid."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenure.accounts.permissions import account_guard, sees_all_accounts, visible_account_q
from tenure.accounts.selectors import key_account_managers
from tenure.core.errors import DomainError
from tenure.core.query_params import int_param
from tenure.growth import services
from tenure.growth.models import Opportunity
from tenure.growth.selectors import whitespace_grid


@require_POST
def opportunity_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a suggestion to the plan, or record that it was offered, accepted or declined."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    opportunity = get_object_or_404(Opportunity.objects.select_related("account"), pk=pk)
    account_guard(request, opportunity.account, write=True)
    step = request.POST.get("step", "")
    try:
        if step == "plan":
            action = services.opportunity_plan(opportunity=opportunity, by=request.user)
            messages.success(request, f"Added to the plan “{action.plan.title}”: {action.title}")
        else:
            services.opportunity_record(opportunity=opportunity, outcome=step, by=request.user)
            messages.success(request, f"{opportunity.category}: recorded as {step}.")
    except DomainError as error:
        messages.error(request, f"{opportunity.category}: {error.message}")
    return redirect(opportunity.account.get_absolute_url() + "?tab=growth#growth-h")


def whitespace(request: HttpRequest) -> HttpResponse:
    """Accounts × product categories: bought, or bought by similar accounts."""
    manager_id = int_param(request.GET, "manager")
    if manager_id is None and not sees_all_accounts(request.user):
        manager_id = request.user.pk
    grid = whitespace_grid(manager_id=manager_id, visible=visible_account_q(request.user))
    return render(
        request,
        "growth/whitespace.html",
        {"grid": grid, "managers": key_account_managers(), "manager_id": manager_id},
    )
