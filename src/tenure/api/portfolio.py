"""Portfolio figures: live counts over the accounts the caller may see, and the latest
scoring run's concentration, tier table and Pareto curve.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, Router, Schema

from tenure.accounts.choices import AccountStatus, Tier
from tenure.accounts.permissions import sees_all_accounts, visible_account_q, visible_accounts
from tenure.api.errors import READ_ERRORS
from tenure.api.guards import caller
from tenure.planning.models import Milestone
from tenure.scoring.selectors import portfolio_latest, portfolio_tiers

router = Router(tags=["portfolio"])


class PortfolioFigures(Schema):
    accounts: int
    key_accounts: int
    by_status: dict[str, int] = Field(description="Accounts per status.")
    by_tier: dict[str, int] = Field(description="Accounts per tier; '' for not yet tiered.")
    accounts_with_open_issues: int
    open_issues: int


class PortfolioSnapshotOut(Schema):
    as_of: dt.date
    ledger_through: dt.date | None = Field(
        description="The ledger's last order day: ledger figures count to it, not to as_of."
    )
    ledger_stale: bool = Field(
        description="True when the ledger's last order is more than a week before as_of."
    )
    run_id: int
    currency: str = Field(
        description="The reporting currency of every amount here (tier revenue): the run's."
    )
    concentration: dict[str, Any]
    tiers: list[dict[str, Any]] = Field(
        description="Per tier: accounts, revenue and share as of the run; key accounts as the "
        "list stands now."
    )
    pareto: list[list[float]] = Field(
        description="Points (cumulative account share, cumulative revenue share)."
    )
    clv_fit: dict[str, Any] = Field(
        description="The run's CLV transaction model: model, params, standard_errors, "
        "identified, reasons (why not), fallback and what else was tried; {} before 2026-12."
    )


class PortfolioOut(Schema):
    figures: PortfolioFigures
    snapshot: PortfolioSnapshotOut | None = Field(
        description="The latest scoring run's figures; null before the first run, and for "
        "managers who see only their own accounts."
    )


def _figures(user: Any) -> dict[str, Any]:
    counts = visible_accounts(user).aggregate(
        accounts=Count("id"),
        key_accounts=Count("id", filter=Q(is_key_account=True)),
        **{f"status_{s}": Count("id", filter=Q(status=s)) for s in AccountStatus.values},
        **{f"tier_{t}": Count("id", filter=Q(tier=t)) for t in [*Tier.values, ""]},
    )
    issues = (
        Milestone.objects.open_issues()
        .filter(visible_account_q(user, "account__"))
        .aggregate(open_issues=Count("id"), accounts=Count("account_id", distinct=True))
    )
    return {
        "accounts": counts["accounts"],
        "key_accounts": counts["key_accounts"],
        "by_status": {s: counts[f"status_{s}"] for s in AccountStatus.values},
        "by_tier": {t: counts[f"tier_{t}"] for t in [*Tier.values, ""]},
        "accounts_with_open_issues": issues["accounts"],
        "open_issues": issues["open_issues"],
    }


@router.get("/portfolio", response={200: PortfolioOut, **READ_ERRORS})
def portfolio_get(request: HttpRequest) -> Any:
    """Counts over the caller's accounts, and the portfolio's concentration."""
    user = caller(request)
    latest = portfolio_latest() if sees_all_accounts(user) else None
    snapshot = None
    if latest is not None:
        snapshot = {
            "as_of": latest.as_of,
            "ledger_through": latest.run.ledger_through,
            "ledger_stale": latest.run.freshness.stale,
            "run_id": latest.run_id,
            "currency": latest.run.currency,
            "concentration": latest.concentration,
            "tiers": portfolio_tiers(portfolio=latest),
            "pareto": [list(point) for point in latest.pareto],
            "clv_fit": latest.run.clv_fit,
        }
    return {"figures": _figures(user), "snapshot": snapshot}
