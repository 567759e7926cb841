"""Alerts become tasks: raise what newly holds, refresh what still holds, close what cleared."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import TeamMembership
from tenure.accounts.permissions import AccessDenied, can_edit_account, can_view_account
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import AlertSettings, Task, TaskView
from tenure.alerts.notifications import notify_task_raised
from tenure.alerts.permissions import can_close_task
from tenure.alerts.rules import CLEARED, RULES, Firing, RuleContext, alert_scope
from tenure.core.dates import day_label
from tenure.core.errors import DomainError, NotFound
from tenure.core.models import settings_in_force
from tenure.core.validation import validate_and_save
from tenure.engagement.services import weekly_focus_choose_all

_REFRESHED = ("title", "evidence", "evidence_url", "updated_at")


def alert_settings_current() -> AlertSettings:
    """The settings in force, saved with their defaults on first use."""
    return settings_in_force(AlertSettings)


@dataclass
class AlertRun:
    """What one evaluation of the rules did."""

    as_of: dt.date
    raised: Counter[str] = field(default_factory=Counter)
    still_open: int = 0
    cleared: Counter[str] = field(default_factory=Counter)
    snoozed: int = 0
    unassigned: int = 0
    focus_chosen: int = 0
    dry_run: bool = False

    @property
    def raised_total(self) -> int:
        return sum(self.raised.values())

    @property
    def cleared_total(self) -> int:
        return sum(self.cleared.values())


@transaction.atomic
def alerts_run(
    *,
    as_of: dt.date,
    account_ids: Collection[int] | None = None,
    raise_new: bool = True,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> AlertRun:
    """Evaluate every enabled rule and bring the tasks in line with what holds on ``as_of``.

    Safe to run any number of times: a cause with an open task is refreshed (its figures
    and link), never raised again; a cause a person closed within ``snooze_days`` is not
    raised again; an open task whose cause no longer fires is closed as cleared, saying why.

    ``account_ids`` narrows the run to some accounts (a follow-up after a write);
    ``raise_new=False`` only refreshes and clears.
    """
    settings = alert_settings_current()
    scope = alert_scope()
    if account_ids is not None:
        scope = scope.filter(pk__in=list(account_ids))
    result = AlertRun(as_of=as_of, dry_run=dry_run)

    open_tasks = Task.objects.filter(status=TaskStatus.OPEN)
    if account_ids is not None:
        open_tasks = open_tasks.filter(account_id__in=list(account_ids))
    by_cause = {(t.account_id, t.rule, t.cause_key): t for t in open_tasks}
    open_keys: dict[str, set[tuple[int, str]]] = {}
    for account_id, rule, key in by_cause:
        open_keys.setdefault(rule, set()).add((account_id, key))
    ctx = RuleContext(as_of=as_of, settings=settings, accounts=scope, open_keys=open_keys)

    firings: dict[tuple[int, str, str], Firing] = {}
    for rule, evaluate in RULES.items():
        if not settings.enabled(rule):
            continue
        count = 0
        for firing in evaluate(ctx):
            firings[(firing.account_id, firing.rule, firing.cause_key)] = firing
            count += 1
        if progress:
            progress(f"  {AlertRule(rule).label}: {count:,} holding")

    now = timezone.now()
    refreshed = []
    for cause, task in by_cause.items():
        holding = firings.get(cause)
        if holding is None:
            reason = CLEARED[task.rule] if settings.enabled(task.rule) else "the rule is off"
            task.status = TaskStatus.RESOLVED
            task.closed_at = now
            task.resolution = f"Cleared on {day_label(as_of)}: {reason}."
            task.save(update_fields=["status", "closed_at", "resolution", "updated_at"])
            result.cleared[task.rule] += 1
            continue
        result.still_open += 1
        fresh = (holding.title, holding.evidence, holding.evidence_url)
        if (task.title, task.evidence, task.evidence_url) != fresh:
            task.title, task.evidence, task.evidence_url = fresh
            task.updated_at = now
            refreshed.append(task)
    # A refresh is the machine restating figures, not a decision: no audit entry per task.
    # Only what changed is rewritten; the date checked is one statement for all.
    Task.objects.bulk_update(refreshed, _REFRESHED, batch_size=1000)
    still_open = [task.pk for cause, task in by_cause.items() if cause in firings]
    for start in range(0, len(still_open), 900):  # SQLite's parameter limit
        Task.objects.filter(pk__in=still_open[start : start + 900]).update(checked_on=as_of)

    new = [f for cause, f in firings.items() if cause not in by_cause]
    if raise_new and new:
        snoozed = _recently_closed(new, since=as_of - dt.timedelta(days=settings.snooze_days))
        managers = dict(
            TeamMembership.objects.filter(
                account_id__in={f.account_id for f in new}, role=TeamRole.KEY_ACCOUNT_MANAGER
            ).values_list("account_id", "user_id")
        )
        raised: list[Task] = []
        for firing in new:
            if (firing.account_id, firing.rule, firing.cause_key) in snoozed:
                result.snoozed += 1
                continue
            assignee = firing.assignee_id or managers.get(firing.account_id)
            made = _raise(firing, assignee_id=assignee, as_of=as_of)
            if made is not None:
                raised.append(made)
                result.raised[firing.rule] += 1
                result.unassigned += assignee is None
        notify_task_raised(raised)
    if account_ids is None:
        # The week's focus is stored here, by the scheduled run, so that no page view writes.
        result.focus_chosen = weekly_focus_choose_all(today=as_of)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _recently_closed(firings: list[Firing], *, since: dt.date) -> set[tuple[int, str, str]]:
    # The snooze counts in the alert run's days, not the wall clock's: a closed task's
    # ``checked_on`` is the date of the last run that found it open, so "closed within
    # snooze_days" means the same whatever day a run is made for (a back-dated run, a run
    # replayed by a test, a cron job that ran late).
    closed = Task.objects.filter(
        status__in=[TaskStatus.DONE, TaskStatus.DISMISSED],
        checked_on__gte=since,
        account_id__in={f.account_id for f in firings},
    ).values_list("account_id", "rule", "cause_key")
    return set(closed)


def _raise(firing: Firing, *, assignee_id: int | None, as_of: dt.date) -> Task | None:
    """Create the task; ``None`` when a concurrent run raised it first."""
    try:
        with transaction.atomic():
            return Task.objects.create(
                account_id=firing.account_id,
                rule=firing.rule,
                cause_key=firing.cause_key,
                assignee_id=assignee_id,
                title=firing.title,
                evidence=firing.evidence,
                evidence_url=firing.evidence_url,
                due_on=firing.due_on,
                raised_on=as_of,
                checked_on=as_of,
            )
    except IntegrityError:
        return None


_CLOSING = {TaskStatus.DONE, TaskStatus.DISMISSED}


@transaction.atomic
def task_close(*, task: Task, status: str, by: Any, note: str = "") -> Task:
    """A person closes a task: done (dealt with) or dismissed (not worth doing, say why)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if status not in _CLOSING:
        raise DomainError("a task is closed as done or dismissed")
    if not task.is_open:
        raise DomainError(f"this task is already {task.get_status_display().lower()}")
    note = note.strip()
    if status == TaskStatus.DISMISSED and not note:
        raise DomainError("say why the task is dismissed: the note is kept with it")
    if len(note) > 300:
        raise DomainError("the note is at most 300 characters")
    task.status = status
    task.closed_at = timezone.now()
    task.closed_by = by
    task.resolution = note
    task.save(update_fields=["status", "closed_at", "closed_by", "resolution", "updated_at"])
    return task


