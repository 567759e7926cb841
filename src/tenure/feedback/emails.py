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

from tenure.core.checks import is_loopback_url, public_hosts
from tenure.core.errors import DomainError
from tenure.feedback.models import Invitation


def links_base_url(explicit: str | None = None) -> str:
    """The address survey links are built on: ``explicit`` (``--base-url``) or TENURE_BASE_URL.

    Never the host of the request that sends them: a Host header is the client's to choose,
    and a link a customer receives must lead to Tenure. Refused while TENURE_BASE_URL is a
    loopback address on a server reached over a network (the default of an installation
    that has not set it), where every link would lead to the customer's own machine.
    """
    if explicit:
        return explicit.rstrip("/")
    base_url = str(settings.TENURE_BASE_URL).rstrip("/")
    public = public_hosts()
    if is_loopback_url(base_url) and public:
        raise DomainError(
            f"TENURE_BASE_URL is {base_url}, which only this server can reach, while Tenure "
            f"serves {', '.join(public)}: set TENURE_BASE_URL to Tenure's public address "
            "(e.g. https://kam.example.com) before sending survey links."
        )
    return base_url


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
