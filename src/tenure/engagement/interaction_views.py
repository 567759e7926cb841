"""Correct or delete a logged interaction, from its entry on the account's timeline.

Only its author (while they may still change the account) and directors may: the rule is
``engagement.permissions.can_change_interaction``, checked again by the services. Deleting
asks first, on its own page; the audit trail records both.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenure.accounts.permissions import AccessDenied, account_guard
from tenure.core.errors import DomainError
from tenure.engagement.forms import InteractionEditForm
from tenure.engagement.models import Interaction
from tenure.engagement.permissions import can_change_interaction
from tenure.engagement.services import interaction_delete as delete_interaction
from tenure.engagement.services import interaction_edit as edit_interaction


def _interaction(request: HttpRequest, pk: int) -> Interaction:
    """The interaction: 404 when it or its account is hidden, 403 when the user may see it
    but not change it."""
    interaction = (
        Interaction.objects.select_related("account", "logged_by")
        .prefetch_related("contacts")
        .filter(pk=pk)
        .first()
    )
    if interaction is None:
        raise Http404("No such interaction")
    account_guard(request, interaction.account, write=False)
    if not can_change_interaction(request.user, interaction):
        raise PermissionDenied(
            "Only whoever logged this interaction, or a director, may change it."
        )
    return interaction


@require_http_methods(["GET", "POST"])
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct what a logged interaction says."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    interaction = _interaction(request, pk)
    account = interaction.account
    form = InteractionEditForm(request.POST or None, account=account, interaction=interaction)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edit_interaction(
                interaction=interaction,
                by=request.user,
                occurred_at=data["occurred_at"],
                kind=data["kind"],
                summary=data["summary"],
                is_strategic=data["is_strategic"],
                contacts=list(data["contacts"]),
                outcome=data["outcome"],
                next_step=data["next_step"],
                next_step_due=data["next_step_due"],
                sentiment=data["sentiment"],
            )
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Interaction corrected.")
            return redirect(f"{account.get_absolute_url()}#timeline")
    status = 400 if form.errors else 200
    context = {"account": account, "form": form, "interaction": interaction}
    return render(request, "engagement/interaction_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a logged interaction."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    interaction = _interaction(request, pk)
    account = interaction.account
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            delete_interaction(interaction=interaction, by=request.user)
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied
        messages.success(request, "Interaction deleted.")
        return redirect(f"{account.get_absolute_url()}#timeline")
    context = {"account": account, "interaction": interaction}
    return render(request, "engagement/interaction_delete.html", context)
