"""Logging interactions from the account page (htmx) or as a plain form."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from tenure.access.choices import Role
from tenure.accounts.models import Account, Contact, TeamMembership
from tenure.accounts.permissions import (
    AnyUser,
    account_guard,
    can_see_personal_data,
    role_of,
    visible_account_q,
)
from tenure.core.dates import day_label
from tenure.core.errors import DomainError
from tenure.core.query_params import int_list_param
from tenure.engagement.cadence import CadenceState, cadence_check, cadence_statuses
from tenure.engagement.calendar import (
    CALENDAR_DAYS,
    FEED_PAST_DAYS,
    CalendarEntry,
    feed_token_renew,
    feed_user,
    ics_feed,
    manager_calendar,
    team_calendar,
)
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.forms import CalendarTouchpointForm, InteractionForm
from tenure.engagement.models import CadencePolicy, CalendarFeedToken, Touchpoint
from tenure.engagement.permissions import editable_account_ids
from tenure.engagement.selectors import account_interactions, last_strategic_contact, my_accounts
from tenure.engagement.services import interaction_log, touchpoint_plan


def account_or_404(pk: int) -> Account:
    """The account, or a 404 (the caller then checks access with ``account_guard``)."""
    try:
        return Account.objects.get(pk=pk)
    except Account.DoesNotExist as missing:
        raise Http404("No such account") from missing


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, with ``htmx`` set."""

    htmx: HtmxDetails


