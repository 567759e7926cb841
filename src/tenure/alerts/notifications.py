"""In-app notifications and "follow this account".

Every notice is made by one function, ``notify``: it keeps to each person's settings and
never tells anyone about an account they may not see. Two events call it: a task raised by
the alert run (the assignee and the account's followers hear of it) and an interaction
logged on a followed account by someone else (a ``post_save`` signal, as the task
follow-ups already use). Notices are written in the same transaction as the event.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from tenure.accounts.models import Account
from tenure.accounts.permissions import AccessDenied, can_view_account
from tenure.alerts.choices import NotificationKind
from tenure.alerts.models import AccountFollow, Notification, NotificationSettings, Task
from tenure.engagement.models import Interaction

_TEXT_MAX = 300


def _clip(text: str, limit: int = _TEXT_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: One event to tell about: the account, the text, and who should hear of it.
Event = tuple[Account, str, Iterable[int | None]]


def notify_all(*, kind: str, events: Iterable[Event]) -> list[Notification]:
    """Make the notices for these events: one per event and person, for those who want this
    kind and may see the account. The one place notices are made.

    Settings and people are read once for all the events; who may see an account costs a
    query per person (their role) and, where managers see only their own accounts, one per
    person and account.
    """
    wanted = [(acc, text, {pk for pk in ids if pk is not None}) for acc, text, ids in events]
    everyone = set().union(*(ids for _, _, ids in wanted)) if wanted else set()
    if not everyone:
        return []
    muted = {
        s.user_id
        for s in NotificationSettings.objects.filter(user_id__in=everyone)
        if not s.wants(kind)
    }
    users = get_user_model().objects.filter(is_active=True).in_bulk(everyone - muted)
    notices = [
        Notification(
            recipient=users[pk],
            account=account,
            kind=kind,
            text=_clip(text),
            link=account.get_absolute_url(),
        )
        for account, text, ids in wanted
        for pk in sorted(ids)
        if pk in users and can_view_account(users[pk], account)
    ]
    return Notification.objects.bulk_create(notices, batch_size=500)


def notify(
    *, account: Account, kind: str, text: str, recipient_ids: Iterable[int | None]
) -> list[Notification]:
    """Tell these people about one thing on ``account`` (see ``notify_all``)."""
    return notify_all(kind=kind, events=[(account, text, recipient_ids)])


def followers_of(account_id: int) -> list[int]:
    """The ids of the people following an account."""
    follows = AccountFollow.objects.filter(account_id=account_id)
    return list(follows.values_list("user_id", flat=True))


def notify_task_raised(tasks: Collection[Task]) -> int:
    """Tell each new task's assignee and its account's followers; returns the notices made."""
    if not tasks:
        return 0
    follows: dict[int, list[int]] = {}
    for account_id, user_id in AccountFollow.objects.filter(
        account_id__in={t.account_id for t in tasks}
    ).values_list("account_id", "user_id"):
        follows.setdefault(account_id, []).append(user_id)
    people = {t.pk: [t.assignee_id, *follows.get(t.account_id, [])] for t in tasks}
    told = [t for t in tasks if any(people[t.pk])]
    accounts = Account.objects.in_bulk({t.account_id for t in told})
    events = [
        (
            accounts[t.account_id],
            f"New task on {accounts[t.account_id].name}: {t.title}",
            people[t.pk],
        )
        for t in told
    ]
    return len(notify_all(kind=NotificationKind.TASK_RAISED, events=events))


@receiver(post_save, sender=Interaction)
def _interaction_logged(
    sender: type,  # noqa: ARG001
    instance: Interaction,
    created: bool = False,
    raw: bool = False,
    **_: Any,
) -> None:
    """Followers hear of an interaction someone else logged (not the person who logged it)."""
    if raw or not created:
        return
    people = [pk for pk in followers_of(instance.account_id) if pk != instance.logged_by_id]
    if not people:
        return
    account = instance.account
    who = "Someone"
    if instance.logged_by is not None:
        who = instance.logged_by.get_full_name() or instance.logged_by.get_username()
    kind = instance.get_kind_display().lower()
    kind = f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
    notify(
        account=account,
        kind=NotificationKind.INTERACTION,
        text=f"{who} logged {kind} with {account.name}: {instance.summary}",
        recipient_ids=people,
    )


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def account_follow(*, user: Any, account: Account) -> AccountFollow:
    """Follow an account one may see (following twice is the same as once)."""
    if not can_view_account(user, account):
        raise AccessDenied("you may not see this account, so you cannot follow it")
    try:
        with transaction.atomic():
            follow, _ = AccountFollow.objects.get_or_create(user=user, account=account)
    except IntegrityError:  # a concurrent click made it first
        follow = AccountFollow.objects.get(user=user, account=account)
    return follow


@transaction.atomic
def account_unfollow(*, user: Any, account: Account) -> None:
    """Stop following an account (nothing happens when one did not follow it)."""
    AccountFollow.objects.filter(user=user, account=account).delete()


@transaction.atomic
def notifications_mark_read(*, user: Any, ids: Collection[int] | None = None) -> int:
    """Mark a person's unread notices read: these ``ids`` (their own only) or all of them.
    Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def notification_settings_save(
    *, user: Any, in_app: bool, tasks: bool, interactions: bool
) -> NotificationSettings:
    """Save a person's choice of in-app notifications."""
    chosen, _ = NotificationSettings.objects.get_or_create(user=user)
    chosen.in_app, chosen.tasks, chosen.interactions = in_app, tasks, interactions
    chosen.save()
    return chosen
