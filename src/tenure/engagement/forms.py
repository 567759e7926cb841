"""Forms for logging interactions: quick to fill from the keyboard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from tenure.accounts.models import Account, Contact
from tenure.engagement.choices import InteractionKind, Sentiment, TouchpointKind
from tenure.engagement.models import Interaction, Touchpoint


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


class InteractionEditForm(InteractionForm):
    """Correct a logged interaction: the log form, with its outcome, starting from what it says."""

    outcome = forms.CharField(
        label="Outcome", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, account: Account, interaction: Interaction, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "kind": interaction.kind,
                "occurred_at": timezone.localtime(interaction.occurred_at).replace(
                    second=0, microsecond=0
                ),
                "is_strategic": interaction.is_strategic,
                "contacts": list(interaction.contacts.all()),
                "summary": interaction.summary,
                "outcome": interaction.outcome,
                "next_step": interaction.next_step,
                "next_step_due": interaction.next_step_due,
                "sentiment": interaction.sentiment,
            },
        )
        super().__init__(*args, account=account, **kwargs)
        self.fields["occurred_at"].initial = None
        contacts = self.fields["contacts"]
        assert isinstance(contacts, forms.ModelMultipleChoiceField)
        # People who have left since stay tickable on the interaction they were at.
        contacts.queryset = (
            Contact.objects.filter(positions__account=account)
            .distinct()
            .order_by("last_name", "first_name")
        )


_DATE = forms.DateInput(attrs={"type": "date"})


class TouchpointForm(forms.Form):
    """Plan a touchpoint: when, what, with whom."""

    scheduled_on = forms.DateField(label="Date", widget=_DATE)
    kind = forms.ChoiceField(label="Kind", choices=TouchpointKind.choices, initial="meeting")
    title = forms.CharField(label="Title", max_length=200, required=False)
    contact = forms.ModelChoiceField(
        label="With", queryset=Contact.objects.none(), required=False, empty_label="(nobody named)"
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        # Its own ids: the account page also holds the log form, with its own "kind".
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = (
            Contact.objects.filter(positions__account=account, positions__left_on__isnull=True)
            .distinct()
            .order_by("last_name", "first_name")
        )


class TouchpointRescheduleForm(forms.Form):
    """Move a planned touchpoint."""

    scheduled_on = forms.DateField(label="New date", widget=_DATE)


class TouchpointSkipForm(forms.Form):
    """Skip a planned touchpoint, saying why."""

    reason = forms.CharField(label="Why is it skipped?", max_length=300)


class _InteractionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = timezone.localtime(obj.occurred_at)
        return f"{when.day} {when:%b %Y} · {obj.get_kind_display()}"


class TouchpointCompleteForm(forms.Form):
    """Mark a touchpoint done, linked to an interaction already logged, or to none."""

    interaction = _InteractionChoice(
        label="Logged as",
        queryset=Interaction.objects.none(),
        required=False,
        empty_label="(not logged)",
    )

    def __init__(self, *args: Any, touchpoint: Touchpoint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interaction = self.fields["interaction"]
        assert isinstance(interaction, forms.ModelChoiceField)
        recent = Interaction.objects.filter(account_id=touchpoint.account_id).values_list(
            "pk", flat=True
        )[:20]
        interaction.queryset = Interaction.objects.filter(pk__in=list(recent))


class CalendarTouchpointForm(forms.Form):
    """Plan a touchpoint from the calendar: at which account, when, what."""

    account = forms.ModelChoiceField(label="Account", queryset=Account.objects.none())
    scheduled_on = forms.DateField(label="Date", widget=_DATE)
    kind = forms.ChoiceField(label="Kind", choices=TouchpointKind.choices, initial="meeting")
    title = forms.CharField(label="Title", max_length=200, required=False)

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        account = self.fields["account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = accounts.order_by("name")
