"""Who may act on a task: one rule for the tasks page and the API."""

from __future__ import annotations

from typing import Any

from tenure.accounts.permissions import can_edit_account
from tenure.alerts.models import Task


def can_close_task(user: Any, task: Task) -> bool:
    """The person it was given to, or whoever may change the account."""
    return task.assignee_id == getattr(user, "pk", None) or can_edit_account(user, task.account)


def can_reopen_task(user: Any, task: Task) -> bool:
    """Whoever closed it (the undo), or whoever may change the account."""
    return task.closed_by_id == getattr(user, "pk", None) or can_edit_account(user, task.account)
