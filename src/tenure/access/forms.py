"""Forms of the access pages."""

from __future__ import annotations

from django import forms

from tenure.access.services import DEFAULT_TOKEN_DAYS

EXPIRY_CHOICES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]


class TokenForm(forms.Form):
    """Name a new API token and choose when it expires."""

    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “ERP sync” or “notebook”."
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        choices=EXPIRY_CHOICES,
        coerce=int,
        initial=DEFAULT_TOKEN_DAYS,
    )
