"""Reads of the growth area: an account's wallet and suggestions, and the whitespace grid."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account
from tenure.growth.choices import OpportunityStatus
from tenure.growth.models import Opportunity, WalletEstimate
from tenure.insights.wallet_potential import wallet_share


def account_wallet(*, account_id: int) -> WalletEstimate | None:
    """The latest peer estimate of an account's potential spend."""
    return WalletEstimate.objects.filter(account_id=account_id).order_by("-as_of").first()


@dataclass(frozen=True)
class AccountWallet:
    """What an account could spend, as the team entered it and as its peers suggest.

    Both shares come from :func:`tenure.insights.wallet_potential.wallet_share` (the peer
    estimate's when the scoring run wrote it), so every page and the API show the same
    figure, always in [0, 1].
    """

    estimate: WalletEstimate | None
    entered: Decimal | None
    entered_source: str
    entered_as_of: dt.date | None
    #: Trailing-12-month revenue of the latest estimate; ``None`` before the first run.
    revenue_t12m: Decimal | None
    entered_share: float | None
    #: The team's figure is below what the account already buys (its share is then 100 %).
    entered_below_revenue: bool


def account_wallet_summary(*, account: Account) -> AccountWallet:
    """The account's potential spend, entered and estimated, with their shares of wallet."""
    estimate = account_wallet(account_id=account.pk)
    revenue = estimate.revenue_t12m if estimate is not None else None
    entered = account.potential_annual_spend
    return AccountWallet(
        estimate=estimate,
        entered=entered,
        entered_source=account.potential_spend_source,
        entered_as_of=account.potential_spend_as_of,
        revenue_t12m=revenue,
        entered_share=wallet_share(
            float(revenue) if revenue is not None else None,
            float(entered) if entered is not None else None,
        ),
        entered_below_revenue=entered is not None and revenue is not None and entered < revenue,
    )


def account_opportunities(
    *, account_id: int, include_hidden: bool = False
) -> QuerySet[Opportunity]:
    """Suggestions for an account, best first, with those already acted on after them."""
    queryset = Opportunity.objects.filter(account_id=account_id).select_related("action")
    if not include_hidden:
        queryset = queryset.exclude(status=OpportunityStatus.SUGGESTED, shown=False)
    return queryset.order_by("status", "rank")


@dataclass(frozen=True)
class WhitespaceCell:
    """One account × category square of the grid."""

    state: str  # "bought", "suggested" (peers buy it, strong enough), or "" (neither)
    title: str


@dataclass(frozen=True)
class WhitespaceGrid:
    categories: list[str]
    rows: list[tuple[Account, list[WhitespaceCell]]]
    #: Categories bought or suggested on these rows but left out of the columns.
    hidden_categories: int = 0


def whitespace_grid(
    *,
    manager_id: int | None = None,
    visible: Q | None = None,
    limit: int = 100,
    max_categories: int = 40,
) -> WhitespaceGrid:
    """Accounts × categories for a manager's portfolio (or the key accounts): what each buys,
    and what its peers buy that it does not (only suggestions strong enough to show).

    At most ``max_categories`` columns: with SKUs as categories a portfolio buys thousands,
    and a grid that wide is unreadable (and megabytes of HTML). The columns kept are those
    with the most suggestions on these rows, then the most buyers, then by name.
    """
    portfolio = Account.objects.exclude(status="churned").filter(visible or Q())
    if manager_id:
        portfolio = portfolio.filter(
            team__user_id=manager_id, team__role=TeamRole.KEY_ACCOUNT_MANAGER
        )
    else:
        portfolio = portfolio.filter(is_key_account=True)
    accounts = list(portfolio.order_by("name")[:limit])
    ids = [a.pk for a in accounts]
    bought: dict[int, set[str]] = {pk: set() for pk in ids}
    # The latest estimate per account carries what it bought in the trailing 12 months.
    for estimate in WalletEstimate.objects.filter(account_id__in=ids).order_by(
        "account_id", "-as_of"
    ):
        if not bought[estimate.account_id]:
            bought[estimate.account_id] = set(estimate.categories)
    suggestions = {
        (o.account_id, o.category): o
        for o in Opportunity.objects.filter(account_id__in=ids, shown=True)
    }
    suggested_count = Counter(c for _, c in suggestions)
    bought_count = Counter(c for s in bought.values() for c in s)
    every = {*suggested_count, *bought_count}
    columns = sorted(every, key=lambda c: (-suggested_count[c], -bought_count[c], c))
    categories = sorted(columns[:max_categories])
    rows = []
    for account in accounts:
        cells = []
        for category in categories:
            if category in bought[account.pk]:
                cells.append(WhitespaceCell("bought", f"{account.name} buys {category}"))
            elif (account.pk, category) in suggestions:
                cells.append(
                    WhitespaceCell("suggested", suggestions[(account.pk, category)].evidence)
                )
            else:
                cells.append(WhitespaceCell("", ""))
        rows.append((account, cells))
    return WhitespaceGrid(
        categories=categories, rows=rows, hidden_categories=len(every) - len(categories)
    )
