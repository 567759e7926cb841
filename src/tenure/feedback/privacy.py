"""Feedback's part of a person's data export and erasure (registered in ``apps.py``).

The file is read by the staff member who exports it, so it follows the anonymity rule like
every page: answers given with consent to be named are in it; anonymous answers are not (nor
when they were given). On erasure, scores stay (NPS and ratings still count) while the text
and the name behind them go, and the emailed links are revoked.
"""

from __future__ import annotations

from typing import Any

from tenure.accounts.models import Contact
from tenure.accounts.privacy import json_value
from tenure.feedback.models import Answer, InvitationToken, Response


def export_contact(contact: Contact) -> dict[str, Any]:
    """The ``surveys`` section of the person's file: every invitation, named answers only."""
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
                    "sent_at": json_value(invitation.sent_at),
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
                "sent_at": json_value(invitation.sent_at),
                "answered_at": json_value(response.answered_at),
                "consent_to_share": True,
                "answers": answers,
            }
        )
    return {"surveys": surveys}


def erase_contact(contact: Contact) -> dict[str, int]:
    """Drop the person's answer texts and consent, revoke their links; counts of each."""
    # Survey answers and responses are not audited (audit/recording.py): plain queryset
    # writes.
    responses = Response.objects.filter(invitation__contact=contact)
    answers = Answer.objects.filter(response__in=responses).exclude(text="")
    counts = {"answers_text_deleted": answers.filter(score__isnull=True).delete()[0]}
    counts["answers_text_cleared"] = answers.update(text="")
    counts["responses_anonymised"] = responses.update(consent_to_share=False)
    counts["survey_links_revoked"] = InvitationToken.objects.filter(
        invitation__contact=contact
    ).delete()[0]
    counts["invitations_kept"] = contact.survey_invitations.count()
    return counts