@transaction.atomic
def task_reopen(*, task: Task) -> Task:
    """Undo a person's close (the undo offered right after closing)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status not in _CLOSING:
        raise DomainError("only a task closed by a person can be reopened")
    if Task.objects.filter(
        account_id=task.account_id, rule=task.rule, cause_key=task.cause_key, status=TaskStatus.OPEN
    ).exists():
        raise DomainError("a newer task for the same cause is open already")
    task.status = TaskStatus.OPEN
    task.closed_at = None
    task.closed_by = None
    task.resolution = ""
    task.save(update_fields=["status", "closed_at", "closed_by", "resolution", "updated_at"])
    return task


# --- Several tasks at once (the tasks page's bulk actions) ---------------------------------
#
# Each bulk action takes the same rule as closing one task (``can_close_task``: the assignee
# or whoever may change the account), checked for every task before any is changed: one task
# the person may not act on refuses the whole batch, naming it.

MAX_SNOOZE_DAYS = 90


def _acting_on(task_ids: Collection[int], by: Any) -> list[Task]:
    ids = sorted(set(task_ids))
    if not ids:
        raise DomainError("select at least one task", field="tasks")
    tasks = list(Task.objects.select_for_update().select_related("account").filter(pk__in=ids))
    missing = set(ids) - {t.pk for t in tasks}
    hidden = [t for t in tasks if t.assignee_id != by.pk and not can_view_account(by, t.account)]
    if missing or hidden:
        raise NotFound("some of the selected tasks no longer exist", field="tasks")
    refused = [t for t in tasks if not can_close_task(by, t)]
    if refused:
        names = ", ".join(f"“{t.title}”" for t in refused[:3])
        more = f" and {len(refused) - 3} more" if len(refused) > 3 else ""
        raise AccessDenied(
            f"only the assignee or the account's team may change {names}{more}", field="tasks"
        )
    closed = [t for t in tasks if not t.is_open]
    if closed:
        raise DomainError(f"“{closed[0].title}” is closed already", field="tasks")
    return tasks


@transaction.atomic
def tasks_close(*, task_ids: Collection[int], status: str, by: Any, note: str = "") -> list[Task]:
    """Close several tasks as done or dismissed (one note for all), or none of them."""
    tasks = _acting_on(task_ids, by)
    return [task_close(task=t, status=status, by=by, note=note) for t in tasks]


@transaction.atomic
def task_snooze(*, task: Task, days: int, today: dt.date) -> Task:
    """Put an open task off: it is due ``days`` after ``today`` (never earlier than it was).

    The alert run keeps the new due date: it refreshes a task's figures, not its date.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not task.is_open:
        raise DomainError(f"“{task.title}” is closed already", field="tasks")
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise DomainError(f"snooze for 1 to {MAX_SNOOZE_DAYS} days", field="days")
    task.due_on = max(task.due_on, today + dt.timedelta(days=days))
    task.save(update_fields=["due_on", "updated_at"])
    return task


