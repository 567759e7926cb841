"""Logging interactions from the account page (htmx) or as a plain form."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenure.access.permissions import account_guard
from tenure.accounts.models import Account
from tenure.accounts.selectors import account_interactions, last_strategic_contact
from tenure.core.errors import DomainError
from tenure.engagement.forms import InteractionForm
from tenure.engagement.services import interaction_log


def _account(pk: int) -> Account:
    try:
        return Account.objects.get(pk=pk)
    except Account.DoesNotExist as missing:
        raise Http404("No such account") from missing


def interaction_new(request: HttpRequest, account_id: int) -> HttpResponse:
    """Show and take the log-an-interaction form for one account."""
    account = _account(account_id)
    account_guard(request, account, write=True)
    form = InteractionForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interaction_log(
                account=account,
                occurred_at=data["occurred_at"],
                kind=data["kind"],
                summary=data["summary"],
                is_strategic=data["is_strategic"],
                contacts=list(data["contacts"]),
                team_members=[request.user],
                logged_by=request.user,
                next_step=data["next_step"],
                next_step_due=data["next_step_due"],
                sentiment=data["sentiment"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if request.htmx:
                return _logged_response(request, account)
            messages.success(request, "Interaction logged.")
            return redirect(account.get_absolute_url())
    template = (
        "engagement/_interaction_form.html" if request.htmx else "engagement/interaction_form.html"
    )
    status = 400 if form.errors else 200
    if request.htmx and form.errors:
        # htmx swaps only 2xx responses by default; the form with its errors must show.
        status = 200
    return render(request, template, {"account": account, "form": form}, status=status)


def _logged_response(request: HttpRequest, account: Account) -> HttpResponse:
    """A fresh form, the updated timeline and last strategic contact, swapped in place."""
    interactions = Paginator(account_interactions(account=account), 20).get_page(1)
    context = {
        "account": account,
        "form": InteractionForm(account=account),
        "interactions": interactions,
        "last_strategic": last_strategic_contact(account=account),
        "logged": True,
    }
    return render(request, "engagement/_logged.html", context)
