"""Quarterly review pages: one review edited, its PDF (the list that starts reviews is in
``tenure.web.quarterly_review``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from tenure.accounts.permissions import account_guard, can_edit_account
from tenure.core.errors import DomainError
from tenure.core.pdf import FONT_FAMILY, PdfUnavailable, html_to_pdf
from tenure.planning import reviews, services
from tenure.planning.forms import ReviewForm
from tenure.planning.models import Review


def _review(account_id: int, pk: int) -> Review:
    return get_object_or_404(
        Review.objects.select_related("account", "author"), pk=pk, account_id=account_id
    )


def refused(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def review_page(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    review = _review(account_id, pk)
    account_guard(request, review.account, write=request.method == "POST")
    form = ReviewForm(
        request.POST or None,
        initial={
            "achievements": review.achievements,
            "improvements": review.improvements,
            "next_focus": review.next_focus,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(review=review, by=request.user, **form.cleaned_data)
        except DomainError as error:
            refused(form, error)
        else:
            messages.success(request, "Review saved.")
            # "Save and finalise…" saves first, so nothing typed is lost on the way to the
            # confirmation.
            then = "review_finalise" if request.POST.get("then") == "finalise" else "review"
            return redirect(f"planning:{then}", account_id=account_id, pk=review.pk)
    context = {
        "sheet": reviews.review_sheet(review=review),
        "review": review,
        "account": review.account,
        "form": form,
        "can_edit": can_edit_account(request.user, review.account) and not review.is_final,
    }
    return render(request, "planning/review_detail.html", context)


def review_finalise(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    """A confirmation page (GET), then the finalising itself (POST)."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    review = _review(account_id, pk)
    account_guard(request, review.account, write=True)
    error = None
    if request.method == "POST":
        try:
            services.review_finalise(review=review, by=request.user)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, f"The {review.period_label} review is final.")
            return redirect("planning:review", account_id=account_id, pk=review.pk)
    return render(
        request,
        "planning/review_finalise.html",
        {"review": review, "account": review.account, "error": error},
    )


@require_GET
def review_pdf(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    review = _review(account_id, pk)
    account_guard(request, review.account, write=False)
    html = render_to_string(
        "planning/review_print.html",
        {
            "sheet": reviews.review_sheet(review=review),
            "review": review,
            "account": review.account,
            "comparison": reviews.review_comparison(account=review.account, until=review)[-5:],
            "font_family": FONT_FAMILY,
            "printed_on": timezone.localdate(),
        },
        request=request,
    )
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    account = slugify(review.account.name) or review.account.pk
    response["Content-Disposition"] = (
        f'inline; filename="review-{account}-{review.year}-q{review.quarter}.pdf"'
    )
    return response
