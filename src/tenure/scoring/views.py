"""Deciding on the proposed key-list changes (the portfolio page is ``tenure.web.portfolio``).

A decision posted by htmx answers with the queue (``scoring/_queue.html``) swapped in place:
the decided proposals are gone, the page stays where it was. Without JavaScript the post
redirects back to the same page of the queue and its anchor.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import can_assign_managers
from tenure.core.errors import DomainError
from tenure.scoring.choices import DecisionOutcome, KeyListAction
from tenure.scoring.keylist_queue import keylist_queue
from tenure.scoring.services import keylist_decide, keylist_decide_many

_VERBS: dict[tuple[str, str], str] = {
    (KeyListAction.PROMOTE, DecisionOutcome.ACCEPTED): "is now a key account",
    (KeyListAction.DEMOTE, DecisionOutcome.ACCEPTED): "is no longer a key account",
}


def _answer(request: HttpRequest, *, text: str, ok: bool) -> HttpResponse:
    """The queue in place (htmx) or a redirect to the same queue page and anchor."""
    page = request.POST.get("qpage", "1")
    if getattr(request, "htmx", False):
        queue = keylist_queue(page=page, today=timezone.localdate())
        context = {
            "queue": queue,
            "can_decide": True,
            "status": text,
            "status_ok": ok,
            "reporting_currency": queue.currency if queue else "",
        }
        return render(request, "scoring/_queue.html", context)
    (messages.success if ok else messages.error)(request, text)
    page = page if page.isascii() and page.isdigit() else "1"
    return redirect(f"{reverse('scoring:portfolio')}?qpage={page}#queue")


def _director(request: HttpRequest) -> None:
    if not can_assign_managers(request.user):
        raise PermissionDenied("Only a director decides on the key-account list.")


@require_POST
def decide(request: HttpRequest, account_id: int) -> HttpResponse:
    """Accept or reject a proposed key-list change; a reason is required."""
    _director(request)
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
        field = "Reason: " if error.field == "reason" else ""
        return _answer(request, text=f"{account.name}: {field}{error.message}.", ok=False)
    verb = _VERBS.get((action, outcome), "stays as it is; the decision is recorded")
    return _answer(request, text=f"{account.name} {verb}.", ok=True)


@require_POST
def decide_many(request: HttpRequest) -> HttpResponse:
    """Accept or reject the selected proposals for one reason (each ``action:account_id``)."""
    _director(request)
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    chosen: list[tuple[str, int]] = []
    for item in request.POST.getlist("proposal"):
        action, _, raw_id = item.partition(":")
        if action not in KeyListAction.values or not (raw_id.isascii() and raw_id.isdigit()):
            return _answer(request, text="Proposals: the selection is not valid.", ok=False)
        chosen.append((action, int(raw_id)))
    accounts = Account.objects.in_bulk([pk for _, pk in chosen])
    if len(accounts) < len({pk for _, pk in chosen}):
        return _answer(request, text="Proposals: an account selected no longer exists.", ok=False)
    outcome = request.POST.get("outcome", "")
    try:
        decisions = keylist_decide_many(
            proposals=[(accounts[pk], action) for action, pk in chosen],
            outcome=outcome,
            decided_by=request.user,
            reason=request.POST.get("reason", ""),
            on=timezone.localdate(),
        )
    except DomainError as error:
        field = {"reason": "Reason: ", "proposals": "Proposals: "}.get(error.field or "", "")
        return _answer(request, text=f"Nothing decided. {field}{error.message}.", ok=False)
    n = len(decisions)
    done = "accepted" if outcome == DecisionOutcome.ACCEPTED else "rejected"
    names = ", ".join(d.account.name for d in decisions[:5]) + ("…" if n > 5 else "")
    return _answer(request, text=f"{n} proposal{pluralize(n)} {done}: {names}.", ok=True)
