"""Leadership's portfolio page: concentration, tiers, the key-account list and its proposals,
retention, workload, NPS and the most value at risk. The proposals are a paginated queue
(``tenure.scoring.keylist_queue``) that a decision swaps in place.

It reads scoring, feedback and health together, so it is composed here; the key-list
decisions it posts are scoring's own (``tenure.scoring.views.decide``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenure.accounts.permissions import can_assign_managers, sees_all_accounts
from tenure.core.charts import pareto_curve
from tenure.feedback.selectors import portfolio_nps
from tenure.health.selectors import most_at_risk
from tenure.scoring.clv_fit_record import clv_fit_label
from tenure.scoring.keylist_queue import keylist_queue
from tenure.scoring.selectors import (
    key_accounts,
    manager_workload,
    portfolio_latest,
    portfolio_retention,
    portfolio_tiers,
    recent_decisions,
)
from tenure.web.track_record import sees_track_record

TOP_SHARES = (
    ("1", "top_1pct_share"),
    ("5", "top_5pct_share"),
    ("10", "top_10pct_share"),
    ("20", "top_20pct_share"),
)


#: Key accounts listed on the portfolio, the most revenue first.
KEY_ACCOUNTS_SHOWN = 100


def portfolio(request: HttpRequest) -> HttpResponse:
    """Leadership's view of the portfolio as of the latest scoring run."""
    if not sees_all_accounts(request.user):
        raise PermissionDenied("The portfolio is for those who see every account.")
    today = timezone.localdate()
    latest = portfolio_latest()
    if latest is None:
        return render(
            request,
            "scoring/portfolio.html",
            {"portfolio": None, "sees_track_record": sees_track_record(request.user)},
        )
    figures = latest.concentration
    # A bounded list: every key account's row took seconds to render at 4,000 of them;
    # the accounts list (filtered to key accounts) has them all, a page at a time.
    listed = key_accounts(as_of=latest.as_of)
    shown = list(listed[:KEY_ACCOUNTS_SHOWN])
    total = len(shown) if len(shown) < KEY_ACCOUNTS_SHOWN else listed.count()
    context = {
        "portfolio": latest,
        # The amounts are this run's: its own currency (and no query for the latest run's).
        "reporting_currency": latest.run.currency,
        "tiers": portfolio_tiers(portfolio=latest),
        "figures": figures,
        "top_shares": [(label, figures.get(key)) for label, key in TOP_SHARES],
        "chart": pareto_curve(
            [tuple(point) for point in latest.pareto],
            title="Share of trailing-12-month revenue held by the largest accounts",
        ),
        "key_accounts": shown,
        "key_accounts_total": total,
        "queue": keylist_queue(page=request.GET.get("qpage"), today=today),
        "decisions": list(recent_decisions()),
        "retention": portfolio_retention(as_of=latest.as_of),
        "workload": manager_workload(today=today),
        "nps": portfolio_nps(today=today),
        "at_risk": most_at_risk(threshold=0.2, limit=10),
        "can_decide": can_assign_managers(request.user),
        "clv_label": clv_fit_label(latest.run.clv_fit),
        "sees_track_record": sees_track_record(request.user),
    }
    return render(request, "scoring/portfolio.html", context)
