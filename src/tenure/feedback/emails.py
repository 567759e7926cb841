"""The survey emails: an invitation and its reminders, plain text, sent with Django's mail API.

They name the supplier and the person invited, never the account manager: the survey is
answered away from the manager.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tenure.feedback.models import Invitation


def survey_link(base_url: str, raw_token: str) -> str:
    """The public answer page for a raw token, made absolute with ``base_url``."""
    return base_url.rstrip("/") + reverse("feedback:answer", args=[raw_token])


def survey_email(
    invitation: Invitation,
    *,
    link: str,
    supplier: str,
    reminder: bool,
    connection: BaseEmailBackend | None = None,
) -> EmailMessage:
    """The email carrying ``link`` to ``invitation``'s contact."""
    campaign = invitation.campaign
    context = {
        "first_name": invitation.contact.first_name,
        "supplier": supplier,
        "link": link,
        "title": campaign.version.title,
        "closes_on": timezone.localtime(campaign.closes_at).date(),
        "reminder": reminder,
    }
    subject = render_to_string("feedback/email/subject.txt", context).strip()
    body = render_to_string("feedback/email/body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[str(invitation.contact.email)],
        connection=connection,
    )
