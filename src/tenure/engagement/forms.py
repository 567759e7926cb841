"""Forms for logging interactions: quick to fill from the keyboard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from tenure.accounts.models import Account, Contact
from tenure.engagement.choices import InteractionKind, Sentiment


class InteractionForm(forms.Form):
    """What happened, with whom, and what comes next."""

    kind = forms.ChoiceField(label="Type", choices=InteractionKind.choices, initial="call")
    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    is_strategic = forms.BooleanField(
        label="Strategic (plans, relationship, review — not order chasing)", required=False
    )
    contacts = forms.ModelMultipleChoiceField(
        label="Their people present",
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label="Summary", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_step = forms.CharField(label="Next step", max_length=300, required=False)
    next_step_due = forms.DateField(
        label="Next step due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sentiment = forms.TypedChoiceField(
        label="Sentiment", choices=Sentiment.choices, coerce=int, initial=Sentiment.NEUTRAL
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        contacts = self.fields["contacts"]
        assert isinstance(contacts, forms.ModelMultipleChoiceField)
        contacts.queryset = Contact.objects.filter(
            positions__account=account, positions__left_on__isnull=True
        ).order_by("last_name", "first_name")
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("next_step_due") and not data.get("next_step"):
            self.add_error("next_step", "Say what the next step is, or clear its due date.")
        return data
