"""Find anything: accounts, people, plans and tasks matching a few letters, for the header's
search field (``/search/?q=``) and the Ctrl/Cmd+K quick-jump (``/search/jump/?q=``, JSON).

One read, :func:`search_everything`, serves both, and it answers only with what the user may
see: accounts through ``visible_accounts``; people through ``contacts_matching`` (the people
page's rule: emails match only for users who may see them) and never an erased person, whose
placeholder name would otherwise be found by typing "Erased"; plans on visible accounts; tasks
on visible accounts or given to the user (the tasks page's rule). Results show names and
titles only, never an email, phone or note, so no redaction rule is bypassed.

Each group is one query with its joins loaded and cut at ``limit`` rows (one more is read to
know whether there are more), so the page costs the same at 60 accounts or 50,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from tenure.accounts.models import ErasureRecord, Position
from tenure.accounts.permissions import (
    AnyUser,
    sees_all_accounts,
    visible_account_q,
    visible_accounts,
)
from tenure.accounts.selectors import contacts_matching
from tenure.alerts.choices import TaskStatus
from tenure.alerts.models import Task
from tenure.core.dates import day_label
from tenure.core.http import AuthenticatedHttpRequest
from tenure.core.query_params import text_param
from tenure.planning.choices import PlanStatus
from tenure.planning.models import AccountPlan

#: Shortest term searched: one letter would list half the book and tell nothing.
MIN_TERM = 2
#: Longest term read; anything longer is cut (no name is that long).
MAX_TERM = 100
PAGE_LIMIT = 10
JUMP_LIMIT = 5


@dataclass(frozen=True)
class Hit:
    """One result: what it is called, where it goes, and a line of context."""

    kind: str
    label: str
    url: str
    detail: str


@dataclass(frozen=True)
class Group:
    kind: str
    title: str
    hits: tuple[Hit, ...]
    more: bool  # more matches than shown
    more_url: str  # the list page that shows them all ("" when there is none)


@dataclass(frozen=True)
class SearchResults:
    term: str
    groups: tuple[Group, ...]

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def _starts_first(field: str, term: str) -> Case:
    return Case(
        When(**{f"{field}__istartswith": term}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _accounts(user: AnyUser | None, term: str, limit: int) -> Group:
    rows = list(
        visible_accounts(user)
        .filter(Q(name__icontains=term) | Q(external_id__iexact=term))
        .annotate(rank=_starts_first("name", term))
        .order_by("rank", "name", "pk")
        .only("pk", "name", "external_id", "tier", "is_key_account")[: limit + 1]
    )
    hits = tuple(
        Hit(
            "account",
            account.name,
            account.get_absolute_url(),
            " · ".join(
                part
                for part in (
                    "key account" if account.is_key_account else "",
                    f"tier {account.tier}" if account.tier else "",
                    account.external_id,
                )
                if part
            ),
        )
        for account in rows[:limit]
    )
    more_url = reverse("accounts:index") + "?" + urlencode({"q": term})
    return Group("account", "Accounts", hits, len(rows) > limit, more_url)


def _people(user: AnyUser | None, term: str, limit: int) -> Group:
    current = (
        Position.objects.filter(visible_account_q(user, "account__"), left_on__isnull=True)
        .select_related("account")
        .order_by("account__name", "pk")
    )
    rows = list(
        contacts_matching(user=user, term=term)
        .exclude(pk__in=ErasureRecord.objects.values("contact_id"))
        .annotate(rank=_starts_first("last_name", term))
        .order_by("rank", "last_name", "first_name", "pk")
        .prefetch_related(Prefetch("positions", queryset=current, to_attr="current_positions"))[
            : limit + 1
        ]
    )
    hits = tuple(
        Hit(
            "person",
            contact.full_name,
            reverse("accounts:contact", args=[contact.pk]),
            "; ".join(
                f"{p.title} at {p.account.name}" if p.title else p.account.name
                for p in contact.current_positions[:2]
            ),
        )
        for contact in rows[:limit]
    )
    more_url = reverse("accounts:contacts") + "?" + urlencode({"q": term})
    return Group("person", "People", hits, len(rows) > limit, more_url)


def _plans(user: AnyUser | None, term: str, limit: int) -> Group:
    rows = list(
        AccountPlan.objects.filter(visible_account_q(user, "account__"), title__icontains=term)
        .select_related("account")
        .annotate(closed=Case(When(status=PlanStatus.ACTIVE, then=Value(0)), default=Value(1)))
        .order_by("closed", "-starts_on", "pk")[: limit + 1]
    )
    hits = tuple(
        Hit(
            "plan",
            plan.title,
            reverse("planning:plan", args=[plan.pk]),
            f"{plan.account.name} · {plan.get_horizon_display().lower()} plan"
            + ("" if plan.status == PlanStatus.ACTIVE else " · closed"),
        )
        for plan in rows[:limit]
    )
    return Group("plan", "Plans", hits, len(rows) > limit, "")


def _tasks(user: AnyUser | None, term: str, limit: int) -> Group:
    tasks = Task.objects.filter(title__icontains=term)
    if not sees_all_accounts(user):
        # As on the tasks page: tasks on visible accounts, and always those given to them.
        tasks = tasks.filter(visible_account_q(user, "account__") | Q(assignee_id=user.pk))  # type: ignore[union-attr]
    rows = list(
        tasks.select_related("account")
        .annotate(closed=Case(When(status=TaskStatus.OPEN, then=Value(0)), default=Value(1)))
        .order_by("closed", "due_on", "pk")[: limit + 1]
    )
    hits = tuple(
        Hit(
            "task",
            task.title,
            reverse("alerts:tasks")
            + "?"
            + urlencode(
                {
                    "account": task.account_id,
                    "assignee": "all",
                    "status": "open" if task.status == TaskStatus.OPEN else "closed",
                }
            ),
            f"{task.account.name} · "
            + (
                f"due {day_label(task.due_on)}"
                if task.status == TaskStatus.OPEN
                else task.get_status_display().lower()
            ),
        )
        for task in rows[:limit]
    )
    more_url = reverse("alerts:tasks") + "?" + urlencode({"assignee": "all"})
    return Group("task", "Tasks", hits, len(rows) > limit, more_url)


def search_everything(*, user: AnyUser | None, term: str, limit: int = PAGE_LIMIT) -> SearchResults:
    """What ``user`` may see matching ``term``, grouped by kind, at most ``limit`` a group.

    A term shorter than ``MIN_TERM`` letters finds nothing (and reads nothing).
    """
    term = term.strip()[:MAX_TERM]
    if len(term) < MIN_TERM:
        return SearchResults(term, ())
    groups = tuple(find(user, term, limit) for find in (_accounts, _people, _plans, _tasks))
    return SearchResults(term, groups)


def search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``/search/?q=``: every kind of result, grouped, with a link to the full lists."""
    term = text_param(request.GET, "q")
    results = search_everything(user=request.user, term=term)
    context = {"results": results, "find_q": term, "min_term": MIN_TERM}
    return render(request, "web/search.html", context)


def search_jump(request: AuthenticatedHttpRequest) -> JsonResponse:
    """``/search/jump/?q=``: the quick-jump's answer, a few results a kind, as JSON."""
    term = text_param(request.GET, "q")
    results = search_everything(user=request.user, term=term, limit=JUMP_LIMIT)
    payload: dict[str, Any] = {
        "q": results.term,
        "groups": [
            {
                "kind": group.kind,
                "title": group.title,
                "more": group.more,
                "results": [
                    {"label": hit.label, "url": hit.url, "detail": hit.detail} for hit in group.hits
                ],
            }
            for group in results.groups
            if group.hits
        ],
    }
    return JsonResponse(payload)
