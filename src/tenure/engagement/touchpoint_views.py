"""Plan, move, complete and skip touchpoints in place (htmx) or with plain forms.

Every form works without JavaScript: a normal POST, then a redirect back to where it came
from (``next``, checked to stay on this site). With htmx, the list entry is swapped in place.
The services are those of the API (``tenure.engagement.services``), with the account's
permissions: whoever may change an account may change its touchpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from tenure.accounts.permissions import account_guard, can_see_personal_data
from tenure.core.dates import day_label
from tenure.core.errors import DomainError
from tenure.engagement.cadence import cadence_status
from tenure.engagement.calendar import CALENDAR_DAYS, account_calendar, touchpoint_entry
from tenure.engagement.choices import TouchpointKind
from tenure.engagement.forms import (
    TouchpointCompleteForm,
    TouchpointForm,
    TouchpointRescheduleForm,
    TouchpointSkipForm,
)
from tenure.engagement.models import Touchpoint
from tenure.engagement.permissions import editable_account_ids
from tenure.engagement.services import (
    touchpoint_complete,
    touchpoint_plan,
    touchpoint_reschedule,
    touchpoint_skip,
)
from tenure.engagement.views import HtmxHttpRequest, account_or_404


def back_to(request: HttpRequest, default: str) -> str:
    """Where to go after a form: ``next`` when it stays on this site, else ``default``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _field_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _touchpoint(request: HttpRequest, pk: int, *, write: bool) -> Touchpoint:
    """The touchpoint, 404 when it (or its account) is hidden, 403 when read-only."""
    touchpoint = (
        Touchpoint.objects.select_related("account", "contact", "owner").filter(pk=pk).first()
    )
    if touchpoint is None:
        raise Http404("No such touchpoint")
    account_guard(request, touchpoint.account, write=write)
    if touchpoint.kind == TouchpointKind.BIRTHDAY and not can_see_personal_data(request.user):
        raise Http404("No such touchpoint")
    return touchpoint


# --- the account's panel: upcoming touchpoints and the plan form ----------------------------


def upcoming_context(
    request: HttpRequest, account: Any, form: TouchpointForm | None = None
) -> dict[str, object]:
    """What the account's "Cadence and coming up" panel shows."""
    today = timezone.localdate()
    entries = account_calendar(
        account=account,
        start=today,
        end=today + dt.timedelta(days=CALENDAR_DAYS),
        birthdays=can_see_personal_data(request.user),
    )
    editable = editable_account_ids(request.user, [account.pk])
    return {
        "account": account,
        "cadence": cadence_status(account, today=today),
        "entries": entries,
        "days": CALENDAR_DAYS,
        "editable": editable,
        "plan_form": (form or TouchpointForm(account=account)) if editable else None,
        "today": today,
        "back": back_to(request, account.get_absolute_url()),
    }


