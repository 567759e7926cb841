"""The audit event: one change to one CRM record, or one summarised bulk write.

Events are append-only. The model refuses to update or delete them, the admin shows them
read-only, there is no service that changes them, and a database trigger (migration 0001)
refuses UPDATE (and, on PostgreSQL, DELETE) from anyone who goes around the application.

Who, what and which account are plain values rather than foreign keys, so an event outlives
the user, the record and the account it names, and writing one never locks their rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from tenure.audit.choices import AuditAction


def model_label(model: type[models.Model]) -> str:
    """How events name a model (``accounts.account``): a proxy is filed under its model."""
    concrete = model._meta.concrete_model
    assert concrete is not None  # set on every model that is not abstract
    return concrete._meta.label_lower


def model_labels(model: type[models.Model]) -> tuple[str, ...]:
    """Every label events may name ``model`` by: its own, then those it had before it moved
    to another app (its ``audit_former_labels``). The trail keeps what it recorded."""
    concrete = model._meta.concrete_model
    assert concrete is not None  # set on every model that is not abstract
    return (model_label(model), *getattr(concrete, "audit_former_labels", ()))


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads only: queryset-wide updates and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("audit events are never changed")

    def delete(self) -> NoReturn:
        raise AuditTrailIsAppendOnly("audit events are never deleted")


@dataclass(frozen=True)
class FieldChange:
    """One field of an event, as shown on pages: its label and its values before and after."""

    field: str
    before: Any
    after: Any
    #: One line for pages: the new value, the old one, or "old → new".
    shown: str


class AuditEvent(models.Model):
    """Who changed which record, when, and the changed fields before and after.

    ``before`` and ``after`` hold only the fields that changed (all of them on create and
    delete), serialised to JSON: decimals as strings, dates and times in ISO 8601, foreign
    keys as ids (``account_id``). Created and updated timestamps of the record are left
    out: the event's own ``created_at`` says when.
    """

    # An event never changes, so it has no ``updated_at``.
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    actor = models.CharField(
        max_length=150,
        help_text="The user's name at the time, or 'system', or the command that ran "
        "(e.g. 'tenure score').",
    )
    actor_id = models.PositiveBigIntegerField(
        "user id", null=True, blank=True, help_text="The user's id, when a person acted."
    )
    action = models.CharField(max_length=12, choices=AuditAction.choices)
    model = models.CharField(max_length=100, help_text="app_label.model_name")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    account_id = models.PositiveBigIntegerField(
        "account id", null=True, blank=True, help_text="The account the record belongs to."
    )
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    count = models.PositiveIntegerField(default=1, help_text="Rows written (bulk writes).")
    note = models.CharField(max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # No add, change or delete permission exists, so no role can be granted one.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["account_id", "-created_at"], name="audit_account_idx"),
            models.Index(fields=["model", "object_id"], name="audit_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values),
                name="audit_action_valid",
                violation_error_message="unknown audit action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display().lower()} {self.model} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("audit events are never deleted")

    @property
    def model_name(self) -> str:
        """The record's kind in words ("interaction"), or its label if the model is gone."""
        try:
            return str(apps.get_model(self.model)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.model

    @property
    def is_bulk(self) -> bool:
        return self.action.startswith("bulk_")

    def changes(self) -> list[FieldChange]:
        """The changed fields with readable labels, in the record's field order."""
        try:
            meta = apps.get_model(self.model)._meta
            labels = {f.attname: str(f.verbose_name) for f in meta.concrete_fields}
            labels |= {f.name: str(f.verbose_name) for f in meta.many_to_many}
            # Stored values are the codes ("planned"); pages show the words ("Planned").
            words = {f.attname: dict(f.flatchoices) for f in meta.concrete_fields if f.choices}
        except (LookupError, ValueError):
            labels, words = {}, {}
        names = list(self.before) + [name for name in self.after if name not in self.before]
        if self.action == AuditAction.CREATE:
            # A new record's empty fields say nothing, nor does the account it belongs to.
            names = [
                name
                for name in names
                if self.after.get(name) not in (None, "", [], {})
                and not (name == "account_id" and self.after[name] == self.account_id)
            ]
        order = {name: position for position, name in enumerate(labels)}
        names.sort(key=lambda name: order.get(name, len(order)))
        changes = []
        for name in names:
            before, after = _readable(self.before.get(name)), _readable(self.after.get(name))
            if name in words:
                before, after = _word(words[name], before), _word(words[name], after)
            if self.action == AuditAction.DELETE:
                shown = _text(before)
            elif self.action == AuditAction.CREATE or name not in self.before:
                shown = _text(after)
            else:
                shown = f"{_text(before)} → {_text(after)}"
            changes.append(
                FieldChange(labels.get(name, name.replace("_", " ")), before, after, shown)
            )
        return changes


def _word(choices: dict[Any, Any], value: Any) -> Any:
    return choices.get(value, value) if isinstance(value, str | int) else value


def _text(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _readable(value: Any) -> Any:
    """People added to or removed from a many-to-many field read as "added 3, 5"."""
    if isinstance(value, dict) and value and set(value) <= {"added", "removed"}:
        return "; ".join(f"{verb} {', '.join(map(str, ids))}" for verb, ids in value.items())
    return value
