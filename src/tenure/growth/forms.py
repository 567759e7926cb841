"""Forms of the growth area: the team's own figure of an account's potential spend."""

from __future__ import annotations

from django import forms

from tenure.accounts.models import Account


class PotentialForm(forms.Form):
    """Potential annual spend as the team knows it, with where it comes from and when.

    The bounds are the model field's own validators, so the page, the API and imports
    refuse the same figures.
    """

    potential_annual_spend = forms.DecimalField(
        label="Potential spend a year",
        required=False,
        max_digits=16,
        decimal_places=2,
        validators=Account._meta.get_field("potential_annual_spend").validators,
        help_text="Leave empty to clear the team's figure.",
    )
    potential_spend_source = forms.CharField(
        label="Source", max_length=200, required=False, help_text="e.g. buyer, at the QBR"
    )
    potential_spend_as_of = forms.DateField(
        label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
