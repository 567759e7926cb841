"""Close a task as soon as its cause is dealt with, not at the next scheduled run.

When something that can clear an alert is saved (an interaction logged, an action
finished, a touchpoint planned, a position changed, a plan made, an onboarding step
ticked), the rules are re-evaluated for that account after the transaction commits —
only when the account has an open task, so an account without alerts pays one small
query. New alerts are raised by ``tenure alerts`` only: a follow-up never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from tenure.accounts.models import Position
from tenure.alerts.choices import TaskStatus
from tenure.alerts.models import Task
from tenure.alerts.services import alerts_run
from tenure.engagement.models import Interaction, Touchpoint
from tenure.planning.models import AccountPlan, Action, OnboardingStep


def _follow_up(account_id: Callable[[], int | None]) -> None:
    def refresh() -> None:
        account = account_id()
        if account is None:
            return
        if not Task.objects.filter(account_id=account, status=TaskStatus.OPEN).exists():
            return
        alerts_run(as_of=timezone.localdate(), account_ids=[account], raise_new=False)

    transaction.on_commit(refresh)


@receiver(post_save, sender=Interaction)
@receiver(post_save, sender=Touchpoint)
@receiver(post_save, sender=Position)
@receiver(post_save, sender=AccountPlan)
def _account_row_saved(sender: type, instance: Any, raw: bool = False, **_: Any) -> None:  # noqa: ARG001
    if not raw:
        _follow_up(lambda: instance.account_id)


@receiver(m2m_changed, sender=Interaction.contacts.through)
def _interaction_contacts_changed(sender: type, instance: Any, action: str, **_: Any) -> None:  # noqa: ARG001
    if action == "post_add" and isinstance(instance, Interaction):
        _follow_up(lambda: instance.account_id)


@receiver(post_save, sender=Action)
def _action_saved(sender: type, instance: Action, raw: bool = False, **_: Any) -> None:  # noqa: ARG001
    if not raw:
        # The plan's account is looked up after the commit, not on every save.
        _follow_up(
            lambda: (
                Action.objects.filter(pk=instance.pk)
                .values_list("plan__account_id", flat=True)
                .first()
            )
        )


@receiver(post_save, sender=OnboardingStep)
def _onboarding_step_saved(
    sender: type,  # noqa: ARG001
    instance: OnboardingStep,
    raw: bool = False,
    **_: Any,
) -> None:
    if not raw:
        _follow_up(
            lambda: (
                OnboardingStep.objects.filter(pk=instance.pk)
                .values_list("onboarding__account_id", flat=True)
                .first()
            )
        )
