"""Forms: the public survey (built from a version's questions) and a new campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from tenure.accounts.choices import Tier
from tenure.accounts.models import Account
from tenure.feedback.choices import SCALE_ANCHORS, SCALES, CampaignTarget, QuestionKind
from tenure.feedback.models import TEXT_ANSWER_MAX_LENGTH, Question, Response
from tenure.feedback.selectors import survey_templates_active

CONSENT_LABEL = "You may share my name with my account manager"


@dataclass(frozen=True)
class SurveyRow:
    """One question with its form field, for the template to lay out accessibly."""

    question: Question
    field: forms.BoundField
    low: str
    high: str

    @property
    def is_scale(self) -> bool:
        return self.question.kind in SCALES

    @property
    def is_nps(self) -> bool:
        return self.question.kind == QuestionKind.NPS


class SurveyForm(forms.Form):
    """A version's questions as fields ``q<question id>`` plus the consent box."""

    consent = forms.BooleanField(required=False, label=CONSENT_LABEL)

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        consent = self.fields.pop("consent")
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind in SCALES:
                low, high = SCALES[question.kind]
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=[(str(n), str(n)) for n in range(low, high + 1)],
                    coerce=int,
                    empty_value=None,
                    required=question.required,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Please choose a number."},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=question.required,
                    max_length=TEXT_ANSWER_MAX_LENGTH,
                    widget=forms.Textarea(
                        attrs={"rows": 4, "aria-describedby": f"id_{name}-limit"}
                    ),
                    error_messages={
                        "required": "Please answer this question.",
                        "max_length": f"Please keep this under {TEXT_ANSWER_MAX_LENGTH} "
                        "characters (you wrote %(show_value)d).",
                    },
                )
        self.fields["consent"] = consent

    @classmethod
    def initial_from(cls, response: Response | None) -> dict[str, object]:
        """Pre-fill the form with answers already given, so they can be changed."""
        if response is None:
            return {}
        initial: dict[str, object] = {"consent": response.consent_to_share}
        for answer in response.answers.all():
            value = answer.score if answer.score is not None else answer.text
            initial[f"q{answer.question_id}"] = str(value) if answer.score is not None else value
        return initial

    def rows(self) -> list[SurveyRow]:
        rows = []
        for question in self.questions:
            low, high = SCALE_ANCHORS.get(question.kind, ("", ""))
            rows.append(SurveyRow(question, self[f"q{question.pk}"], low, high))
        return rows

    def answers(self) -> dict[int, object]:
        """``{question id: value}`` for the service."""
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


def _default_close() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=21)


class CampaignForm(forms.Form):
    """Staff create a campaign: what to ask, whom, until when, and how gently."""

    name = forms.CharField(max_length=200, initial="Relationship survey")
    template = forms.ModelChoiceField(
        queryset=survey_templates_active(), label="Survey", empty_label=None
    )
    target = forms.ChoiceField(
        choices=CampaignTarget.choices, widget=forms.RadioSelect, initial=CampaignTarget.ACCOUNT
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name", "id"), required=False, label="Account"
    )
    tier = forms.ChoiceField(choices=[("", "—"), *Tier.choices], required=False)
    closes_on = forms.DateField(
        label="Links work until",
        initial=_default_close,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    min_interval_days = forms.IntegerField(
        label="Skip people surveyed in the last (days)", min_value=0, max_value=3650, initial=90
    )
    max_per_period = forms.IntegerField(
        label="At most this many surveys per person a year", min_value=1, max_value=12, initial=2
    )
    max_reminders = forms.IntegerField(label="Reminders", min_value=0, max_value=5, initial=2)
    reminder_interval_days = forms.IntegerField(
        label="Days between reminders", min_value=1, max_value=60, initial=7
    )

    def closes_at(self) -> dt.datetime:
        """The end of the chosen day, in Tenure's time zone."""
        day: dt.date = self.cleaned_data["closes_on"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
