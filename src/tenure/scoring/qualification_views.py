"""Entering an account's qualification ratings (1–5 per criterion) from a page.

Until now only the Django admin, which managers cannot open, could take them. The team of
the account and directors rate; everyone who may see the account reads who rated what and
when. An htmx request gets ``scoring/_qualification.html``; a plain one the full page
``scoring/qualification.html``. Ratings are audited by the model signals.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import account_guard, can_edit_account
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest
from tenure.scoring.choices import QualitativeCriterion
from tenure.scoring.qualification import qualification_sheet
from tenure.scoring.selectors import account_latest_snapshot
from tenure.scoring.services import rating_set

SCORES = [
    (1, "1 – weak"),
    (2, "2 – below average"),
    (3, "3 – average"),
    (4, "4 – strong"),
    (5, "5 – outstanding"),
]


class RatingForm(forms.Form):
    """One criterion's rating, 1 to 5, with an optional reason.

    Prefixed with the criterion's key (``strategic_value-score``), so each row of the page
    has its own ids; the criterion itself comes in a plain ``criterion`` field.
    """

    score = forms.TypedChoiceField(
        label="Rating", choices=[("", "Choose 1–5…"), *SCORES], coerce=int
    )
    note = forms.CharField(label="Why", max_length=300, required=False)


def qualification_context(
    request: AuthenticatedHttpRequest, account: Account, **extra: Any
) -> dict[str, Any]:
    sheet = qualification_sheet(account=account)
    forms_by_key: dict[str, RatingForm] = extra.pop("qualification_forms", {})
    rows = []
    for row in sheet.rows:
        form = forms_by_key.get(row.key) or RatingForm(
            initial={
                "score": row.rating.score if row.rating else "",
                "note": row.rating.note if row.rating else "",
            },
            prefix=row.key,
        )
        rows.append((row, form))
    return {
        "account": account,
        "sheet": sheet,
        "qualification_rows": rows,
        "snapshot": account_latest_snapshot(account_id=account.pk),
        "can_edit": can_edit_account(request.user, account),
        **extra,
    }


def _render(
    request: AuthenticatedHttpRequest, account: Account, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = qualification_context(request, account, **extra)
    if request.htmx:
        return render(request, "scoring/_qualification.html", context)
    return render(request, "scoring/qualification.html", context, status=status)


def qualification(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """The account's qualification ratings: each criterion, its weight, who rated it, when."""
    account = get_object_or_404(Account, pk=account_id)
    account_guard(request, account, write=False)
    return _render(request, account)


@require_POST
def qualification_rate(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """Rate one criterion (replacing the earlier rating, which the audit trail keeps)."""
    account = get_object_or_404(Account, pk=account_id)
    account_guard(request, account, write=True)
    key = request.POST.get("criterion", "")
    if key not in QualitativeCriterion.values:
        return _render(
            request, account, qualification_error="Criterion: choose one of the list.", status=400
        )
    form = RatingForm(request.POST, prefix=key)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rating = rating_set(
                account=account,
                criterion=key,
                score=data["score"],
                rated_by=request.user,
                note=data["note"].strip(),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            message = (
                f"{rating.get_criterion_display()} rated {rating.score} of 5. "
                "The qualification score follows at the next scoring run."
            )
            if request.htmx:
                return _render(request, account, qualification_notice=message)
            messages.success(request, message)
            return redirect(reverse("scoring:qualification", args=[account.pk]))
    form.fields["score"].widget.attrs["autofocus"] = True
    return _render(request, account, qualification_forms={key: form}, status=400)
