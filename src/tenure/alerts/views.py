"""The tasks page: what the alerts ask of me, with the evidence; close, dismiss, undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenure.accounts.permissions import (
    can_view_account,
    sees_all_accounts,
)
from tenure.accounts.selectors import key_account_managers
from tenure.alerts import services
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import Task
from tenure.alerts.permissions import can_close_task, can_reopen_task
from tenure.alerts.selectors import SORTS, TaskFilters, task_list
from tenure.core.errors import DomainError
from tenure.core.query_params import int_param


def tasks_page(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    filters = TaskFilters.from_query(request.GET)
    tasks = task_list(user=request.user, filters=filters)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    closed_id = int_param(request.GET, "closed")
    closed = (
        Task.objects.filter(pk=closed_id, closed_by=request.user).first()
        if closed_id is not None
        else None
    )
    return render(
        request,
        "alerts/tasks.html",
        {
            "page": page,
            "filters": filters,
            "rules": AlertRule.choices,
            "statuses": TaskStatus.choices,
            "sorts": list(SORTS),
            "managers": key_account_managers() if sees_all_accounts(request.user) else [],
            "querystring": query.urlencode(),
            "today": timezone.localdate(),
            "closed": closed,
        },
    )


def _back(request: HttpRequest, **extra: object) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("alerts:tasks")
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
