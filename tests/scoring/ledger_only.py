"""Empty a loaded demo's CRM down to accounts (and their orders, which live in the ledger).

Interactions, stakeholder positions and survey campaigns with their answers are deleted:
what a new installation holds before anyone logs a call or maps a stakeholder.
"""

from __future__ import annotations

from django.db import transaction

from tenure.accounts.models import Position
from tenure.engagement.models import Interaction
from tenure.feedback.models import Answer, Campaign, Invitation, InvitationToken, Response


@transaction.atomic
def empty_crm() -> dict[str, int]:
    """Delete interactions, positions and surveys; return how many rows of each went."""
    counts = {}
    for model in (Answer, Response, InvitationToken, Invitation, Campaign, Interaction, Position):
        counts[model.__name__] = model.objects.all().delete()[0]
    return counts