@require_http_methods(["GET"])
def account_upcoming(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account page's panel: its cadence status, the next 90 days' touchpoints (each with
    its changes for those who may change the account) and the plan form."""
    account = account_or_404(account_id)
    account_guard(request, account, write=False)
    return render(
        request, "engagement/_account_upcoming_body.html", upcoming_context(request, account)
    )


@require_http_methods(["GET", "POST"])
def touchpoint_new(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    """Plan a touchpoint with one account: in the account page's panel, or as a page."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    account = account_or_404(account_id)
    account_guard(request, account, write=True)
    form = TouchpointForm(request.POST or None, account=account)
    done = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            touchpoint = touchpoint_plan(
                account=account,
                scheduled_on=data["scheduled_on"],
                kind=data["kind"],
                title=data["title"],
                owner=request.user,
                contact=data["contact"],
                today=timezone.localdate(),
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            title = touchpoint_entry(touchpoint).title
            done = f"Planned: {title} on {day_label(touchpoint.scheduled_on)}."
            if not request.htmx:
                messages.success(request, done)
                return redirect(back_to(request, account.get_absolute_url()))
            form = TouchpointForm(account=account)
    if request.htmx:
        context = upcoming_context(request, account, form)
        context["planned"] = done
        return render(request, "engagement/_account_upcoming_body.html", context)
    status = 400 if form.errors else 200
    context = {
        "account": account,
        "form": form,
        "back": back_to(request, account.get_absolute_url()),
        "today": timezone.localdate(),
    }
    return render(request, "engagement/touchpoint_new.html", context, status=status)


# --- one touchpoint: move, complete, skip ---------------------------------------------------


def _actions_context(
    request: HttpRequest, touchpoint: Touchpoint, **forms_: forms.Form
) -> dict[str, object]:
    return {
        "e": touchpoint_entry(touchpoint),
        "touchpoint": touchpoint,
        "reschedule_form": forms_.get("reschedule")
        or TouchpointRescheduleForm(initial={"scheduled_on": touchpoint.scheduled_on}),
        "complete_form": forms_.get("complete") or TouchpointCompleteForm(touchpoint=touchpoint),
        "skip_form": forms_.get("skip") or TouchpointSkipForm(),
        "back": back_to(request, touchpoint.account.get_absolute_url()),
        "today": timezone.localdate(),
    }


def _show_actions(
    request: HtmxHttpRequest, touchpoint: Touchpoint, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    context = _actions_context(request, touchpoint, **forms_)
    if request.htmx:
        # htmx swaps only 2xx responses: the form with its errors must show.
        return render(request, "engagement/_touchpoint_actions.html", context)
    return render(request, "engagement/touchpoint.html", context, status=status)


def _changed(request: HtmxHttpRequest, touchpoint: Touchpoint, done: str) -> HttpResponse:
    if request.htmx:
        context = {
            "e": touchpoint_entry(touchpoint),
            "done": done,
            "editable": set(),
            "show_account": True,
        }
        return render(request, "engagement/_calendar_entry.html", context)
    messages.success(request, done)
    return redirect(back_to(request, touchpoint.account.get_absolute_url()))


@require_http_methods(["GET"])
def touchpoint_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The forms to move, complete or skip a planned touchpoint (``?show=entry``: the entry
    alone, for "Cancel")."""
    touchpoint = _touchpoint(request, pk, write=request.GET.get("show") != "entry")
    if request.GET.get("show") == "entry" and request.htmx:
        editable = editable_account_ids(request.user, [touchpoint.account_id])
        context = {"e": touchpoint_entry(touchpoint), "editable": editable}
        context["back"] = back_to(request, touchpoint.account.get_absolute_url())
        return render(request, "engagement/_calendar_entry.html", context)
    return _show_actions(request, touchpoint)


@require_POST
def touchpoint_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Move a planned touchpoint to another day (the audit trail keeps the old one)."""
    touchpoint = _touchpoint(request, pk, write=True)
    form = TouchpointRescheduleForm(request.POST)
    if form.is_valid():
        before = touchpoint.scheduled_on
        try:
            touchpoint_reschedule(
                touchpoint=touchpoint,
                scheduled_on=form.cleaned_data["scheduled_on"],
                today=timezone.localdate(),
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            done = f"Moved from {day_label(before)} to {day_label(touchpoint.scheduled_on)}."
            return _changed(request, touchpoint, done)
    return _show_actions(request, touchpoint, status=400, reschedule=form)


@require_POST
def touchpoint_done(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Mark a touchpoint done, linked to a logged interaction, or go and log one for it."""
    touchpoint = _touchpoint(request, pk, write=True)
    if "log" in request.POST:
        url = reverse("engagement:log", args=[touchpoint.account_id])
        url = f"{url}?touchpoint={touchpoint.pk}"
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    form = TouchpointCompleteForm(request.POST, touchpoint=touchpoint)
    if form.is_valid():
        try:
            touchpoint_complete(touchpoint=touchpoint, interaction=form.cleaned_data["interaction"])
        except DomainError as error:
            _field_error(form, error)
        else:
            return _changed(request, touchpoint, "Marked done.")
    return _show_actions(request, touchpoint, status=400, complete=form)


@require_POST
def touchpoint_skipped(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Skip a planned touchpoint, saying why."""
    touchpoint = _touchpoint(request, pk, write=True)
    form = TouchpointSkipForm(request.POST)
    if form.is_valid():
        try:
            touchpoint_skip(touchpoint=touchpoint, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _field_error(form, error)
        else:
            return _changed(request, touchpoint, f"Skipped: {touchpoint.skip_reason}")
    return _show_actions(request, touchpoint, status=400, skip=form)
