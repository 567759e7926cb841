"""People pages: find anyone, one person across accounts, export and erase on request.

Adding, correcting and ending an account's stakeholders is ``people_views``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenure.access.choices import Role, SavedViewPage
from tenure.access.saved_views import page_views
from tenure.accounts.forms import ContactSearchForm
from tenure.accounts.models import Contact, Position
from tenure.accounts.permissions import (
    AnyUser,
    can_see_personal_data,
    role_of,
    visible_account_q,
    visible_contacts,
)
from tenure.accounts.privacy import contact_erase, contact_export
from tenure.accounts.selectors import contacts_matching
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.query_params import text_param


def contact_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone we know, searchable by name, email or company; visited bare, the person's
    default saved view."""
    default, views = page_views(request, SavedViewPage.PEOPLE)
    if default is not None:
        return default
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
    context = {"form": form, "page": page, "q": term, "redact": redact, **views}
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
