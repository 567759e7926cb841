"""Scores: each account's figures as the latest scoring run wrote them (snapshots).

Read-only: snapshots are written by ``tenure score``, never through the API.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tenure.accounts.choices import Tier
from tenure.accounts.permissions import visible_account_q
from tenure.api.errors import READ_ERRORS
from tenure.api.guards import account_for, caller
from tenure.api.pagination import PageNumber
from tenure.api.schemas import Choice, Id
from tenure.core.errors import NotFound
from tenure.core.paging import PagedRows
from tenure.scoring.choices import KeyListAction
from tenure.scoring.models import AccountSnapshot, KeyListDecision
from tenure.scoring.selectors import (
    account_latest_snapshot,
    latest_snapshot_keys,
    with_open_proposal,
)

router = Router(tags=["scores"])


class SnapshotOut(Schema):
    account_id: int
    account_name: str = Field(alias="account.name")
    as_of: dt.date
    currency: str = Field(
        alias="run.currency",
        description="The reporting currency of every amount here (revenue, order value): "
        "the scoring run's; '' for runs made before currencies were recorded.",
    )
    first_order_date: dt.date | None
    last_order_date: dt.date | None
    orders: int
    revenue_total: Decimal
    revenue_t12m: Decimal
    revenue_prev12m: Decimal
    growth: float | None
    product_breadth: int
    avg_order_value: Decimal | None
    median_interval_days: float | None
    returns_share: float | None
    days_since_last_order: int | None
    tier: str
    revenue_rank: int | None
    revenue_share: float | None
    cumulative_share: float | None
    qualification_score: float | None
    qualification_coverage: float | None
    qualification_contributions: dict[str, Any]
    qualification_version: str
    keylist_action: str
    keylist_reasons: list[Any]
    keylist_over_cap: bool
    keylist_open: bool = Field(
        description="The proposal still awaits a decision: false once someone accepted or "
        "rejected it, or the key-account list already says what it proposed."
    )


class SnapshotFilters(Schema):
    tier: Annotated[str, Choice(Tier)] | None = None
    keylist_action: Annotated[str, Choice(KeyListAction)] | None = Field(
        None, description="Only accounts the run proposes to promote or demote."
    )


@router.get("/scores", response={200: list[SnapshotOut], **READ_ERRORS})
@paginate(PageNumber)
def score_index(request: HttpRequest, filters: Query[SnapshotFilters]) -> Any:
    """The newest snapshot of every account the caller may see, by revenue rank."""
    snapshots = latest_snapshot_keys(user=caller(request))
    if filters.tier:
        snapshots = snapshots.filter(tier=filters.tier)
    if filters.keylist_action:
        snapshots = snapshots.filter(keylist_action=filters.keylist_action)
    # Sorted and counted on the snapshots' own columns, each page loaded with its account,
    # run and open proposal: sorting the full rows of 50,000 snapshots took 200 ms, and the
    # open proposal's join to the account stayed in the count (130 ms on SQLite).
    return PagedRows(
        snapshots,
        lambda ids: with_open_proposal(
            snapshots=AccountSnapshot.objects.filter(pk__in=ids)
        ).select_related("account", "run"),
    )


@router.get("/accounts/{account_id}/score", response={200: SnapshotOut, **READ_ERRORS})
def score_get(request: HttpRequest, account_id: Id) -> Any:
    """The account's newest snapshot (404 before its first scoring run)."""
    account = account_for(request, account_id)
    snapshot = account_latest_snapshot(account_id=account.pk)
    if snapshot is None:
        raise NotFound(f"account {account.pk} has not been scored yet", field="account_id")
    snapshot.account = account
    return snapshot


@router.get("/accounts/{account_id}/scores", response={200: list[SnapshotOut], **READ_ERRORS})
@paginate(PageNumber)
def score_history(request: HttpRequest, account_id: Id) -> Any:
    """The account's snapshots, newest first: how its figures moved run after run."""
    account = account_for(request, account_id)
    return (
        with_open_proposal(snapshots=AccountSnapshot.objects.filter(account=account))
        .select_related("account", "run")
        .order_by("-as_of")
    )


class DecisionOut(Schema):
    id: int
    account_id: int
    account_name: str = Field(alias="account.name")
    action: str
    outcome: str
    decided_by: str = Field(alias="decided_by.username")
    reason: str
    evidence: list[Any]
    snapshot_as_of: dt.date | None
    created_at: dt.datetime


@router.get("/scores/decisions", response={200: list[DecisionOut], **READ_ERRORS})
@paginate(PageNumber)
def decision_index(request: HttpRequest) -> Any:
    """Decisions on proposed key-account list changes, newest first, with their reasons."""
    return (
        KeyListDecision.objects.filter(visible_account_q(caller(request), "account__"))
        .select_related("account", "decided_by")
        .order_by("-created_at", "-id")
    )
