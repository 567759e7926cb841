"""Deciding on the proposed key-list changes (the portfolio page is ``tenure.web.portfolio``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import can_assign_managers
from tenure.core.errors import DomainError
from tenure.scoring.choices import DecisionOutcome, KeyListAction
from tenure.scoring.services import keylist_decide


@require_POST
def decide(request: HttpRequest, account_id: int) -> HttpResponse:
    """Accept or reject a proposed key-list change; a reason is required."""
    if not can_assign_managers(request.user):
        raise PermissionDenied("Only a director decides on the key-account list.")
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    account = get_object_or_404(Account, pk=account_id)
    action = request.POST.get("action", "")
    outcome = request.POST.get("outcome", "")
    try:
        keylist_decide(
            account=account,
            action=action,
            outcome=outcome,
            decided_by=request.user,
            reason=request.POST.get("reason", ""),
            on=timezone.localdate(),
        )
    except DomainError as error:
        messages.error(request, f"{account.name}: {error.message}")
    else:
        verbs: dict[tuple[str, str], str] = {
            (KeyListAction.PROMOTE, DecisionOutcome.ACCEPTED): "is now a key account",
            (KeyListAction.DEMOTE, DecisionOutcome.ACCEPTED): "is no longer a key account",
        }
        verb = verbs.get((action, outcome), "stays as it is; the decision is recorded")
        messages.success(request, f"{account.name} {verb}.")
    return redirect("scoring:portfolio")
