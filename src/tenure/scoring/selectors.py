"""Reads of scoring results that pages, the API and the CLI share."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tenure.scoring.models import AccountSnapshot, KeyListDecision, PortfolioSnapshot, RevenueSeries


def portfolio_latest() -> PortfolioSnapshot | None:
    """The newest portfolio snapshot, or None before the first scoring run."""
    return PortfolioSnapshot.objects.select_related("run").first()


def snapshots_for(*, as_of: dt.date) -> QuerySet[AccountSnapshot]:
    """All account snapshots of a date, with their account and its manager loaded."""
    return AccountSnapshot.objects.filter(as_of=as_of).select_related("account")


def keylist_candidates(*, as_of: dt.date) -> QuerySet[AccountSnapshot]:
    """Snapshots proposing a promotion or a demotion, promotions first, best first."""
    return (
        snapshots_for(as_of=as_of)
        .exclude(keylist_action="")
        .order_by("keylist_over_cap", "-keylist_action", "revenue_rank")
    )


def key_accounts(*, as_of: dt.date) -> QuerySet[AccountSnapshot]:
    """The key-account list with each account's snapshot for the date."""
    return snapshots_for(as_of=as_of).filter(account__is_key_account=True).order_by("revenue_rank")


def account_latest_snapshot(*, account_id: int) -> AccountSnapshot | None:
    return AccountSnapshot.objects.filter(account_id=account_id).order_by("-as_of").first()


def account_series(*, account_id: int) -> RevenueSeries | None:
    return RevenueSeries.objects.filter(account_id=account_id).first()


def recent_decisions(limit: int = 20) -> QuerySet[KeyListDecision]:
    return KeyListDecision.objects.select_related("account", "decided_by")[:limit]
