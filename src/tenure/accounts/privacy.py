"""Personal data: export everything about a contact, and erase a contact on request.

``contact_export`` gathers what Tenure holds about one person as plain JSON, and records in
the audit trail who exported whose data. The file is read by the staff member who exports
it, so it follows the anonymity rule like every page: answers the person gave with consent
to be named are in it; anonymous answers are not (nor when they were given), since the
file would otherwise tie them to the person in front of staff. The invitations are listed.

``contact_erase`` anonymises a person in one transaction and leaves an ``ErasureRecord``:

* the name becomes "Erased person #<id>"; email, phone and birthday are cleared;
* they are taken off the interactions they took part in (the interactions stay, so the
  account's history and its figures do not change) and off planned touchpoints;
* their survey answers lose their free text (text-only answers are deleted, as an answer
  must have a score or a text); scores stay, so NPS and ratings still count, and their
  responses lose the consent to be shown by name. The invitation row keeps pointing at the
  now anonymous contact (the column is required), and its emailed links are revoked.

Each app that keeps rows about a person registers a :class:`PersonalDataHook`
(``register_personal_data`` in its ``AppConfig.ready``), the way merge policies are
registered for merges: its ``export`` adds sections to the file and its ``erase`` does its
part of the erasure and returns what it counted. This module writes only accounts' tables.

The audit trail is append-only (model, queryset and a database trigger refuse UPDATE), so
earlier events about the person keep the values they recorded; the erasure itself writes
no erased value to it (see ``contact_erase``) and its record counts the events kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenure.accounts.models import Contact, ErasureRecord
from tenure.audit.models import AuditEvent
from tenure.audit.services import audit_record_bulk, audit_record_export
from tenure.core.errors import DomainError

#: The name an erased person is shown by: ``first_name`` + ``last_name``.
ERASED_FIRST_NAME = "Erased person"


@dataclass(frozen=True)
class PersonalDataHook:
    """One app's part of a personal-data export and erasure.

    ``export(contact)`` returns the JSON-ready sections the app adds to the file, keyed by
    section name; ``erase(contact)`` anonymises the app's rows about the person inside the
    erasure's transaction and returns counts for the ``ErasureRecord``.
    """

    app: str
    export: Callable[[Contact], dict[str, Any]]
    erase: Callable[[Contact], dict[str, int]]


#: Filled by the apps' ``ready()``; run in registration order (``INSTALLED_APPS``).
PERSONAL_DATA_HOOKS: dict[str, PersonalDataHook] = {}


def register_personal_data(hook: PersonalDataHook) -> None:
    """Make every export and erasure include ``hook.app``'s rows (once per app)."""
    PERSONAL_DATA_HOOKS[hook.app] = hook


def json_value(value: Any) -> Any:
    """Dates, times and decimals as DjangoJSONEncoder writes them."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return DjangoJSONEncoder().default(value)


def _audit_q(contact: Contact) -> Q:
    positions = [str(pk) for pk in contact.positions.values_list("pk", flat=True)]
    return Q(model="accounts.contact", object_id=str(contact.pk)) | Q(
        model="accounts.position", object_id__in=positions
    )


@transaction.atomic
def contact_export(*, contact: Contact, by: Any = None) -> dict[str, Any]:
    """Everything Tenure holds about ``contact`` that staff may read, JSON-serialisable.

    Recorded in the audit trail (who, when, which contact id), in the same transaction.
    """
    person = {
        "id": contact.pk,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": contact.phone,
        "preferred_channel": contact.preferred_channel,
        "birthday": json_value(contact.birthday),
        "created_at": json_value(contact.created_at),
        "updated_at": json_value(contact.updated_at),
    }
    positions = [
        {
            "account": p.account.name,
            "account_id": p.account_id,
            "title": p.title,
            "department": p.department,
            "buying_role": p.buying_role,
            "seniority": p.seniority,
            "strength": p.strength,
            "started_on": json_value(p.started_on),
            "left_on": json_value(p.left_on),
        }
        for p in contact.positions.select_related("account").order_by("started_on", "id")
    ]
    sections: dict[str, Any] = {}
    for hook in PERSONAL_DATA_HOOKS.values():
        sections.update(hook.export(contact))
    audit = [
        {
            "at": json_value(e.created_at),
            "actor": e.actor,
            "action": e.action,
            "model": e.model,
            "object_id": e.object_id,
            "before": e.before,
            "after": e.after,
        }
        for e in AuditEvent.objects.filter(_audit_q(contact)).order_by("created_at", "id")
    ]
    audit_record_export(model=Contact, object_id=contact.pk, by=by, note="personal data export")
    return {
        "exported_at": json_value(timezone.now()),
        "person": person,
        "positions": positions,
        **sections,
        "audit_events": audit,
        "erasures": [
            {"at": json_value(r.created_at), "reason": r.reason, "counts": r.counts}
            for r in ErasureRecord.objects.filter(contact_id=contact.pk).order_by("created_at")
        ],
    }


@transaction.atomic
def contact_erase(*, contact: Contact, by: Any, reason: str) -> ErasureRecord:
    """Anonymise ``contact`` on request and record that it was done (see the module doc)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("say why this person is erased", field="reason")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    counts: dict[str, int] = {}

    # A queryset update sends no signal: a per-row audit event would copy the erased values
    # into its "before". One summary event without values is recorded instead.
    blank = {
        "first_name": ERASED_FIRST_NAME,
        "last_name": f"#{contact.pk}",
        "email": None,
        "phone": "",
        "birthday": None,
    }
    Contact.objects.filter(pk=contact.pk).update(**blank, updated_at=timezone.now())
    # The person is blanked first, in memory too: every later step of the erasure records
    # audit events (the interaction unlinking an m2m event on the person), and an event
    # names its object as it is at that moment. Blanked first, none of them holds the name.
    for field, value in blank.items():
        setattr(contact, field, value)
    counts["contact_fields_cleared"] = 5
    audit_record_bulk(
        model=Contact,
        action="update",
        count=1,
        by=by,
        note=f"contact {contact.pk} erased on request: name, email, phone, birthday blanked",
    )

    # Each app anonymises its own rows (interactions, touchpoints, survey answers…).
    for hook in PERSONAL_DATA_HOOKS.values():
        counts.update(hook.erase(contact))

    # The audit trail is append-only: AuditEvent's queryset refuses .update() and a
    # database trigger (audit migration 0001) refuses UPDATE, so earlier events about the
    # person cannot be redacted here. They are kept, and counted, and the documentation
    # (docs/roles.md, "Personal data") says so. The trigger is not to be dropped.
    counts["audit_events_kept"] = AuditEvent.objects.filter(_audit_q(contact)).count()

    return ErasureRecord.objects.create(
        contact_id=contact.pk,
        erased_by=by if getattr(by, "is_authenticated", False) else None,
        reason=reason,
        counts=counts,
    )
