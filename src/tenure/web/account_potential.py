"""Enter the team's potential annual spend of an account (shown on the account's Growth part).

A page action above the apps: the figure is the account's, the form is growth's, and the
confirmation names the reporting currency of the latest scoring run.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import account_guard
from tenure.accounts.services import account_potential_set
from tenure.core.errors import DomainError
from tenure.core.figures import money
from tenure.growth.forms import PotentialForm
from tenure.scoring.selectors import reporting_currency_latest


@require_POST
def potential_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter, change or clear the team's potential annual spend of an account."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=True)
    form = PotentialForm(request.POST)
    back = redirect(account.get_absolute_url() + "?tab=growth#growth-h")
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
