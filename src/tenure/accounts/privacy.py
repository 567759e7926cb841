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

The audit trail is append-only (model, queryset and a database trigger refuse UPDATE), so
earlier events about the person keep the values they recorded; the erasure itself writes
no erased value to it (see ``contact_erase``) and its record counts the events kept.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenure.accounts.models import Contact, ErasureRecord
from tenure.audit.models import AuditEvent
from tenure.audit.services import audit_record_bulk, audit_record_export
from tenure.core.errors import DomainError
from tenure.engagement.models import Interaction, Touchpoint
from tenure.feedback.models import Answer, InvitationToken, Response

#: The name an erased person is shown by: ``first_name`` + ``last_name``.
ERASED_FIRST_NAME = "Erased person"


def erased_name(contact_id: int) -> str:
    return f"{ERASED_FIRST_NAME} #{contact_id}"


def is_erased(contact: Contact) -> bool:
    return ErasureRecord.objects.filter(contact_id=contact.pk).exists()


def _json(value: Any) -> Any:
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
        "birthday": _json(contact.birthday),
        "created_at": _json(contact.created_at),
        "updated_at": _json(contact.updated_at),
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
            "started_on": _json(p.started_on),
            "left_on": _json(p.left_on),
        }
        for p in contact.positions.select_related("account").order_by("started_on", "id")
    ]
    interactions = [
        {
            "id": i.pk,
            "date": _json(i.occurred_at),
            "account": i.account.name,
            "kind": i.kind,
            "strategic": i.is_strategic,
            "summary": i.summary,
            "outcome": i.outcome,
        }
        for i in Interaction.objects.filter(contacts=contact)
        .select_related("account")
        .order_by("occurred_at", "id")
    ]
    touchpoints = [
        {
            "id": t.pk,
            "scheduled_on": _json(t.scheduled_on),
            "account": t.account.name,
            "kind": t.kind,
            "title": t.title,
            "status": t.status,
        }
        for t in contact.touchpoints.select_related("account").order_by("scheduled_on", "id")
    ]
    surveys = []
    invitations = contact.survey_invitations.select_related("campaign", "account").order_by("id")
    for invitation in invitations:
        response = Response.objects.filter(invitation=invitation).first()
        if response is None or not response.consent_to_share:
            # Anonymous answers are not tied to the person in front of staff; an entry
            # looks the same whether they answered anonymously or not at all.
            surveys.append(
                {
                    "campaign": invitation.campaign.name,
                    "account": invitation.account.name,
                    "sent_at": _json(invitation.sent_at),
                }
            )
            continue
        answers = [
            {"question": a.question.text, "score": a.score, "text": a.text}
            for a in response.answers.select_related("question").order_by(
                "question__position", "id"
            )
        ]
        surveys.append(
            {
                "campaign": invitation.campaign.name,
                "account": invitation.account.name,
                "sent_at": _json(invitation.sent_at),
                "answered_at": _json(response.answered_at),
                "consent_to_share": True,
                "answers": answers,
            }
        )
    audit = [
        {
            "at": _json(e.created_at),
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
        "exported_at": _json(timezone.now()),
        "person": person,
        "positions": positions,
        "interactions": interactions,
        "touchpoints": touchpoints,
        "surveys": surveys,
        "audit_events": audit,
        "erasures": [
            {"at": _json(r.created_at), "reason": r.reason, "counts": r.counts}
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

    # Interactions stay with the account; only the person leaves their participants.
    # Removing through the relation keeps the audit trail recording as usual: the ids, and
    # the person under their blanked name.
    interaction_ids = list(contact.interactions.values_list("pk", flat=True))
    contact.interactions.clear()
    counts["interactions_unlinked"] = len(interaction_ids)

    touchpoints = list(Touchpoint.objects.filter(contact=contact))
    for touchpoint in touchpoints:
        touchpoint.contact = None
        touchpoint.save(update_fields=["contact", "updated_at"])
    counts["touchpoints_detached"] = len(touchpoints)

    # Survey answers and responses are not audited (audit/recording.py): plain queryset
    # writes. Scores stay so figures stay right; the text and the name behind them go.
    responses = Response.objects.filter(invitation__contact=contact)
    answers = Answer.objects.filter(response__in=responses).exclude(text="")
    counts["answers_text_deleted"] = answers.filter(score__isnull=True).delete()[0]
    counts["answers_text_cleared"] = answers.update(text="")
    counts["responses_anonymised"] = responses.update(consent_to_share=False)
    counts["survey_links_revoked"] = InvitationToken.objects.filter(
        invitation__contact=contact
    ).delete()[0]
    counts["invitations_kept"] = contact.survey_invitations.count()

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
