"""Growth pages: act on a suggestion; enter potential spend; the whitespace grid."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenure.access.permissions import account_guard, sees_all_accounts, visible_account_q
from tenure.accounts.models import Account
from tenure.accounts.selectors import key_account_managers
from tenure.accounts.services import account_potential_set
from tenure.core.errors import DomainError
from tenure.core.figures import money
from tenure.core.query_params import int_param
from tenure.growth import services
from tenure.growth.forms import PotentialForm
from tenure.growth.models import Opportunity
from tenure.growth.selectors import whitespace_grid
from tenure.scoring.selectors import reporting_currency_latest


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
    return redirect(opportunity.account.get_absolute_url() + "#growth-h")


@require_POST
def potential_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter, change or clear the team's potential annual spend of an account."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=True)
    form = PotentialForm(request.POST)
    back = redirect(account.get_absolute_url() + "#growth-h")
    if not form.is_valid():
        problems = "; ".join(str(m) for errors in form.errors.values() for m in errors)
        messages.error(request, f"Potential spend not saved: {problems}")
        return back
    data = form.cleaned_data
    try:
        account_potential_set(
            account=account,
            potential=data["potential_annual_spend"],
            source=data["potential_spend_source"],
            as_of=data["potential_spend_as_of"],
            today=timezone.localdate(),
        )
    except DomainError as error:
        messages.error(request, f"Potential spend not saved: {error.message}")
        return back
    amount = data["potential_annual_spend"]
    if amount is None:
        messages.success(request, "The team's potential spend is cleared.")
    else:
        messages.success(
            request, f"Potential spend set to {money(amount, reporting_currency_latest())} a year."
        )
    return back


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
