"""Onboarding a new key account: the director's step template and each account's checklist.

The template (``OnboardingStepTemplate`` rows, in order) says which steps a new key account
goes through and how many days after the promotion each is due. Promoting an account copies
the template into an ``Onboarding`` with its ``OnboardingStep`` s, so a later edit of the
template changes the next onboardings, never a checklist already under way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenure.accounts.models import Account
from tenure.core.models import TimeStampedModel
from tenure.planning.choices import OnboardingCheck

#: Steps are due within a year of the promotion.
MAX_DUE_DAYS = 365


class OnboardingStepTemplate(TimeStampedModel):
    """One step of the onboarding checklist every new key account starts with."""

    title = models.CharField(max_length=200)
    auto_check = models.CharField(
        "done when",
        max_length=12,
        choices=OnboardingCheck.choices,
        default=OnboardingCheck.MANUAL,
        help_text="A step with a check completes by itself when the data shows it is done.",
    )
    due_days = models.PositiveSmallIntegerField(
        "due (days after promotion)", help_text=f"0 to {MAX_DUE_DAYS} days."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_check__in=OnboardingCheck.values),
                name="onboarding_template_check_valid",
                violation_error_message="unknown onboarding check",
            ),
            models.CheckConstraint(
                condition=Q(due_days__lte=MAX_DUE_DAYS),
                name="onboarding_template_due_within_a_year",
                violation_error_message=f"a step is due within {MAX_DUE_DAYS} days",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Onboarding(TimeStampedModel):
    """The checklist a key account works through after its promotion."""

    #: A merge keeps the kept account's checklist of a day and drops a duplicate's of the
    #: same day; other checklists (with their ticks) move to the kept account.
    merge_policy = "prefer_kept"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="onboardings")
    started_on = models.DateField(help_text="The day the account was promoted.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "started_on"],
                name="onboarding_one_per_account_day",
                violation_error_message="this account's onboarding already started that day",
            )
        ]

    def __str__(self) -> str:
        return f"Onboarding of {self.account}"


class OnboardingStep(TimeStampedModel):
    """One step of an account's onboarding; ``done_on`` and ``done_by`` when ticked by hand."""

    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    auto_check = models.CharField(
        "done when",
        max_length=12,
        choices=OnboardingCheck.choices,
        default=OnboardingCheck.MANUAL,
    )
    due_on = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["onboarding_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_check__in=OnboardingCheck.values),
                name="onboarding_step_check_valid",
                violation_error_message="unknown onboarding check",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=False) | Q(done_by__isnull=True),
                name="onboarding_step_done_by_needs_done_on",
                violation_error_message="a step ticked by someone has the day it was ticked",
            ),
        ]

    def __str__(self) -> str:
        return self.title
