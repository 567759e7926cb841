"""Survey pages: the public answer page (no login), the figures, and campaigns for directors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tenure.accounts.choices import Tier
from tenure.accounts.models import Account
from tenure.accounts.permissions import AccessDenied, can_manage_campaigns
from tenure.accounts.selectors import key_account_managers
from tenure.core.csv_cells import write_csv_rows
from tenure.core.errors import DomainError, NotFound
from tenure.core.query_params import int_param
from tenure.feedback import selectors, services, throttle
from tenure.feedback.audience import reader_scope
from tenure.feedback.emails import links_base_url
from tenure.feedback.forms import CampaignForm, SurveyForm
from tenure.feedback.models import Campaign, Invitation

View = Callable[..., HttpResponse]


# --- the public survey ----------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    """Headers for pages reached by a personal link: no caching, no indexing, and the link
    never sent as a referrer to another site.

    ``same-origin`` rather than ``no-referrer``: with no referrer at all, browsers send
    ``Origin: null`` with the form and Django's CSRF check rightly refuses it.
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    """One page for malformed, unknown, closed and expired links: nothing tells them apart."""
    context = {"supplier": selectors.supplier_name()}
    return _public(render(request, "feedback/public/unavailable.html", context, status=404))


def _slow_down(request: HttpRequest, retry_after: int) -> HttpResponse:
    context = {"supplier": selectors.supplier_name(), "minutes": max(1, -(-retry_after // 60))}
    response = render(request, "feedback/public/slow_down.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return _public(response)


def _survey_link(view: Callable[[HttpRequest, str, Invitation], HttpResponse]) -> View:
    """Rate-limit, then resolve the token to an invitation that takes answers, or 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        verdict = throttle.check(request, token)
        if not verdict.allowed:
            return _slow_down(request, verdict.retry_after)
        invitation = selectors.invitation_for_token(raw_token=token, now=timezone.now())
        if invitation is None:
            return _unavailable(request)
        return _public(view(request, token, invitation))

    return login_not_required(never_cache(wrapper))


@_survey_link
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    """The survey behind a personal link: answer it, or change the answers until it closes."""
    campaign = invitation.campaign
    questions = list(campaign.version.questions.all())
    existing = selectors.invitation_response(invitation=invitation)
    if request.method == "POST":
        form = SurveyForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                services.response_submit(
                    invitation=invitation,
                    answers=form.answers(),
                    consent=form.cleaned_data["consent"],
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect("feedback:thanks", token=token)
    else:
        form = SurveyForm(initial=SurveyForm.initial_from(existing), questions=questions)
    context = {
        "supplier": selectors.supplier_name(),
        "version": campaign.version,
        "closes_at": campaign.closes_at,
        "form": form,
        "rows": form.rows(),
        "existing": existing,
    }
    return render(request, "feedback/public/survey.html", context)


@_survey_link
@require_http_methods(["GET"])
def survey_thanks(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    """After answering: thanks, and how long the answers can still be changed."""
    if selectors.invitation_response(invitation=invitation) is None:
        return redirect("feedback:answer", token=token)
    context = {
        "supplier": selectors.supplier_name(),
        "closes_at": invitation.campaign.closes_at,
        "token": token,
    }
    return render(request, "feedback/public/thanks.html", context)


# --- figures for the supplier's people --------------------------------------------------


def _scope(request: HttpRequest) -> selectors.Scope:
    """The answers the user may read in the scope asked for (``audience.reader_scope``)."""
    params = request.GET
    try:
        return reader_scope(
            request.user,
            account_id=int_param(params, "account"),
            tier=params.get("tier", "") if params.get("tier") in Tier.values else "",
            manager_id=int_param(params, "manager"),
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    except AccessDenied as denied:
        raise PermissionDenied(denied.message) from denied


def figures_page(request: HttpRequest) -> HttpResponse:
    """NPS by portfolio, tier, manager, account and quarter; ratings; open answers by theme."""
    scope = _scope(request)
    figures = selectors.survey_figures(scope=scope)
    account = (
        Account.objects.filter(pk=scope.account_id).only("id", "name").first()
        if scope.account_id
        else None
    )
    context = {
        "figures": figures,
        "scope": scope,
        "account": account,
        "tiers": Tier.choices,
        "managers": key_account_managers(),
        "querystring": request.GET.urlencode(),
    }
    return render(request, "feedback/figures.html", context)


def answers_csv(request: HttpRequest) -> HttpResponse:
    """The answers that may be shown individually, under the same rule as the pages."""
    header, rows = selectors.export_rows(scope=_scope(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="survey-answers.csv"'
    write_csv_rows(response, header, rows)
    return response


# --- campaigns (directors and admins) --------------------------------------------------------


def campaigns_required(view: View) -> View:
    """Campaign pages are for the roles that may manage campaigns; others get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_manage_campaigns(request.user):
            raise PermissionDenied("Only directors and admins manage survey campaigns.")
        return view(request, *args, **kwargs)

    return wrapper


@campaigns_required
def campaign_index(request: HttpRequest) -> HttpResponse:
    """Every campaign with its target, status and response counts."""
    return render(
        request, "feedback/campaigns.html", {"campaigns": selectors.campaign_list()[:200]}
    )


@campaigns_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Prepare a campaign; it is sent from its page."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_create(
                    name=data["name"],
                    template=data["template"],
                    target=data["target"],
                    account=data["account"],
                    tier=data["tier"],
                    closes_at=form.closes_at(),
                    created_by=request.user,
                    min_interval_days=data["min_interval_days"],
                    max_per_period=data["max_per_period"],
                    max_reminders=data["max_reminders"],
                    reminder_interval_days=data["reminder_interval_days"],
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"Campaign “{campaign.name}” prepared. Send it below.")
                return redirect("feedback:campaign", pk=campaign.pk)
    else:
        account = int_param(request.GET, "account")
        form = CampaignForm(initial={"account": account} if account else None)
    return render(request, "feedback/campaign_new.html", {"form": form})


def _campaign_or_404(pk: int) -> Campaign:
    try:
        return selectors.campaign_detail(pk=pk)
    except Campaign.DoesNotExist as missing:
        raise Http404("No such campaign") from missing


@campaigns_required
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: its target, counts, the people skipped and why, and its actions."""
    campaign = _campaign_or_404(pk)
    now = timezone.now()
    context = {
        "campaign": campaign,
        "skipped": selectors.campaign_skipped(campaign=campaign),
        "accepts_answers": campaign.accepts_answers(now),
        "links_ended": campaign.links_ended(now),
    }
    return render(request, "feedback/campaign.html", context)


@campaigns_required
@require_POST
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(pk)
    try:
        report = services.campaign_send(campaign=campaign, base_url=links_base_url())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        text = f"Sent {len(report.sent)} invitation(s); skipped {len(report.skipped)}."
        if report.failed:
            text += f" {len(report.failed)} email(s) failed: send again to retry."
        messages.success(request, text)
    return redirect("feedback:campaign", pk=pk)


@campaigns_required
@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(pk)
    try:
        report = services.campaign_remind(campaign=campaign, base_url=links_base_url())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sent {len(report.sent)} reminder(s).")
    return redirect("feedback:campaign", pk=pk)


@campaigns_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(pk)
    try:
        services.campaign_close(campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Campaign closed: its links no longer work.")
    return redirect("feedback:campaign", pk=pk)
