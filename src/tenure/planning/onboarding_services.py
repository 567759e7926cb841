"""Writes for onboarding: start a new key account's checklist, tick its steps, and edit the
template the checklists are copied from (directors only).

Every write here saves model rows one by one, so the audit trail records each with who
did it (``tenure.audit.recording``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from tenure.access.choices import Role
from tenure.accounts.models import Account
from tenure.accounts.permissions import AccessDenied, AnyUser, require_edit, role_of
from tenure.core.dates import day_label
from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save
from tenure.planning.models import Onboarding, OnboardingStep, OnboardingStepTemplate

_DIRECTORS = frozenset({Role.ADMIN, Role.DIRECTOR})


def can_edit_templates(user: AnyUser | None) -> bool:
    """The onboarding checklist and the plan templates every manager uses are the
    directors' to change."""
    return role_of(user) in _DIRECTORS


def require_template_editor(user: AnyUser | None) -> None:
    if not can_edit_templates(user):
        raise AccessDenied("only a director changes the onboarding and plan templates")


@transaction.atomic
def onboarding_start(
    *, account: Account, started_on: dt.date, started_by: User | None = None
) -> Onboarding | None:
    """Start the onboarding checklist of a newly promoted key account.

    The steps are copied from the template, each due its number of days after
    ``started_on``. Starting twice on one day returns the checklist already started;
    with an empty template there is nothing to start (``None``).
    """
    existing = Onboarding.objects.filter(account=account, started_on=started_on).first()
    if existing is not None:
        return existing
    template = list(OnboardingStepTemplate.objects.order_by("position", "id"))
    if not template:
        return None
    onboarding = Onboarding(account=account, started_on=started_on, started_by=started_by)
    validate_and_save(onboarding)
    for position, step in enumerate(template):
        validate_and_save(
            OnboardingStep(
                onboarding=onboarding,
                title=step.title,
                auto_check=step.auto_check,
                due_on=started_on + dt.timedelta(days=step.due_days),
                position=position,
            )
        )
    return onboarding


def _locked(step: OnboardingStep, by: User) -> OnboardingStep:
    locked = (
        OnboardingStep.objects.select_for_update()
        .select_related("onboarding__account")
        .get(pk=step.pk)
    )
    require_edit(by, locked.onboarding.account)
    return locked


@transaction.atomic
def onboarding_step_tick(*, step: OnboardingStep, by: User, on: dt.date) -> OnboardingStep:
    """Mark a step done by hand, saying who did it and on which day."""
    locked = _locked(step, by)
    if locked.done_on is not None:
        raise DomainError(
            f"“{locked.title}” was already ticked on {day_label(locked.done_on)}", field="step"
        )
    if on < locked.onboarding.started_on:
        raise DomainError(
            f"a step cannot be done before the onboarding started "
            f"({day_label(locked.onboarding.started_on)})",
            field="done_on",
        )
    locked.done_on = on
    locked.done_by = by
    validate_and_save(locked)
    return locked


@transaction.atomic
def onboarding_step_untick(*, step: OnboardingStep, by: User) -> OnboardingStep:
    """Take back a tick given by mistake (a step whose check holds still shows done)."""
    locked = _locked(step, by)
    if locked.done_on is None:
        raise DomainError(f"“{locked.title}” is not ticked", field="step")
    locked.done_on = None
    locked.done_by = None
    validate_and_save(locked)
    return locked


@transaction.atomic
def onboarding_template_step_add(
    *, title: str, auto_check: str, due_days: int, by: User
) -> OnboardingStepTemplate:
    """Add a step at the end of the onboarding template."""
    require_template_editor(by)
    last = OnboardingStepTemplate.objects.aggregate(last=Max("position"))["last"]
    step = OnboardingStepTemplate(
        title=title.strip(),
        auto_check=auto_check,
        due_days=due_days,
        position=0 if last is None else last + 1,
    )
    validate_and_save(step)
    return step


@transaction.atomic
def onboarding_template_step_update(
    *, step: OnboardingStepTemplate, title: str, auto_check: str, due_days: int, by: User
) -> OnboardingStepTemplate:
    """Change a template step; checklists already started keep their copy."""
    require_template_editor(by)
    step.title = title.strip()
    step.auto_check = auto_check
    step.due_days = due_days
    validate_and_save(step)
    return step


@transaction.atomic
def onboarding_template_step_move(
    *, step: OnboardingStepTemplate, up: bool, by: User
) -> OnboardingStepTemplate:
    """Swap a step with its neighbour above (``up``) or below."""
    require_template_editor(by)
    steps = list(OnboardingStepTemplate.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(steps):
        raise DomainError(f"“{step.title}” is already {'first' if up else 'last'}", field="step")
    steps[index], steps[other] = steps[other], steps[index]
    for position, s in enumerate(steps):
        if s.position != position:
            s.position = position
            validate_and_save(s)
    return next(s for s in steps if s.pk == step.pk)


@transaction.atomic
def onboarding_template_step_remove(*, step: OnboardingStepTemplate, by: User) -> None:
    """Remove a step from the template (checklists already started keep it)."""
    require_template_editor(by)
    step.delete()
