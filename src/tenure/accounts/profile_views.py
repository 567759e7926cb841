"""The account profile partial: what the team knows that the ledger cannot tell.

Seasons, international presence, new markets, the customer's objectives, culture and pain
points, and the team's potential spend (with its source and date, under
``account_potential_set``'s rules). An htmx request gets ``accounts/_profile.html``; a
plain one the full page ``accounts/profile.html``. Changes are audited by the model signals.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from tenure.accounts.forms import ProfileForm
from tenure.accounts.models import Account
from tenure.accounts.people_views import focus_first
from tenure.accounts.permissions import account_guard, can_edit_account
from tenure.accounts.services import account_profile_update
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest


def _render(
    request: AuthenticatedHttpRequest, account: Account, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"account": account, "can_edit": can_edit_account(request.user, account), **extra}
    if "profile_form" in extra:
        focus_first(extra["profile_form"])
    if request.htmx:
        return render(request, "accounts/_profile.html", context)
    return render(request, "accounts/profile.html", context, status=status)


def profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account's profile, read-only."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=False)
    return _render(request, account)


def profile_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct the profile in place."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=True)
    form = (
        ProfileForm(request.POST) if request.method == "POST" else ProfileForm.for_account(account)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_profile_update(
                account=account,
                today=timezone.localdate(),
                potential=data["potential_annual_spend"],
                potential_source=data["potential_spend_source"],
                potential_as_of=data["potential_spend_as_of"],
                **{name: data[name] for name in ProfileForm.TEXT_FIELDS},
            )
        except DomainError as error:
            account.refresh_from_db()
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            message = f"The profile of {account.name} is saved."
            if request.htmx:
                return _render(request, account, profile_notice=message)
            messages.success(request, message)
            return redirect(reverse("accounts:profile", args=[account.pk]))
    return _render(request, account, profile_form=form, status=400 if form.errors else 200)
