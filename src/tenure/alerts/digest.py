"""The daily digest: one email per person with their open tasks and this week's focus account.

Plain text with an HTML alternative, sent through Django's mail API (the console backend
unless ``TENURE_EMAIL_URL`` names an SMTP server). A ``DigestLog`` row per person and day
makes a re-run on the same day send nothing twice; a failure to send one digest is reported
and does not stop the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import TeamMembership
from tenure.alerts.choices import TaskStatus
from tenure.alerts.models import DigestLog, Task
from tenure.engagement.selectors import weekly_focus


@dataclass
class DigestRun:
    sent: int = 0
    already_sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def digest_recipients() -> Any:
    """Active people with an email who have open tasks or manage a key account."""
    tasks = Task.objects.filter(assignee=OuterRef("pk"), status=TaskStatus.OPEN)
    manages = TeamMembership.objects.filter(
        user=OuterRef("pk"), role=TeamRole.KEY_ACCOUNT_MANAGER, account__is_key_account=True
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(Exists(tasks)) | Q(Exists(manages)))
        .order_by("pk")
    )


def digest_message(
    user: Any, *, today: dt.date, connection: Any = None
) -> tuple[EmailMultiAlternatives, int]:
    """The digest for one person on one day, and how many open tasks it lists."""
    tasks = list(
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("account")
        .order_by("due_on", "account__name", "pk")
    )
    focus = weekly_focus(user=user, today=today)
    base = settings.TENURE_BASE_URL
    context = {
        "user": user,
        "today": today,
        "tasks": tasks,
        "overdue": sum(t.due_on < today for t in tasks),
        "new": sum(t.raised_on == today for t in tasks),
        "focus": focus,
        "focus_url": base + focus.account.get_absolute_url() if focus else "",
        "base_url": base,
        "tasks_url": base + reverse("alerts:tasks"),
    }
    subject = " ".join(render_to_string("alerts/email/subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("alerts/email/digest.html", context), "text/html")
    return message, len(tasks)


def digests_send(*, today: dt.date, progress: Callable[[str], None] | None = None) -> DigestRun:
    """Send today's digest to everyone who should have one and has not had it yet."""
    run = DigestRun()
    connection = get_connection()
    for user in digest_recipients():
        if DigestLog.objects.filter(user=user, sent_on=today).exists():
            run.already_sent += 1
            continue
        try:
            with transaction.atomic():
                message, open_tasks = digest_message(user, today=today, connection=connection)
                # Claim the day first: a concurrent run then fails here instead of sending twice.
                DigestLog.objects.create(user=user, sent_on=today, tasks=open_tasks)
                message.send()
        except IntegrityError:
            run.already_sent += 1
            continue
        except Exception as error:
            run.failed.append((user.email, str(error)))
            continue
        run.sent += 1
        if progress and run.sent % 100 == 0:
            progress(f"  {run.sent:,} digests sent")
    return run
