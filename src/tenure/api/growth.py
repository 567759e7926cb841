"""Growth: each account's share of wallet and the suggestions made for it (read-only).

Shares are read, never recomputed here: the estimate's from the scoring run, the team's
from the wallet selector, both bounded to [0, 1].

Suggestions are acted on in the app (add to plan, offered, accepted, declined); the scoring
run writes estimates and suggestions.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tenure.api.errors import READ_ERRORS
from tenure.api.guards import account_for
from tenure.api.schemas import Id
from tenure.growth.selectors import account_opportunities, account_wallet_summary
from tenure.scoring.selectors import reporting_currency_latest

router = Router(tags=["growth"])


class WalletEstimateOut(Schema):
    as_of: dt.date
    revenue_t12m: Decimal
    potential_low: Decimal | None
    potential: Decimal | None
    potential_high: Decimal | None
    share_of_wallet: float | None
    share_low: float | None
    share_high: float | None
    n_peers: int
    peer_label: str
    reason: str
    above_peers: bool
    categories: dict[str, float]


class WalletOut(Schema):
    account_id: int
    currency: str = Field(
        description="The reporting currency of every amount here: the latest run's."
    )
    potential_entered: Decimal | None
    potential_entered_source: str
    potential_entered_as_of: dt.date | None
    potential_entered_share: float | None
    potential_entered_below_revenue: bool
    estimate: WalletEstimateOut | None


class OpportunityOut(Schema):
    id: int
    category: str
    as_of: dt.date
    rank: int
    confidence: float
    peers: int
    peers_buying: int
    peer_median_spend: Decimal | None
    currency: str = Field(description="The reporting currency of peer_median_spend.")
    lift: float | None
    peer_label: str
    evidence: str
    shown: bool
    held_back: str
    status: str


@router.get("/accounts/{account_id}/wallet", response={200: WalletOut, **READ_ERRORS})
def wallet_get(request: HttpRequest, account_id: Id) -> Any:
    """Potential spend as entered by the team and as estimated from peers (with its
    interval and the peers it rests on); ``estimate`` is null before the first scoring run.

    Every potential is at least the trailing revenue and every share lies in [0, 1]; a team
    figure below what the account buys is flagged (``potential_entered_below_revenue``) and
    its share counts as 1."""
    account = account_for(request, account_id)
    wallet = account_wallet_summary(account=account)
    return {
        "account_id": account.pk,
        "currency": reporting_currency_latest(),
        "potential_entered": wallet.entered,
        "potential_entered_source": wallet.entered_source,
        "potential_entered_as_of": wallet.entered_as_of,
        "potential_entered_share": wallet.entered_share,
        "potential_entered_below_revenue": wallet.entered_below_revenue,
        "estimate": wallet.estimate,
    }


@router.get(
    "/accounts/{account_id}/opportunities", response={200: list[OpportunityOut], **READ_ERRORS}
)
def opportunity_index(request: HttpRequest, account_id: Id, include_hidden: bool = False) -> Any:
    """Suggestions for the account, best first, with their evidence and outcome; those too
    weak to show (or held back while the relationship needs repair) only on request."""
    account = account_for(request, account_id)
    return list(account_opportunities(account_id=account.pk, include_hidden=include_hidden))
