"""Reads of onboarding checklists: one account's, and every one still under way.

A step is done when someone ticked it, or when its check holds on the data now (a key
account manager on the team, a meeting planned…). Checks are evaluated when read, so the
checklist follows the data without a job having to run first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from tenure.accounts.models import Account
from tenure.core.dates import day_label
from tenure.planning.choices import OnboardingCheck
from tenure.planning.models import Onboarding, OnboardingStep, OnboardingStepTemplate
from tenure.planning.onboarding_checks import onboarding_checks_holding


@dataclass(frozen=True)
class StepStatus:
    """A step as the checklist shows it on ``as_of``."""

    step: OnboardingStep
    done: bool
    automatic: bool  # done because its check holds, not ticked by hand
    how: str  # who ticked it and when, or the evidence of its check
    overdue: bool


@dataclass(frozen=True)
class OnboardingProgress:
    onboarding: Onboarding
    steps: list[StepStatus]
    as_of: dt.date

    @property
    def account(self) -> Account:
        return self.onboarding.account

    @property
    def done(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def overdue(self) -> int:
        return sum(s.overdue for s in self.steps)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def next_step(self) -> StepStatus | None:
        """The open step due first."""
        open_steps = [s for s in self.steps if not s.done]
        return min(open_steps, key=lambda s: (s.step.due_on, s.step.position), default=None)


def _with_steps(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    return onboardings.select_related("account").prefetch_related(
        Prefetch(
            "steps",
            queryset=OnboardingStep.objects.select_related("done_by").order_by("position", "id"),
        )
    )


def _name(user: User | None) -> str:
    if user is None:
        return "a former user"
    return user.get_full_name() or user.get_username()


def onboarding_progress(
    onboardings: Sequence[Onboarding], *, as_of: dt.date
) -> list[OnboardingProgress]:
    """The checklists of ``onboardings`` (their steps prefetched) as they stand on ``as_of``."""
    checks = {
        step.auto_check
        for onboarding in onboardings
        for step in onboarding.steps.all()
        if step.done_on is None and step.auto_check != OnboardingCheck.MANUAL
    }
    holding = onboarding_checks_holding(onboardings, checks)
    result = []
    for onboarding in onboardings:
        statuses = []
        for step in onboarding.steps.all():
            evidence = holding.get((onboarding.pk, step.auto_check))
            if step.done_on is not None:
                how = f"Ticked by {_name(step.done_by)} on {day_label(step.done_on)}"
                statuses.append(StepStatus(step, True, False, how, False))
            elif evidence is not None:
                statuses.append(StepStatus(step, True, True, evidence, False))
            else:
                statuses.append(StepStatus(step, False, False, "", step.due_on < as_of))
        result.append(OnboardingProgress(onboarding, statuses, as_of))
    return result


def onboarding_for_account(*, account: Account, as_of: dt.date) -> OnboardingProgress | None:
    """The account's latest onboarding, or ``None`` when it never had one."""
    latest = _with_steps(Onboarding.objects.filter(account=account)).first()
    if latest is None:
        return None
    return onboarding_progress([latest], as_of=as_of)[0]


def onboarding_in_progress(
    *, as_of: dt.date, accounts: QuerySet[Account] | None = None
) -> list[OnboardingProgress]:
    """The key accounts whose onboarding is not complete, most overdue steps first.

    Only each account's latest onboarding counts, and only while it is a key account.
    ``accounts`` narrows the list (the accounts a user may see, an alert run's scope).
    """
    latest = Onboarding.objects.filter(account=OuterRef("account")).order_by("-started_on", "-id")
    open_step = OnboardingStep.objects.filter(onboarding=OuterRef("pk"), done_on__isnull=True)
    candidates = Onboarding.objects.filter(
        account__is_key_account=True, pk=Subquery(latest.values("pk")[:1])
    ).filter(Exists(open_step))
    if accounts is not None:
        candidates = candidates.filter(account__in=accounts.values("pk"))
    progress = [
        p for p in onboarding_progress(list(_with_steps(candidates)), as_of=as_of) if not p.complete
    ]
    progress.sort(key=lambda p: (-p.overdue, p.onboarding.started_on, p.account.name))
    return progress


def onboarding_template_steps() -> QuerySet[OnboardingStepTemplate]:
    """The steps every new key account's checklist starts with, in order."""
    return OnboardingStepTemplate.objects.order_by("position", "id")
