""" "My accounts": the home page's list, ranked by what needs the manager first.

The ranking reads three apps (engagement's contacts and follow-ups, planning's actions and
issues, health's value at risk), so it is one selector here, above them, instead of three
pieces the page had to chain in the right order.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import F, QuerySet

from tenure.accounts.models import Account
from tenure.accounts.permissions import visible_account_q
from tenure.engagement.selectors import AttentionFilters, attention_list
from tenure.health.models import AccountHealth
from tenure.health.selectors import with_health


def ranked_accounts(
    *, user: User, today: dt.date, filters: AttentionFilters | None = None
) -> tuple[QuerySet[Account], bool]:
    """The accounts ``user`` works on and may see, most urgent first, and whether health is scored.

    Each account carries the attention annotations (overdue actions, follow-up due, open
    issues, last strategic contact, next touchpoint, manager) and the health ones (health
    score, churn risk, lifetime value, value at risk). Once any health is scored, the most
    value at risk comes first and the attention order breaks ties; before that, the
    attention order alone.
    """
    accounts = attention_list(user=user, today=today, filters=filters).filter(
        visible_account_q(user)
    )
    urgency = accounts.query.order_by
    scored = AccountHealth.objects.exists()
    ranked = with_health(accounts)
    if scored:
        ranked = ranked.order_by(F("value_at_risk").desc(nulls_last=True), *urgency)
    return ranked, scored