@transaction.atomic
def tasks_snooze(*, task_ids: Collection[int], days: int, by: Any, today: dt.date) -> list[Task]:
    """Snooze several tasks by the same number of days, or none of them."""
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise DomainError(f"snooze for 1 to {MAX_SNOOZE_DAYS} days", field="days")
    return [task_snooze(task=t, days=days, today=today) for t in _acting_on(task_ids, by)]


@transaction.atomic
def task_reassign(*, task: Task, to: Any) -> Task:
    """Give an open task to someone who may change its account."""
    task = Task.objects.select_for_update().select_related("account").get(pk=task.pk)
    if not task.is_open:
        raise DomainError(f"“{task.title}” is closed already", field="tasks")
    if not getattr(to, "is_active", False) or not can_edit_account(to, task.account):
        name = to.get_full_name() or to.get_username()
        raise DomainError(
            f"{name} may not change {task.account.name}: give the task to someone on its team",
            field="assignee",
        )
    task.assignee = to
    task.save(update_fields=["assignee", "updated_at"])
    return task


@transaction.atomic
def tasks_reassign(*, task_ids: Collection[int], to: Any, by: Any) -> list[Task]:
    """Give several tasks to one person, or none of them."""
    return [task_reassign(task=t, to=to) for t in _acting_on(task_ids, by)]


# --- Saved views of the tasks page ---------------------------------------------------------


@transaction.atomic
def task_view_save(*, user: Any, name: str, query: str, default: bool = False) -> TaskView:
    """Save (or overwrite, by name) a person's view of the tasks page; ``default`` makes it
    the one the page opens with."""
    name = name.strip()
    if not name:
        raise DomainError("name the view", field="name")
    if len(name) > 60:
        raise DomainError("a view's name is at most 60 characters", field="name")
    view = TaskView.objects.filter(user=user, name=name).first() or TaskView(user=user, name=name)
    if default:
        TaskView.objects.filter(user=user, is_default=True).exclude(pk=view.pk).update(
            is_default=False
        )
    view.query = query
    view.is_default = default
    validate_and_save(view)
    return view


@transaction.atomic
def task_view_delete(*, view: TaskView) -> None:
    """Forget a saved view (the tasks themselves are untouched)."""
    view.delete()
