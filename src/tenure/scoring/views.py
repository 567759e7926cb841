"""The portfolio page: concentration, tiers, the key-account list and its proposals."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenure.access.permissions import can_assign_managers, sees_all_accounts
from tenure.accounts.models import Account
from tenure.core.charts import pareto_curve
from tenure.core.errors import DomainError
from tenure.feedback.figures import survey_figures
from tenure.scoring.choices import DecisionOutcome, KeyListAction
from tenure.scoring.health_selectors import by_value_at_risk
from tenure.scoring.selectors import (
    key_accounts,
    keylist_candidates,
    manager_workload,
    portfolio_latest,
    portfolio_retention,
    portfolio_tiers,
    recent_decisions,
)
from tenure.scoring.services import keylist_decide

TOP_SHARES = (
    ("1", "top_1pct_share"),
    ("5", "top_5pct_share"),
    ("10", "top_10pct_share"),
    ("20", "top_20pct_share"),
)


def portfolio(request: HttpRequest) -> HttpResponse:
    """Leadership's view of the portfolio as of the latest scoring run."""
    if not sees_all_accounts(request.user):
        raise PermissionDenied("The portfolio is for those who see every account.")
    latest = portfolio_latest()
    if latest is None:
        return render(request, "scoring/portfolio.html", {"portfolio": None})
    figures = latest.concentration
    candidates = list(keylist_candidates(as_of=latest.as_of))
    context = {
        "portfolio": latest,
        # The amounts are this run's: its own currency (and no query for the latest run's).
        "reporting_currency": latest.run.currency,
        "tiers": portfolio_tiers(latest),
        "figures": figures,
        "top_shares": [(label, figures.get(key)) for label, key in TOP_SHARES],
        "chart": pareto_curve(
            [tuple(point) for point in latest.pareto],
            title="Share of trailing-12-month revenue held by the largest accounts",
        ),
        "key_accounts": list(key_accounts(as_of=latest.as_of)),
        "promotions": [c for c in candidates if c.keylist_action == KeyListAction.PROMOTE],
        "demotions": [c for c in candidates if c.keylist_action == KeyListAction.DEMOTE],
        "decisions": list(recent_decisions()),
        "retention": portfolio_retention(as_of=latest.as_of),
        "workload": manager_workload(today=timezone.localdate()),
        "nps": survey_figures().portfolio,
        "at_risk": list(
            by_value_at_risk(Account.objects.exclude(status="churned")).filter(churn_risk__gte=0.2)[
                :10
            ]
        ),
        "can_decide": can_assign_managers(request.user),
    }
    return render(request, "scoring/portfolio.html", context)


@require_POST
def decide(request: HttpRequest, account_id: int) -> HttpResponse:
    """Accept or reject a proposed key-list change; a reason is required."""
    if not can_assign_managers(request.user):
        raise PermissionDenied("Only a director decides on the key-account list.")
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    account = get_object_or_404(Account, pk=account_id)
    action = request.POST.get("action", "")
    outcome = request.POST.get("outcome", "")
    try:
        keylist_decide(
            account=account,
            action=action,
            outcome=outcome,
            decided_by=request.user,
            reason=request.POST.get("reason", ""),
            on=timezone.localdate(),
        )
    except DomainError as error:
        messages.error(request, f"{account.name}: {error.message}")
    else:
        verbs: dict[tuple[str, str], str] = {
            (KeyListAction.PROMOTE, DecisionOutcome.ACCEPTED): "is now a key account",
            (KeyListAction.DEMOTE, DecisionOutcome.ACCEPTED): "is no longer a key account",
        }
        verb = verbs.get((action, outcome), "stays as it is; the decision is recorded")
        messages.success(request, f"{account.name} {verb}.")
    return redirect("scoring:portfolio")
