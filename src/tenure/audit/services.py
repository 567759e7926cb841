"""The writes the audit trail offers: a summary of a bulk write, and an export of data.

Nothing here changes or removes an event: the trail is append-only by design.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tenure.audit.choices import AuditAction
from tenure.audit.context import actor_of, current_actor
from tenure.audit.models import AuditEvent, model_label
from tenure.core.errors import DomainError

_BULK = {
    "create": AuditAction.BULK_CREATE,
    "update": AuditAction.BULK_UPDATE,
    "delete": AuditAction.BULK_DELETE,
}


def audit_record_bulk(
    *,
    model: type[models.Model],
    action: str,
    count: int,
    by: Any = None,
    note: str = "",
    account_id: int | None = None,
    using: str = "default",
) -> AuditEvent | None:
    """Record one event for a write that bypassed the model signals.

    ``bulk_create``, ``bulk_update`` and ``QuerySet.update`` write many rows without the
    per-row signals; call this beside them, inside the same transaction, so the summary
    commits or rolls back with the rows. ``action`` is ``create``, ``update`` or
    ``delete``; ``by`` is a user or a name (default: whoever is acting, see
    ``context.current_actor``); ``note`` says what was written ("import of crm.csv",
    "tiers from the scoring run of 2026-06-30"); ``account_id`` when every row belongs to
    one account. Nothing is recorded for zero rows.
    """
    if action not in _BULK:
        raise DomainError(f"action must be one of {', '.join(_BULK)}", field="action")
    if count < 0:
        raise DomainError("a count of rows cannot be negative", field="count")
    if count == 0:
        return None
    actor = current_actor() if by is None else actor_of(by)
    event = AuditEvent(
        actor=actor.name[:150],
        actor_id=actor.user_id,
        action=_BULK[action],
        model=model_label(model),
        object_repr=f"{count:,} {model._meta.verbose_name_plural}"[:200],
        account_id=account_id,
        count=count,
        note=note[:500],
    )
    event.save(using=using, force_insert=True)
    return event


def audit_record_export(
    *,
    model: type[models.Model],
    object_id: int,
    by: Any = None,
    note: str = "",
    using: str = "default",
) -> AuditEvent:
    """Record that the data of one record left Tenure (a person's personal-data export).

    The event names the record by kind and id only ("contact 42"), never by its text: a
    person erased later must not stay named in the append-only trail by their export.
    """
    actor = current_actor() if by is None else actor_of(by)
    concrete = model._meta.concrete_model or model
    event = AuditEvent(
        actor=actor.name[:150],
        actor_id=actor.user_id,
        action=AuditAction.EXPORT,
        model=concrete._meta.label_lower,
        object_id=str(object_id),
        object_repr=f"{model._meta.verbose_name} {object_id}"[:200],
        note=note[:500],
    )
    event.save(using=using, force_insert=True)
    return event
