"""Forms for plans, their objectives, goals and actions, and the wins-and-issues log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from tenure.planning import reviews
from tenure.planning.choices import (
    Horizon,
    MilestoneKind,
    ObjectiveKind,
    OnboardingCheck,
    PlanSituation,
    Severity,
)
from tenure.planning.onboarding_models import MAX_DUE_DAYS
from tenure.planning.plan_template_models import MAX_TEMPLATE_DAYS, PlanTemplate

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    template = forms.ModelChoiceField(
        label="Start from template",
        queryset=PlanTemplate.objects.order_by("situation", "name"),
        required=False,
        empty_label="None: an empty plan",
        help_text="Fills in the template's objectives, goals and actions, due from today.",
    )
    title = forms.CharField(max_length=200)
    horizon = forms.ChoiceField(choices=Horizon.choices, initial=Horizon.SHORT)
    starts_on = forms.DateField(label="Starts", widget=DATE)
    ends_on = forms.DateField(label="Ends", widget=DATE)


class ObjectiveForm(forms.Form):
    kind = forms.ChoiceField(label="Objective", choices=ObjectiveKind.choices)
    title = forms.CharField(label="Objective title", max_length=200)


class GoalForm(forms.Form):
    objective = forms.TypedChoiceField(label="For objective", coerce=int, choices=())
    kpi = forms.CharField(label="KPI", max_length=200)
    unit = forms.CharField(max_length=30, required=False)
    baseline = forms.DecimalField(max_digits=16, decimal_places=2)
    target = forms.DecimalField(max_digits=16, decimal_places=2)
    due_on = forms.DateField(label="Goal due", widget=DATE)

    def __init__(self, *args: Any, objectives: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objective = self.fields["objective"]
        assert isinstance(objective, forms.TypedChoiceField)
        objective.choices = objectives


class ActionForm(forms.Form):
    title = forms.CharField(label="Action", max_length=200)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True))
    due_on = forms.DateField(label="Action due", widget=DATE)


class CloseForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    closed_on = forms.DateField(widget=DATE)


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    occurred_on = forms.DateField(label="When", widget=DATE)


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(widget=DATE)


#: Quarters offered when starting a review: the current one and the three years before.
START_CHOICES = 13
TEXT = forms.Textarea(attrs={"rows": 5})


class StartForm(forms.Form):
    period = forms.ChoiceField(label="Quarter")

    def __init__(self, *args: Any, reviewed: set[tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year, quarter = reviews.quarter_of(timezone.localdate())
        choices = []
        for _ in range(START_CHOICES):
            label = reviews.quarter_label(year, quarter)
            if (year, quarter) in reviewed:
                label += " (reviewed)"
            choices.append((f"{year}-{quarter}", label))
            year, quarter = reviews.previous_quarter(year, quarter)
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = choices

    def quarter(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["period"].split("-")
        return int(year), int(quarter)


class ReviewForm(forms.Form):
    achievements = forms.CharField(widget=TEXT, max_length=5000, required=False)
    improvements = forms.CharField(
        label="Improvement areas", widget=TEXT, max_length=5000, required=False
    )
    next_focus = forms.CharField(
        label="Focus for the next quarter", widget=TEXT, max_length=5000, required=False
    )


class OnboardingStepTemplateForm(forms.Form):
    title = forms.CharField(label="Step", max_length=200)
    auto_check = forms.ChoiceField(
        label="Done when",
        choices=OnboardingCheck.choices,
        initial=OnboardingCheck.MANUAL,
        help_text="A check on the data completes the step by itself; otherwise it is ticked.",
    )
    due_days = forms.IntegerField(
        label="Due (days after promotion)", min_value=0, max_value=MAX_DUE_DAYS, initial=14
    )


class PlanTemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    situation = forms.ChoiceField(choices=PlanSituation.choices)
    horizon = forms.ChoiceField(choices=Horizon.choices, initial=Horizon.SHORT)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class _TemplateObjectiveChoice(forms.Form):
    objective = forms.TypedChoiceField(label="For objective", coerce=int, choices=())

    def __init__(self, *args: Any, objectives: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objective = self.fields["objective"]
        assert isinstance(objective, forms.TypedChoiceField)
        objective.choices = objectives


def _due_days() -> forms.IntegerField:
    return forms.IntegerField(
        label="Due (days after creation)", min_value=0, max_value=MAX_TEMPLATE_DAYS
    )


class PlanTemplateGoalForm(_TemplateObjectiveChoice):
    kpi = forms.CharField(label="KPI", max_length=200)
    unit = forms.CharField(max_length=30, required=False)
    baseline = forms.DecimalField(max_digits=16, decimal_places=2)
    target = forms.DecimalField(max_digits=16, decimal_places=2)
    due_days = _due_days()


class PlanTemplateActionForm(_TemplateObjectiveChoice):
    title = forms.CharField(label="Action", max_length=200)
    due_days = _due_days()
