"""``{% account_feedback account as fb %}``: an account's survey summary for its page.

The account page includes ``feedback/_account_summary.html``, which calls this tag, so the
accounts view needs no change. The figures follow the same anonymity rule as everywhere.
"""

from __future__ import annotations

from typing import Any

from django import template

from tenure.access.permissions import can_manage_campaigns
from tenure.accounts.models import Account
from tenure.feedback.selectors import Scope, survey_figures

register = template.Library()

#: Latest answers shown on the account page, of each kind.
LATEST = 3


@register.simple_tag
def account_feedback(account: Account) -> dict[str, Any]:
    """NPS, ratings, response rate and the latest answers that may be shown (two queries)."""
    figures = survey_figures(Scope(account_id=account.pk), trend_quarters=1)
    return {
        "portfolio": figures.portfolio,
        "min_group": figures.min_group,
        "response_rate": figures.response_rate,
        "items": figures.items,
        "named": figures.named[:LATEST],
        "anonymous": [c for c in figures.comments if not c.respondent][:LATEST],
    }


@register.filter
def manages_campaigns(user: Any) -> bool:
    """``{% if user|manages_campaigns %}``: links to campaign pages, under the pages' rule."""
    return can_manage_campaigns(user)