def interaction_new(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    """Show and take the log-an-interaction form for one account."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    account = account_or_404(account_id)
    account_guard(request, account, write=True)
    form = InteractionForm(request.POST or None, account=account)
    touchpoint = _planned_touchpoint(request, account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interaction_log(
                account=account,
                occurred_at=data["occurred_at"],
                kind=data["kind"],
                summary=data["summary"],
                is_strategic=data["is_strategic"],
                contacts=list(data["contacts"]),
                team_members=[request.user],
                logged_by=request.user,
                next_step=data["next_step"],
                next_step_due=data["next_step_due"],
                sentiment=data["sentiment"],
                touchpoint=touchpoint,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if request.htmx:
                return _logged_response(request, account)
            messages.success(request, "Interaction logged.")
            return redirect(account.get_absolute_url())
    template = (
        "engagement/_interaction_form.html" if request.htmx else "engagement/interaction_form.html"
    )
    status = 400 if form.errors else 200
    if request.htmx and form.errors:
        # htmx swaps only 2xx responses by default; the form with its errors must show.
        status = 200
    context = {"account": account, "form": form, "touchpoint": touchpoint}
    return render(request, template, context, status=status)


def _planned_touchpoint(request: HttpRequest, account: Account) -> Touchpoint | None:
    """The planned touchpoint this interaction fulfils (``touchpoint`` in the query or form),
    marked done with it; unknown, other accounts' and no longer planned ones are ignored."""
    raw = request.POST.get("touchpoint") or request.GET.get("touchpoint") or ""
    if not raw.isdigit():
        return None
    return (
        Touchpoint.objects.filter(pk=int(raw), account=account, status=TouchpointStatus.PLANNED)
        .select_related("account", "contact")
        .first()
    )


def _logged_response(request: HttpRequest, account: Account) -> HttpResponse:
    """A fresh form, the updated timeline and last strategic contact, swapped in place."""
    interactions = Paginator(account_interactions(account=account), 20).get_page(1)
    context = {
        "account": account,
        "form": InteractionForm(account=account),
        "interactions": interactions,
        "last_strategic": last_strategic_contact(account=account),
        "logged": True,
    }
    return render(request, "engagement/_logged.html", context)


# --- cadence ------------------------------------------------------------------------------


def cadence_page(request: HttpRequest) -> HttpResponse:
    """My accounts against their cadence: overdue, over-contacted, on rhythm, with numbers."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    today = timezone.localdate()
    accounts = list(my_accounts(user=request.user).filter(visible_account_q(request.user)))
    statuses = cadence_statuses(accounts, today=today)
    wanted = request.GET.get("state", "")
    rows = [
        (account, statuses[account.pk])
        for account in accounts
        if not wanted or statuses[account.pk].state == wanted
    ]
    order = {CadenceState.OVER_CONTACTED: 0, CadenceState.OVERDUE: 1, CadenceState.ON_RHYTHM: 2}
    rows.sort(key=lambda row: (order[row[1].state], row[0].name))
    counts = Counter(s.state for s in statuses.values())
    context = {
        "rows": rows,
        "state": wanted,
        "states": [(s.value, s.label, counts.get(s, 0)) for s in CadenceState],
        "policies": CadencePolicy.objects.filter(account__isnull=True),
        "overrides": CadencePolicy.objects.filter(account__in=accounts).select_related("account"),
        "today": today,
    }
    return render(request, "engagement/cadence.html", context)


def _day_of(raw: str) -> dt.date | None:
    """The date of a ``datetime-local`` or ISO date input, or None when it does not parse."""
    try:
        return dt.datetime.fromisoformat(raw).date() if raw else None
    except ValueError:
        return None


def cadence_warnings(request: HttpRequest, account_id: int) -> HttpResponse:
    """The over-contact warnings for the interaction being typed (htmx, never blocking)."""
    account = account_or_404(account_id)
    account_guard(request, account, write=False)
    on = _day_of(request.GET.get("occurred_at", "")) or timezone.localdate()
    ids = int_list_param(request.GET, "contacts")
    people = Contact.objects.filter(pk__in=ids, positions__account=account).distinct()
    warnings = cadence_check(account=account, contacts=people, on=on)
    return render(request, "engagement/_cadence_warnings.html", {"warnings": warnings})


# --- the touchpoint calendar and its feed ---------------------------------------------------


#: The calendar's two views: the user's own touchpoints, or every visible account's.
CALENDAR_SCOPES = {"mine": "Mine", "team": "Team"}


def default_calendar_scope(user: AnyUser) -> str:
    """A key account manager starts on their own calendar; directors (and admins and
    analysts, who own no touchpoints) on the team's."""
    return "mine" if role_of(user) == Role.KEY_ACCOUNT_MANAGER else "team"


def _calendar_context(request: HttpRequest) -> dict[str, Any]:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    today = timezone.localdate()
    scope = request.GET.get("scope", "")
    if scope not in CALENDAR_SCOPES:
        scope = default_calendar_scope(request.user)
    pick = team_calendar if scope == "team" else manager_calendar
    entries = pick(
        user=request.user,
        start=today,
        end=today + dt.timedelta(days=CALENDAR_DAYS),
        birthdays=can_see_personal_data(request.user),
    )
    months: dict[dt.date, list[CalendarEntry]] = {}
    for entry in entries:
        months.setdefault(entry.on.replace(day=1), []).append(entry)
    back = f"{reverse('engagement:calendar')}?scope={scope}"
    shown = {e.account_id for e in entries}
    return {
        "plan_form": CalendarTouchpointForm(accounts=_plannable_accounts(request.user, shown)),
        "months": sorted(months.items()),
        "today": today,
        "days": CALENDAR_DAYS,
        "scope": scope,
        "scopes": CALENDAR_SCOPES.items(),
        "editable": editable_account_ids(request.user, {e.account_id for e in entries}),
        "back": back,
        "token": CalendarFeedToken.objects.filter(user=request.user).first(),
    }


def _plannable_accounts(user: User, shown: set[int]) -> QuerySet[Account]:
    """Accounts the calendar's plan form offers: the user's teams' and those on the page, that
    the user may change (a director is not offered every account in the portfolio)."""
    on_team = TeamMembership.objects.filter(user=user).values_list("account_id", flat=True)
    ids = editable_account_ids(user, shown | set(on_team))
    return Account.objects.filter(pk__in=ids)


@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The next 90 days' touchpoints and birthdays (mine or the team's), the feed link, and a
    form to plan a touchpoint (POST: plan it, then back to the same calendar)."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    context = _calendar_context(request)
    accounts = context["plan_form"].fields["account"].queryset
    form = CalendarTouchpointForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account_guard(request, data["account"], write=True)
        try:
            touchpoint = touchpoint_plan(
                account=data["account"],
                scheduled_on=data["scheduled_on"],
                kind=data["kind"],
                title=data["title"],
                owner=request.user,
                today=context["today"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            title = touchpoint.title or touchpoint.get_kind_display()
            on = day_label(touchpoint.scheduled_on)
            messages.success(request, f"Planned: {title} with {touchpoint.account.name} on {on}.")
            return redirect(context["back"])
    context["plan_form"] = form
    status = 400 if form.errors else 200
    return render(request, "engagement/calendar.html", context, status=status)


@require_http_methods(["GET", "POST"])
def calendar_feed_link(request: HttpRequest) -> HttpResponse:
    """Make (or, once confirmed, replace) my feed URL and show it, this once."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    existing = CalendarFeedToken.objects.filter(user=request.user).exists()
    if request.method == "GET" or (existing and request.POST.get("confirm") != "yes"):
        return render(request, "engagement/calendar_feed_confirm.html", {"existing": existing})
    raw = feed_token_renew(user=request.user)
    context = _calendar_context(request)
    context["feed_url"] = request.build_absolute_uri(
        reverse("engagement:calendar_feed", args=[raw])
    )
    response = render(request, "engagement/calendar.html", context)
    # The secret is in this page: never keep it in a cache.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The manager's calendar as iCalendar, for calendar apps; the token is the only key.

    Malformed, unknown and replaced tokens get the same bare 404.
    """
    user = feed_user(token)
    if user is None:
        missing = HttpResponseNotFound("Not found", content_type="text/plain; charset=utf-8")
        missing["X-Robots-Tag"] = "noindex, nofollow"
        return missing
    today = timezone.localdate()
    entries = manager_calendar(
        user=user,
        start=today - dt.timedelta(days=FEED_PAST_DAYS),
        end=today + dt.timedelta(days=CALENDAR_DAYS),
        include_done=True,
        birthdays=can_see_personal_data(user),
    )
    name = user.get_full_name() or user.get_username()
    body = ics_feed(
        entries,
        name=f"Tenure — {name}",
        host=request.get_host().split(":")[0],
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tenure-touchpoints.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
