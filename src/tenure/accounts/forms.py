"""Forms for stakeholders: adding a person to an account, recording that they left."""

from __future__ import annotations

from django import forms

from tenure.accounts.choices import BuyingRole, Channel, Seniority


class StakeholderForm(forms.Form):
    """A person at the account: found by email if we know them, created otherwise."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(
        required=False, help_text="If we already know this person, their record is reused."
    )
    phone = forms.CharField(max_length=40, required=False)
    preferred_channel = forms.ChoiceField(choices=[("", "—"), *Channel.choices], required=False)
    title = forms.CharField(max_length=150, required=False)
    department = forms.CharField(max_length=100, required=False)
    buying_role = forms.ChoiceField(
        label="Buying-centre role", choices=[("", "—"), *BuyingRole.choices], required=False
    )
    seniority = forms.ChoiceField(choices=[("", "—"), *Seniority.choices], required=False)
    strength = forms.TypedChoiceField(
        label="Relationship strength",
        choices=[
            (i, f"{i} – {label}")
            for i, label in enumerate(("cold", "distant", "working", "good", "trusted"), start=1)
        ],
        coerce=int,
        initial=3,
    )
    started_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class LeftForm(forms.Form):
    """The date a person left the account."""

    left_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ContactSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search people")
