"""The People partial of an account: add, correct and end the positions of its stakeholders.

Every view answers an htmx request with the partial ``accounts/_people.html`` (the form
open in it, or the refreshed list), and a plain request with the full page
``accounts/people.html``: the same forms work without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tenure.accounts.forms import LeftForm, StakeholderForm
from tenure.accounts.models import Account, Position
from tenure.accounts.permissions import (
    account_guard,
    can_edit_account,
    can_see_personal_data,
)
from tenure.accounts.selectors import account_positions
from tenure.accounts.services import position_end, stakeholder_add, stakeholder_update
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest

PERSON_FIELDS = StakeholderForm.PERSON_FIELDS
POSITION_FIELDS = StakeholderForm.POSITION_FIELDS


def people_context(request: AuthenticatedHttpRequest, account: Account) -> dict[str, Any]:
    """What ``accounts/_people.html`` needs, for a page that includes it."""
    positions = list(account_positions(account=account))
    return {
        "account": account,
        "people_current": [p for p in positions if p.left_on is None],
        "people_former": [p for p in positions if p.left_on is not None],
        "can_edit": can_edit_account(request.user, account),
        "redact": not can_see_personal_data(request.user),
    }


def _render(
    request: AuthenticatedHttpRequest,
    account: Account,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {**people_context(request, account), **extra}
    if "people_form" in extra:
        focus_first(extra["people_form"])
    if request.htmx:
        # htmx swaps only 2xx answers: a form with its errors must still show.
        return render(request, "accounts/_people.html", context)
    return render(request, "accounts/people.html", context, status=status)


def focus_first(form: forms.Form) -> None:
    """Put the focus on the first field in error, or else on the first field one can change,
    so a form opened or refused in place is where the keyboard is."""
    fields = [f for f in form if not f.field.disabled]
    wrong = [f for f in fields if f.errors]
    if fields:
        (wrong or fields)[0].field.widget.attrs["autofocus"] = True


def _done(request: AuthenticatedHttpRequest, account: Account, message: str) -> HttpResponse:
    if request.htmx:
        return _render(request, account, people_notice=message)
    messages.success(request, message)
    return redirect(reverse("accounts:people", args=[account.pk]))


def _form_error(form: StakeholderForm | LeftForm, error: DomainError, default: str | None) -> None:
    field = error.field if error.field in form.fields else default
    form.add_error(field, error.message)


def people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account's people: current stakeholders with their roles, and former ones."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=False)
    return _render(request, account)


def stakeholder_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a person to the account with their stakeholder role."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=True)
    form = StakeholderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            position = stakeholder_add(
                account=account,
                person={k: data[k] for k in PERSON_FIELDS},
                position={k: data[k] for k in POSITION_FIELDS},
                by=request.user,
            )
        except DomainError as error:
            _form_error(form, error, None)
        else:
            return _done(request, account, f"{position.contact} added to {account.name}.")
    return _render(
        request, account, people_form=form, people_mode="add", status=400 if form.errors else 200
    )


def _position(request: AuthenticatedHttpRequest, pk: int) -> Position:
    position = get_object_or_404(Position.objects.select_related("contact", "account"), pk=pk)
    account_guard(request, position.account, write=True)
    if position.left_on is not None:
        raise Http404("This person already left.")
    return position


def position_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a current stakeholder's position (role, title, strength…) and details."""
    position = _position(request, pk)
    account = position.account
    form = StakeholderForm.for_position(position, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # A current position at an account the user may change is the right to change
            # the person (``can_edit_contact``), so the person's details go along.
            stakeholder_update(
                position=position,
                person={k: data[k] for k in PERSON_FIELDS},
                position_fields={k: data[k] for k in POSITION_FIELDS},
                by=request.user,
            )
        except DomainError as error:
            _form_error(form, error, None)
        else:
            return _done(request, account, f"{position.contact} is updated.")
    return _render(
        request,
        account,
        people_form=form,
        people_mode="edit",
        people_position=position,
        status=400 if form.errors else 200,
    )


def position_left(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm and record that a person left the account: their history stays."""
    position = _position(request, pk)
    account = position.account
    form = LeftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position_end(position=position, left_on=form.cleaned_data["left_on"])
        except DomainError as error:
            _form_error(form, error, "left_on")
        else:
            return _done(
                request, account, f"{position.contact} is recorded as having left {account.name}."
            )
    return _render(
        request,
        account,
        people_form=form,
        people_mode="left",
        people_position=position,
        status=400 if form.errors else 200,
    )
