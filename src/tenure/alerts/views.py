"""The tasks page: what the alerts ask of me, with the evidence; close, dismiss, undo; several
tasks at once (close, snooze, reassign, each after a confirmation); saved views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenure.accounts.permissions import (
    can_assign_managers,
    can_view_account,
    sees_all_accounts,
)
from tenure.accounts.selectors import key_account_managers
from tenure.alerts import services
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import Task, TaskView
from tenure.alerts.permissions import can_close_task, can_reopen_task
from tenure.alerts.selectors import (
    SORTS,
    TaskFilters,
    task_list,
    task_pages,
    task_views,
    teammates,
)
from tenure.core.errors import DomainError
from tenure.core.query_params import BadQueryParameter, int_list_param, int_param

#: Parameters that choose what the page lists; without any, the person's default view opens.
_FILTER_KEYS = frozenset({"status", "rule", "assignee", "account", "sort"})


def _filters(request: HttpRequest, params: QueryDict) -> TaskFilters:
    # A director's own list is nearly always empty: the team's tasks are what they lead.
    return TaskFilters.from_query(
        params, assignee="all" if can_assign_managers(request.user) else "me"
    )


def tasks_page(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    saved = list(task_views(user=request.user))
    params = request.GET
    if not _FILTER_KEYS & set(params):
        default = next((v for v in saved if v.is_default), None)
        if default is not None:
            params = QueryDict(default.query)
    filters = _filters(request, params)
    tasks = task_pages(user=request.user, filters=filters)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    query = QueryDict(filters.to_query(), mutable=True)
    closed_id = int_param(request.GET, "closed")
    closed = (
        Task.objects.filter(pk=closed_id, closed_by=request.user).first()
        if closed_id is not None
        else None
    )
    managers = key_account_managers()
    sees_all = sees_all_accounts(request.user)
    return render(
        request,
        "alerts/tasks.html",
        {
            "page": page,
            "filters": filters,
            "rules": AlertRule.choices,
            "statuses": TaskStatus.choices,
            "sorts": list(SORTS),
            "managers": managers if sees_all else [],
            # Who a task may be given to; a manager who sees only their accounts, only
            # the people on those accounts' teams.
            "assignees": managers if sees_all else teammates(request.user),
            "querystring": query.urlencode(),
            "today": timezone.localdate(),
            "closed": closed,
            "saved_views": saved,
            "current_view": next((v for v in saved if v.query == filters.to_query()), None),
            "max_snooze": services.MAX_SNOOZE_DAYS,
        },
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("alerts:tasks")
    return target


def _back(request: HttpRequest, **extra: object) -> HttpResponse:
    target = _next_url(request)
    if extra:
        joiner = "&" if "?" in target else "?"
        target += joiner + "&".join(f"{k}={v}" for k, v in extra.items())
    return redirect(target)


@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("account"), pk=pk)
    if not can_view_account(request.user, task.account) and task.assignee_id != request.user.pk:
        raise PermissionDenied
    if not can_close_task(request.user, task):
        raise PermissionDenied("Only the assignee or the account's team can close this task.")
    try:
        services.task_close(
            task=task,
            status=request.POST.get("status", TaskStatus.DONE),
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, f"“{task.title}”: {error.message}")
        return _back(request)
    return _back(request, closed=task.pk)


@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("account"), pk=pk)
    if not can_reopen_task(request.user, task):
        raise PermissionDenied("Only who closed the task or the account's team can reopen it.")
    try:
        services.task_reopen(task=task)
    except DomainError as error:
        messages.error(request, f"“{task.title}”: {error.message}")
    else:
        messages.success(request, f"Reopened “{task.title}”.")
    return _back(request)


_BULK = {
    "done": "Close as done",
    "snooze": "Snooze",
    "reassign": "Reassign",
}


@require_POST
def tasks_bulk(request: HttpRequest) -> HttpResponse:
    """Close, snooze or reassign the selected tasks: first a confirmation listing them, then
    (``confirmed=yes``) the change, all or nothing."""
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    ids = int_list_param(request.POST, "task")
    op = request.POST.get("op", "")
    if op not in _BULK:
        messages.error(request, "Choose what to do with the selected tasks.")
        return _back(request)
    if not ids:
        messages.error(request, "Select at least one task (the boxes in the first column).")
        return _back(request)
    days = to = None
    if op == "snooze":
        try:
            days = int_param(request.POST, "days", minimum=1, maximum=services.MAX_SNOOZE_DAYS)
        except BadQueryParameter:
            days = None
        if days is None:
            messages.error(request, f"Days: snooze for 1 to {services.MAX_SNOOZE_DAYS} days.")
            return _back(request)
    if op == "reassign":
        assignee_id = int_param(request.POST, "assignee")
        users = get_user_model().objects.filter(is_active=True)
        to = None if assignee_id is None else users.filter(pk=assignee_id).first()
        if to is None:
            messages.error(request, "Reassign to: choose who takes the selected tasks.")
            return _back(request)
    if request.POST.get("confirmed") != "yes":
        shown = task_list(user=request.user, filters=TaskFilters(assignee="all", status=""))
        return render(
            request,
            "alerts/tasks_confirm.html",
            {
                "tasks": list(shown.filter(pk__in=ids)),
                "op": op,
                "op_label": _BULK[op],
                "days": days,
                "to": to,
                "next": _next_url(request),
            },
        )
    try:
        if op == "done":
            done = services.tasks_close(task_ids=ids, status=TaskStatus.DONE, by=request.user)
            verb = "Closed"
        elif op == "snooze":
            assert days is not None
            done = services.tasks_snooze(
                task_ids=ids, days=days, by=request.user, today=timezone.localdate()
            )
            verb = f"Snoozed for {days} day{pluralize(days)}"
        else:
            done = services.tasks_reassign(task_ids=ids, to=to, by=request.user)
            verb = f"Gave {to.get_full_name() or to.get_username()}"  # type: ignore[union-attr]
    except DomainError as error:
        messages.error(request, f"Nothing changed: {error.message}.")
        return _back(request)
    messages.success(request, f"{verb} {len(done)} task{pluralize(len(done))}.")
    return _back(request)


@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the page's current filters and sort under a name (optionally as my default)."""
    filters = _filters(request, request.POST)
    try:
        view = services.task_view_save(
            user=request.user,
            name=request.POST.get("name", ""),
            query=filters.to_query(),
            default=request.POST.get("default") == "1",
        )
    except DomainError as error:
        messages.error(request, f"View name: {error.message}.")
        return redirect(reverse("alerts:tasks") + "?" + filters.to_query())
    default = " (your default)" if view.is_default else ""
    messages.success(request, f"Saved the view “{view.name}”{default}.")
    return redirect(reverse("alerts:tasks") + "?" + view.query)


@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(TaskView, pk=pk, user=request.user)
    services.task_view_delete(view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("alerts:tasks")
