"""The account team partial: who works on the account for us, in which role.

Same rules as the API (``tenure.api.accounts``): the team and directors change the team;
only a director appoints or removes the key account manager. An htmx request gets the
partial ``accounts/_team.html``; a plain one the full page ``accounts/team.html``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tenure.accounts.choices import TeamRole
from tenure.accounts.forms import HandoverForm, TeamMemberForm
from tenure.accounts.models import Account, TeamMembership
from tenure.accounts.people_views import focus_first
from tenure.accounts.permissions import account_guard, can_assign_managers, can_edit_account
from tenure.accounts.selectors import account_team
from tenure.accounts.services import team_handover, team_member_add
from tenure.accounts.services import team_remove as team_remove_service
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest


def team_context(request: AuthenticatedHttpRequest, account: Account) -> dict[str, Any]:
    """What ``accounts/_team.html`` needs, for a page that includes it."""
    members = list(account_team(account=account).order_by("role", "user__first_name", "id"))
    may_appoint = can_assign_managers(request.user)
    return {
        "account": account,
        "team_members": members,
        "team_has_manager": any(m.role == TeamRole.KEY_ACCOUNT_MANAGER for m in members),
        "can_edit": can_edit_account(request.user, account),
        "may_appoint_manager": may_appoint,
    }


def _render(
    request: AuthenticatedHttpRequest, account: Account, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {**team_context(request, account), **extra}
    for name in ("team_form", "handover_form"):
        if name in extra:
            focus_first(extra[name])
    if request.htmx:
        return render(request, "accounts/_team.html", context)
    return render(request, "accounts/team.html", context, status=status)


def _done(request: AuthenticatedHttpRequest, account: Account, message: str) -> HttpResponse:
    if request.htmx:
        return _render(request, account, team_notice=message)
    messages.success(request, message)
    return redirect(reverse("accounts:team", args=[account.pk]))


def _name(membership: TeamMembership) -> str:
    return membership.user.get_full_name() or membership.user.get_username()


def team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account's team."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=False)
    return _render(request, account)


def team_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Put a person on the team in a role (the form, and its answer)."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=True)
    may_appoint = can_assign_managers(request.user)
    form = TeamMemberForm(request.POST or None, may_appoint_manager=may_appoint)
    if request.method == "POST" and form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            membership = team_member_add(account=account, user=user, role=role)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            label = membership.get_role_display().lower()
            return _done(request, account, f"{_name(membership)} is now {label} on {account.name}.")
    return _render(request, account, team_form=form, status=400 if form.errors else 200)


def team_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then take a person off the team in one role (a GET only asks)."""
    membership = get_object_or_404(TeamMembership.objects.select_related("account", "user"), pk=pk)
    account = membership.account
    account_guard(request, account, write=True)
    if membership.role == TeamRole.KEY_ACCOUNT_MANAGER and not can_assign_managers(request.user):
        raise PermissionDenied("Only a director removes the key account manager.")
    if request.method != "POST":
        return _render(request, account, team_removing=membership)
    try:
        team_remove_service(membership=membership)
    except DomainError as error:
        return _render(request, account, team_error=error.message, status=400)
    label = membership.get_role_display().lower()
    return _done(request, account, f"{_name(membership)} is no longer {label} on {account.name}.")


def team_handover_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Hand the account over to another key account manager in one step (directors)."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=True)
    if not can_assign_managers(request.user):
        raise PermissionDenied("Only a director hands an account over.")
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = team_handover(account=account, to_user=form.cleaned_data["user"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _done(
                request,
                account,
                f"{_name(membership)} is now key account manager on {account.name}.",
            )
    return _render(request, account, handover_form=form, status=400 if form.errors else 200)
