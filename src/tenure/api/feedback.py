"""Survey campaigns and answers — read-only, and only through ``tenure.feedback.selectors``.

The third-party principle of ``feedback.anonymity`` holds here as on the pages: a
respondent is named only with their consent (and never to a role without personal data),
and a group's figures are shown only with no anonymous respondent or at least the minimum
group of them (``TENURE_SURVEY_MIN_GROUP``); a hidden figure has ``hidden: true`` and no
numbers. Managers who see only their own accounts get the figures of their accounts.
"""

import datetime as dt
from collections.abc import Hashable
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tenure.accounts.choices import Tier
from tenure.accounts.permissions import (
    sees_all_accounts,
    visible_account_q,
)
from tenure.api.errors import READ_ERRORS
from tenure.api.guards import account_for, caller
from tenure.api.pagination import PageNumber
from tenure.api.schemas import Choice, Day, Id
from tenure.core.errors import NotFound
from tenure.feedback import selectors
from tenure.feedback.anonymity import ItemFigure, NpsFigure
from tenure.feedback.audience import reader_scope
from tenure.feedback.choices import CampaignStatus

router = Router(tags=["surveys"])


class CampaignOut(Schema):
    id: int
    name: str
    survey: str = Field(alias="version.template.name")
    version: int = Field(alias="version.number")
    target: str
    account_id: int | None
    tier: str
    status: str
    sent_at: dt.datetime | None
    closes_at: dt.datetime
    closed_at: dt.datetime | None
    invited: int = Field(description="Invitations emailed.")
    answered: int = Field(description="Emailed invitations answered.")
    imported: int = Field(description="Answers imported (an import records only answers).")
    created_at: dt.datetime


class CampaignFilters(Schema):
    status: Annotated[str, Choice(CampaignStatus)] | None = None
    account: Id | None = Field(None, description="Only campaigns for this account.")


class NpsOut(Schema):
    label: str
    key: str | None
    n: int = Field(description="Answers in the group, shown or not.")
    hidden: bool = Field(description="Too few anonymous answers to show the group's figures.")
    score: float | None
    low: float | None
    high: float | None
    promoters: int | None
    passives: int | None
    detractors: int | None


class ItemOut(Schema):
    key: str
    label: str
    n: int
    hidden: bool
    mean: float | None


class ResponseRateOut(Schema):
    invited: int = Field(description="Invitations emailed in the window.")
    answered: int = Field(description="Of those, how many were answered.")
    rate: float | None
    imported: int = Field(
        description="Answers imported in the window, not in the rate: an import records "
        "only the people who answered."
    )


class FiguresOut(Schema):
    min_group: int
    since: dt.date
    until: dt.date | None
    portfolio: NpsOut
    by_tier: list[NpsOut]
    by_manager: list[NpsOut]
    by_account: list[NpsOut]
    trend: list[NpsOut]
    items: list[ItemOut]
    response_rate: ResponseRateOut


class ScopeFilters(Schema):
    account: Id | None = None
    tier: Annotated[str, Choice(Tier)] | None = None
    manager: Id | None = Field(None, description="The key account manager's user id.")
    since: Day | None = Field(None, description="Default: 365 days ago.")
    until: Day | None = None


class AnsweredOut(Schema):
    campaign: str
    account: str
    tier: str
    answered: str = Field(description="The day for named answers, the quarter for anonymous.")
    respondent: str | None = Field(description="Only for people who agreed to be named.")
    nps: int | None
    answers: dict[str, int | str | None]


def _key(value: Hashable) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _nps(figure: NpsFigure) -> dict[str, Any]:
    result = figure.result
    return {
        "label": figure.label,
        "key": _key(figure.key),
        "n": figure.n,
        "hidden": figure.hidden,
        "score": result.score if result else None,
        "low": result.low if result else None,
        "high": result.high if result else None,
        "promoters": result.promoters if result else None,
        "passives": result.passives if result else None,
        "detractors": result.detractors if result else None,
    }


def _item(figure: ItemFigure) -> dict[str, Any]:
    summary = figure.summary
    return {
        "key": figure.key,
        "label": figure.label,
        "n": figure.n,
        "hidden": figure.hidden,
        "mean": summary.mean if summary else None,
    }


def _scope(request: HttpRequest, filters: ScopeFilters) -> selectors.Scope:
    """The answers the caller may read (``feedback.audience.reader_scope``, as the pages)."""
    return reader_scope(
        caller(request),
        account_id=filters.account,
        tier=filters.tier or "",
        manager_id=filters.manager,
        since=filters.since,
        until=filters.until,
    )


def _campaigns(request: HttpRequest) -> Any:
    user = caller(request)
    campaigns = selectors.campaign_list()
    if not sees_all_accounts(user):
        campaigns = campaigns.filter(Q(account__isnull=True) | visible_account_q(user, "account__"))
    return campaigns


@router.get("/surveys/campaigns", response={200: list[CampaignOut], **READ_ERRORS})
@paginate(PageNumber)
def campaign_index(request: HttpRequest, filters: Query[CampaignFilters]) -> Any:
    """Survey campaigns, newest first, with how many were invited and answered."""
    campaigns = _campaigns(request)
    if filters.status:
        campaigns = campaigns.filter(status=filters.status)
    if filters.account is not None:
        account_for(request, filters.account)
        campaigns = campaigns.filter(account_id=filters.account)
    return campaigns.order_by("-created_at", "-id")


@router.get("/surveys/campaigns/{campaign_id}", response={200: CampaignOut, **READ_ERRORS})
def campaign_get(request: HttpRequest, campaign_id: Id) -> Any:
    """One campaign."""
    campaign = _campaigns(request).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} does not exist", field="id")
    return campaign


@router.get("/surveys/figures", response={200: FiguresOut, **READ_ERRORS})
def figures_get(request: HttpRequest, filters: Query[ScopeFilters]) -> Any:
    """NPS by portfolio, tier, manager, account and quarter, and the rating items."""
    figures = selectors.survey_figures(scope=_scope(request, filters))
    assert figures.scope.since is not None
    return {
        "min_group": figures.min_group,
        "since": figures.scope.since,
        "until": figures.scope.until,
        "portfolio": _nps(figures.portfolio),
        "by_tier": [_nps(f) for f in figures.by_tier],
        "by_manager": [_nps(f) for f in figures.by_manager],
        "by_account": [_nps(f) for f in figures.by_account],
        "trend": [_nps(f) for f in figures.trend],
        "items": [_item(f) for f in figures.items],
        "response_rate": {
            "invited": figures.response_rate.invited,
            "answered": figures.response_rate.answered,
            "rate": figures.response_rate.rate,
            "imported": figures.imported,
        },
    }


@router.get("/surveys/responses", response={200: list[AnsweredOut], **READ_ERRORS})
@paginate(PageNumber)
def response_index(request: HttpRequest, filters: Query[ScopeFilters]) -> Any:
    """Answers that may be shown one by one: named ones, and anonymous ones of shown groups.

    The same rows as the figures page's CSV export. Anonymous answers carry the quarter,
    not the day, and no name.
    """
    header, rows = selectors.export_rows(scope=_scope(request, filters))
    keys = header[6:]
    answered = []
    for row in rows:
        campaign, account, tier, when, respondent, nps, *values = row
        answered.append(
            {
                "campaign": campaign,
                "account": account,
                "tier": tier,
                "answered": when,
                "respondent": respondent or None,
                "nps": nps if isinstance(nps, int) else None,
                "answers": {
                    key: value for key, value in zip(keys, values, strict=True) if value != ""
                },
            }
        )
    return answered
