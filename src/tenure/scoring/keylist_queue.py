"""The key-list proposals as a queue: a page of open proposals and the caps they count against.

The portfolio page shows it, and a decision (one, or several with one reason) answers with
it again, so a decided proposal leaves the queue at once and the next one moves up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from tenure.accounts.models import Account
from tenure.scoring.models import AccountSnapshot, ScoringSettings
from tenure.scoring.selectors import keylist_candidates, portfolio_latest
from tenure.scoring.services import promotions_accepted_since, quarter_start

PAGE_SIZE = 20


@dataclass(frozen=True)
class KeyListQueue:
    """One page of open proposals, the list's size against its cap, and this quarter's
    accepted promotions against theirs."""

    page: Page[AccountSnapshot]
    as_of: dt.date
    currency: str
    key_accounts: int
    max_key_accounts: int
    promoted_this_quarter: int
    max_additions_per_period: int

    @property
    def over_cap(self) -> bool:
        return self.key_accounts >= self.max_key_accounts

    @property
    def quarter_full(self) -> bool:
        return self.promoted_this_quarter >= self.max_additions_per_period


def keylist_queue(*, page: str | int | None, today: dt.date) -> KeyListQueue | None:
    """Page ``page`` of the open proposals of the latest run, or None before any run.

    A page past the end shows the last one (the queue shrinks as decisions are made).
    """
    latest = portfolio_latest()
    if latest is None:
        return None
    # Read, never saved here: a GET writes nothing (the defaults until someone sets them).
    policy = ScoringSettings.objects.first() or ScoringSettings()
    return KeyListQueue(
        page=Paginator(keylist_candidates(as_of=latest.as_of), PAGE_SIZE).get_page(page),
        as_of=latest.as_of,
        currency=latest.run.currency,
        key_accounts=Account.objects.filter(is_key_account=True).count(),
        max_key_accounts=policy.max_key_accounts,
        promoted_this_quarter=promotions_accepted_since(quarter_start(today)),
        max_additions_per_period=policy.max_additions_per_period,
    )
