"""``{% account_feedback account as fb %}``: an account's survey summary for its page.

The account page includes ``feedback/_account_summary.html``, which calls this tag, so the
accounts view needs no change. The figures follow the same anonymity rule as everywhere.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

from tenure.accounts.models import Account
from tenure.accounts.permissions import can_manage_campaigns
from tenure.feedback.audience import reader_scope
from tenure.feedback.selectors import survey_figures

register = template.Library()

#: Latest answers shown on the account page, of each kind.
LATEST = 3


@register.simple_tag(takes_context=True)
def account_feedback(context: Context, account: Account) -> dict[str, Any]:
    """NPS, ratings, response rate and the latest answers the page's reader may see.

    The account view has checked that the reader sees the account; names follow the
    reader's role, as everywhere (``feedback.audience.reader_scope``).
    """
    scope = reader_scope(context["request"].user, account=account)
    figures = survey_figures(scope=scope, trend_quarters=1)
    return {
        "portfolio": figures.portfolio,
        "min_group": figures.min_group,
        "since": figures.scope.since,
        "response_rate": figures.response_rate,
        "imported": figures.imported,
        "items": figures.items,
        "named": figures.named[:LATEST],
        "anonymous": [c for c in figures.comments if not c.named][:LATEST],
    }


@register.filter
def manages_campaigns(user: Any) -> bool:
    """``{% if user|manages_campaigns %}``: links to campaign pages, under the pages' rule."""
    return can_manage_campaigns(user)
