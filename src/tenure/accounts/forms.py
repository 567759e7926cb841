"""Forms of the accounts area: stakeholders, departures, the profile and the team."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from tenure.accounts.choices import BuyingRole, Channel, Seniority, TeamRole
from tenure.accounts.models import Account


class StakeholderForm(forms.Form):
    """A person at the account: found by email if we know them, created otherwise.

    Also the form that corrects a position and the person's details (``for_position``).
    """

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

    PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_channel")
    POSITION_FIELDS = ("title", "department", "buying_role", "seniority", "strength", "started_on")

    @classmethod
    def for_position(cls, position: Any, data: Any = None) -> StakeholderForm:
        """The form filled with a position and its person, for correcting them."""
        contact = position.contact
        initial = {name: getattr(contact, name) or "" for name in cls.PERSON_FIELDS}
        initial.update({name: getattr(position, name) for name in cls.POSITION_FIELDS})
        return cls(data, initial=initial)


class LeftForm(forms.Form):
    """The date a person left the account."""

    left_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ContactSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search people")


class PotentialSpendForm(forms.Form):
    """What the account could spend with us in a year, where the figure comes from and when.

    The bounds are the model field's own validators, so every page, the API and imports
    refuse the same figures. The profile and the growth page both ask for it.
    """

    potential_annual_spend = forms.DecimalField(
        label="Potential spend a year",
        required=False,
        max_digits=16,
        decimal_places=2,
        validators=Account._meta.get_field("potential_annual_spend").validators,
        help_text="In the reporting currency. Leave empty to clear the team's figure.",
    )
    potential_spend_source = forms.CharField(
        label="Source of the potential",
        max_length=200,
        required=False,
        help_text="e.g. buyer, at the QBR",
    )
    potential_spend_as_of = forms.DateField(
        label="Potential as of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: today.",
    )


class ProfileForm(PotentialSpendForm):
    """The account profile the team keeps by hand: what the ledger cannot tell."""

    is_seasonal = forms.BooleanField(label="Seasonal business", required=False)
    seasonal_notes = forms.CharField(
        label="Seasonal notes",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="When the peaks and quiet months fall, and what drives them.",
    )
    has_international_presence = forms.BooleanField(label="International presence", required=False)
    is_entering_new_markets = forms.BooleanField(label="Entering new markets", required=False)
    customer_objectives = forms.CharField(
        label="The customer's objectives",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    culture = forms.CharField(
        label="Culture",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How they decide and how they work with suppliers.",
    )
    pain_points = forms.CharField(
        label="Pain points",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    TEXT_FIELDS = (
        "is_seasonal",
        "seasonal_notes",
        "has_international_presence",
        "is_entering_new_markets",
        "customer_objectives",
        "culture",
        "pain_points",
    )

    @classmethod
    def for_account(cls, account: Account) -> ProfileForm:
        """The form filled with the account's current profile."""
        initial = {name: getattr(account, name) for name in cls.TEXT_FIELDS}
        initial["potential_annual_spend"] = account.potential_annual_spend
        initial["potential_spend_source"] = account.potential_spend_source
        initial["potential_spend_as_of"] = account.potential_spend_as_of
        return cls(initial=initial)


class PersonChoiceField(forms.ModelChoiceField):
    """Users by their full name (their user name when they have none)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class TeamMemberForm(forms.Form):
    """A user and the role they take on the account's team."""

    user = PersonChoiceField(
        label="Person", queryset=User.objects.none(), empty_label="Choose a person…"
    )
    role = forms.ChoiceField(label="Role", choices=TeamRole.choices)

    def __init__(self, *args: Any, may_appoint_manager: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )
        if not may_appoint_manager:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [
                (value, label)
                for value, label in TeamRole.choices
                if value != TeamRole.KEY_ACCOUNT_MANAGER
            ]
            role_field.help_text = "A director appoints the key account manager."


class HandoverForm(forms.Form):
    """Who takes over as the account's key account manager."""

    user = PersonChoiceField(
        label="New key account manager",
        queryset=User.objects.none(),
        empty_label="Choose a person…",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )
