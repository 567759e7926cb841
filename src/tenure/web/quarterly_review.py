"""An account's quarterly reviews side by side, and the form that starts the next one.

Starting a review gathers figures from several apps (``tenure.web.review_figures``), so the
page that does it sits here; editing and printing a review only read planning's own rows.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.accounts.permissions import account_guard, can_edit_account
from tenure.core.errors import DomainError
from tenure.planning import reviews
from tenure.planning.forms import StartForm
from tenure.planning.review_views import refused
from tenure.planning.selectors import account_reviews
from tenure.planning.services import review_start
from tenure.web.review_figures import quarter_figures


def review_list(request: HttpRequest, account_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    account = get_object_or_404(Account, pk=account_id)
    account_guard(request, account, write=request.method == "POST")
    listed = list(account_reviews(account=account))
    reviewed = {(r.year, r.quarter) for r in listed}
    year, quarter = reviews.last_complete_quarter(timezone.localdate())
    form = StartForm(
        request.POST or None, reviewed=reviewed, initial={"period": f"{year}-{quarter}"}
    )
    if request.method == "POST" and form.is_valid():
        year, quarter = form.quarter()
        try:
            today = timezone.localdate()
            review = review_start(
                account=account,
                figures=quarter_figures(account=account, year=year, quarter=quarter, today=today),
                author=request.user,
                today=today,
            )
        except DomainError as error:
            refused(form, error)
        else:
            messages.success(request, f"Review of {review.period_label} started.")
            return redirect("planning:review", account_id=account.pk, pk=review.pk)
    context = {
        "account": account,
        "reviews": listed,
        # The list is newest first; the comparison reads left to right, oldest first.
        "comparison": [reviews.ReviewFigures.of(r) for r in reversed(listed)],
        "form": form,
        "can_edit": can_edit_account(request.user, account),
    }
    return render(request, "planning/review_list.html", context)
