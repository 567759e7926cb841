"""Engagement's part of a person's data export and erasure (registered in ``apps.py``).

The file lists the interactions the person took part in and the touchpoints planned with
them. On erasure the interactions stay with the account (its history and figures do not
change); only the person leaves their participants, and planned touchpoints lose the name.
"""

from __future__ import annotations

from typing import Any

from tenure.accounts.models import Contact
from tenure.accounts.privacy import json_value
from tenure.engagement.models import Interaction, Touchpoint


def export_contact(contact: Contact) -> dict[str, Any]:
    """The ``interactions`` and ``touchpoints`` sections of the person's file."""
    interactions = [
        {
            "id": i.pk,
            "date": json_value(i.occurred_at),
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
            "scheduled_on": json_value(t.scheduled_on),
            "account": t.account.name,
            "kind": t.kind,
            "title": t.title,
            "status": t.status,
        }
        for t in contact.touchpoints.select_related("account").order_by("scheduled_on", "id")
    ]
    return {"interactions": interactions, "touchpoints": touchpoints}


def erase_contact(contact: Contact) -> dict[str, int]:
    """Take the (already blanked) person off interactions and touchpoints; counts of each."""
    # Removing through the relation keeps the audit trail recording as usual: the ids, and
    # the person under their blanked name.
    interaction_ids = list(contact.interactions.values_list("pk", flat=True))
    contact.interactions.clear()
    touchpoints = list(Touchpoint.objects.filter(contact=contact))
    for touchpoint in touchpoints:
        touchpoint.contact = None
        touchpoint.save(update_fields=["contact", "updated_at"])
    return {
        "interactions_unlinked": len(interaction_ids),
        "touchpoints_detached": len(touchpoints),
    }
