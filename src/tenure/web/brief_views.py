"""The meeting brief as a printable page and as a PDF to take along."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from tenure.accounts.models import Account
from tenure.accounts.permissions import account_guard
from tenure.core.pdf import PdfUnavailable, html_to_pdf
from tenure.web.brief import MeetingBrief, meeting_brief


def _brief(request: HttpRequest, account_id: int) -> MeetingBrief:
    try:
        account = Account.objects.get(pk=account_id)
    except Account.DoesNotExist as missing:
        raise Http404("No such account") from missing
    account_guard(request, account, write=False)
    return meeting_brief(account, today=timezone.localdate(), user=request.user)


def _context(brief: MeetingBrief) -> dict[str, object]:
    """The brief, and the currency of its amounts: the run's behind its revenue figures."""
    context: dict[str, object] = {"brief": brief}
    if brief.revenue is not None:
        context["reporting_currency"] = brief.revenue.currency
    return context


@require_safe
def brief_page(request: HttpRequest, account_id: int) -> HttpResponse:
    """The brief in the app, with a print stylesheet and a link to the PDF."""
    brief = _brief(request, account_id)
    return render(request, "engagement/brief.html", _context(brief))


@require_safe
def brief_pdf(request: HttpRequest, account_id: int) -> HttpResponse:
    """The brief as an A4 PDF, rendered here without the network (503 if it cannot be)."""
    brief = _brief(request, account_id)
    html = render_to_string("engagement/brief_pdf.html", _context(brief), request=request)
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    name = f"meeting-brief-{slugify(brief.account.name) or brief.account.pk}-{brief.today}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    # The brief can carry names and survey answers: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
