"""Forms of the growth area: the team's own figure of an account's potential spend."""

from __future__ import annotations

from typing import Any

from tenure.accounts.forms import PotentialSpendForm


class PotentialForm(PotentialSpendForm):
    """Potential annual spend as the team knows it, on the growth page (shorter labels)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["potential_annual_spend"].help_text = "Leave empty to clear the team's figure."
        self.fields["potential_spend_source"].label = "Source"
        self.fields["potential_spend_as_of"].label = "As of"
        self.fields["potential_spend_as_of"].help_text = ""
