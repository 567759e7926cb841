"""Stakeholder pages: add a person to an account, record a departure, find anyone."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenure.access.choices import Role
from tenure.accounts.forms import ContactSearchForm, LeftForm, StakeholderForm
from tenure.accounts.models import Account, Contact, Position
from tenure.accounts.permissions import (
    AnyUser,
    account_guard,
    can_see_personal_data,
    role_of,
    visible_account_q,
    visible_contacts,
)
from tenure.accounts.privacy import contact_erase, contact_export
from tenure.accounts.selectors import contacts_matching
from tenure.accounts.services import position_end, stakeholder_add
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.query_params import text_param

PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_channel")
POSITION_FIELDS = ("title", "department", "buying_role", "seniority", "strength", "started_on")


def stakeholder_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a person to an account."""
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
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{position.contact} added to {account.name}.")
            return redirect(account.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request, "accounts/stakeholder_form.html", {"account": account, "form": form}, status=status
    )


def position_left(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm and record that a person left an account."""
    position = get_object_or_404(Position.objects.select_related("contact", "account"), pk=pk)
    account_guard(request, position.account, write=True)
    if position.left_on is not None:
        raise Http404("This person already left.")
    form = LeftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position_end(position=position, left_on=form.cleaned_data["left_on"])
        except DomainError as error:
            form.add_error("left_on", error.message)
        else:
            messages.success(
                request, f"{position.contact} is recorded as having left {position.account.name}."
            )
            return redirect(position.account.get_absolute_url())
    return render(request, "accounts/position_left.html", {"position": position, "form": form})


def contact_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone we know, searchable by name, email or company."""
    form = ContactSearchForm(request.GET or None)
    visible = Position.objects.filter(visible_account_q(request.user, "account__"))
    term = text_param(request.GET, "q")
    contacts = (
        contacts_matching(user=request.user, term=term)
        .prefetch_related(Prefetch("positions", queryset=visible.select_related("account")))
        .order_by("last_name", "first_name", "id")
    )
    page = Paginator(contacts, 25).get_page(request.GET.get("page"))
    redact = not can_see_personal_data(request.user)
    context = {"form": form, "page": page, "q": term, "redact": redact}
    return render(request, "accounts/contacts.html", context)


def contact_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One person across every account they have been at (that the user may see)."""
    visible = Position.objects.filter(visible_account_q(request.user, "account__"))
    contact = get_object_or_404(
        visible_contacts(request.user).prefetch_related(
            Prefetch("positions", queryset=visible.select_related("account"))
        ),
        pk=pk,
    )
    interactions = (
        contact.interactions.filter(visible_account_q(request.user, "account__"))
        .select_related("account")
        .order_by("-occurred_at")[:20]
    )
    context = {
        "contact": contact,
        "interactions": interactions,
        "redact": not can_see_personal_data(request.user),
        "can_manage_personal_data": can_manage_personal_data(request.user),
    }
    return render(request, "accounts/contact.html", context)


# --- personal data: export and erasure on request (admins and directors) ----------------


def can_manage_personal_data(user: AnyUser | None) -> bool:
    """Only admins and directors export or erase a person's data."""
    return role_of(user) in {Role.ADMIN, Role.DIRECTOR}


def _personal_data_contact(request: AuthenticatedHttpRequest, pk: int) -> Contact:
    if not can_manage_personal_data(request.user):
        raise PermissionDenied("Only administrators and directors manage personal data.")
    return get_object_or_404(Contact, pk=pk)


@require_POST
def contact_export_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything about one person staff may read, as a JSON download.

    A POST: the export is recorded in the audit trail, and a GET never writes.
    """
    contact = _personal_data_contact(request, pk)
    data = contact_export(contact=contact, by=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


class EraseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why (e.g. the person's request of 3 March). Kept in the erasure record.",
    )


def contact_erase_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm and erase a person: their name and details go, their history stays anonymous."""
    contact = _personal_data_contact(request, pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = contact_erase(
                contact=contact, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, f"Contact {record.contact_id} was erased.")
            return redirect("accounts:contact", pk=contact.pk)
    status = 400 if form.errors else 200
    return render(
        request, "accounts/contact_erase.html", {"contact": contact, "form": form}, status=status
    )
