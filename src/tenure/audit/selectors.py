"""Reads of the audit trail, shared by the account page, the admin and (later) the API."""

from __future__ import annotations

from django.db import models

from tenure.audit.models import AuditEvent, model_labels

#: Events shown on an account page unless asked otherwise.
ACCOUNT_PAGE_LIMIT = 20


def account_audit(
    *, account_id: int, limit: int = ACCOUNT_PAGE_LIMIT
) -> models.QuerySet[AuditEvent]:
    """The newest changes to an account and everything that belongs to it.

    Served by the ``(account_id, -created_at)`` index: one indexed range read, no joins.
    """
    return AuditEvent.objects.filter(account_id=account_id).order_by("-created_at", "-id")[:limit]


def object_audit(*, model: type[models.Model], object_id: object) -> models.QuerySet[AuditEvent]:
    """Every change to one record, newest first, under any label the model has had."""
    return AuditEvent.objects.filter(
        model__in=model_labels(model), object_id=str(object_id)
    ).order_by("-created_at", "-id")
