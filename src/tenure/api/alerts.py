"""Tasks the alert rules raised: list, read, close (done or dismissed), reopen.

Tasks are seen as on the tasks page (``tenure.alerts.selectors.task_list``): those on the
accounts the caller may see, and always those given to them; any other is reported
missing. Closing and reopening follow the page's rules (``tenure.alerts.views``): the
assignee or someone who may change the account closes a task; whoever closed it or someone
who may change the account reopens it. Analysts only read.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from tenure.accounts.permissions import AccessDenied
from tenure.alerts import services
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import Task
from tenure.alerts.permissions import can_close_task, can_reopen_task
from tenure.alerts.selectors import SORTS, task_list, task_pages
from tenure.alerts.selectors import TaskFilters as ListFilters
from tenure.api.errors import READ_ERRORS, WRITE_ERRORS
from tenure.api.guards import caller, require_writer
from tenure.api.pagination import PageNumber
from tenure.api.schemas import Choice, Id, InputSchema, Text
from tenure.core.errors import NotFound

router = Router(tags=["tasks"])


def _name(user: Any) -> str | None:
    # As the tasks page shows a person: the full name, else the username.
    return None if user is None else user.get_full_name() or user.username


class TaskOut(Schema):
    id: int
    account_id: int
    account_name: str = Field(alias="account.name")
    rule: str
    rule_label: str
    cause_key: str = Field(description="Which cause within the rule: an action, an answer…")
    title: str
    evidence: str = Field(description="The figures that made the rule fire, in words.")
    evidence_url: str = Field(description="The page showing the evidence (a site path).")
    due_on: dt.date
    status: str
    assignee_id: int | None = Field(description="null when the account had nobody to give it to.")
    assignee_name: str | None
    raised_on: dt.date
    checked_on: dt.date = Field(description="The last run that found the cause still true.")
    closed_at: dt.datetime | None
    closed_by_id: int | None = Field(description="null while open or when the cause cleared.")
    resolution: str = Field(description="The closing note, or why the cause cleared.")

    @staticmethod
    def resolve_rule_label(obj: Task) -> str:
        return obj.get_rule_display()

    @staticmethod
    def resolve_assignee_name(obj: Task) -> str | None:
        return _name(obj.assignee)


#: One string rather than a union with an id, so a bad value's error names the field alone.
Assignee = Annotated[str, StringConstraints(pattern=r"^(me|all|none|[1-9][0-9]{0,17})$")]


class TaskFilters(Schema):
    status: Annotated[str, Choice([*TaskStatus.values, "closed", ""])] = Field(
        TaskStatus.OPEN.value,
        description="A status, `closed` (done, dismissed or cleared), or empty for every task.",
    )
    rule: Annotated[str, Choice(AlertRule, blank=True)] = ""
    assignee: Assignee = Field(
        "me",
        description="`me`, `all` (every task the caller may see), `none` (unassigned) or a "
        "user id.",
    )
    account: Id | None = Field(None, description="Only tasks on this account.")
    sort: Annotated[str, Choice(SORTS)] = Field(
        "due", description="`due` (soonest first), `raised` (newest first) or `account`."
    )


class TaskCloseIn(InputSchema):
    status: Annotated[str, Choice([TaskStatus.DONE.value, TaskStatus.DISMISSED.value])]
    note: Annotated[str, Text(300)] = Field("", description="Required when dismissing: say why.")


def _loaded() -> QuerySet[Task]:
    return Task.objects.select_related("account", "assignee", "closed_by")


def _visible(request: HttpRequest) -> QuerySet[Task]:
    """Every task the caller may see, whatever its status or assignee."""
    return task_list(user=caller(request), filters=ListFilters(status="", assignee="all"))


def _task(request: HttpRequest, pk: int) -> Task:
    task = _visible(request).filter(pk=pk).first()
    if task is None:
        raise NotFound(f"task {pk} does not exist", field="id")
    return task


@router.get("/tasks", response={200: list[TaskOut], **READ_ERRORS})
@paginate(PageNumber)
def task_index(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    """Tasks the caller may see, filtered and sorted like the tasks page: by default the
    caller's own open tasks, soonest due first."""
    wanted = ListFilters(
        status=filters.status,
        rule=filters.rule,
        assignee=filters.assignee,
        account_id=filters.account,
        sort=filters.sort,
    )
    return task_pages(user=caller(request), filters=wanted)


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS})
def task_get(request: HttpRequest, task_id: Id) -> Any:
    """One task, with the evidence that raised it and how it was closed."""
    return _task(request, task_id)


@router.post("/tasks/{task_id}/close", response={200: TaskOut, **WRITE_ERRORS})
def task_close(request: HttpRequest, task_id: Id, payload: TaskCloseIn) -> Any:
    """Close an open task as done, or dismiss it saying why (the assignee or the account's
    team)."""
    task = _task(request, task_id)
    require_writer(request)
    user = caller(request)
    if not can_close_task(user, task):
        raise AccessDenied("only the assignee or the account's team can close this task")
    services.task_close(task=task, status=payload.status, by=user, note=payload.note)
    return _loaded().get(pk=task.pk)


@router.post("/tasks/{task_id}/reopen", response={200: TaskOut, **WRITE_ERRORS})
def task_reopen(request: HttpRequest, task_id: Id) -> Any:
    """Undo a close made by a person (whoever closed it, or the account's team)."""
    user = caller(request)
    # Who closed a task may undo it even if the account has since been hidden from them.
    closed_by_me = _loaded().filter(pk=task_id, closed_by=user).first()
    task = closed_by_me or _task(request, task_id)
    require_writer(request)
    if not can_reopen_task(user, task):
        raise AccessDenied("only whoever closed the task or the account's team can reopen it")
    services.task_reopen(task=task)
    return _loaded().get(pk=task.pk)
