"""One page per account: what every app knows about it, and who is missing around the table.

The page is where the apps meet (stakeholders, interactions, plans, revenue, health, wallet,
opportunities, audit), so it is composed here, above them, instead of inside ``accounts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from tenure.accounts.choices import BuyingRole
from tenure.accounts.models import Account, Contact, Position, TeamMembership
from tenure.accounts.permissions import account_guard, can_edit_account, can_see_personal_data
from tenure.audit.selectors import account_audit
from tenure.core.charts import monthly_bars
from tenure.core.http import AuthenticatedHttpRequest
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.forms import InteractionForm
from tenure.engagement.models import Touchpoint
from tenure.engagement.selectors import (
    account_interactions,
    last_strategic_contact,
    positions_with_last_contact,
)
from tenure.growth.selectors import account_opportunities, account_wallet_summary
from tenure.health.selectors import account_health_panel, what_if_contact_left
from tenure.planning.models import AccountPlan, Action, Milestone, Objective
from tenure.scoring.selectors import account_latest_snapshot, account_series

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _DetailAttributes(TypedDict):
        planned_touchpoints: list[Touchpoint]

    #: An account from ``account_detail``, its planned touchpoints loaded as a list.
    AccountDetail = WithAnnotations[Account, _DetailAttributes]


def account_detail(*, pk: int) -> AccountDetail:
    """One account with its team, positions, plans, milestones and touchpoints loaded.

    Interactions are paged separately (``account_interactions``): an old key account
    can have thousands.
    """
    plans = AccountPlan.objects.select_related("owner").prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.prefetch_related("goals").order_by("id")),
        Prefetch("actions", queryset=_actions_queryset()),
    )
    # cast: the stubs do not follow Prefetch(to_attr=...).
    return cast(
        "AccountDetail",
        Account.objects.select_related("parent")
        .prefetch_related(
            Prefetch("team", queryset=TeamMembership.objects.select_related("user")),
            Prefetch(
                "positions",
                queryset=positions_with_last_contact(),
            ),
            Prefetch("plans", queryset=plans),
            Prefetch("milestones", queryset=Milestone.objects.all()),
            Prefetch(
                "touchpoints",
                queryset=Touchpoint.objects.filter(status=TouchpointStatus.PLANNED)
                .select_related("owner", "contact")
                .order_by("scheduled_on", "id"),
                to_attr="planned_touchpoints",
            ),
            "subsidiaries",
        )
        .get(pk=pk),
    )


def _actions_queryset() -> QuerySet[Action]:
    return Action.objects.select_related("owner", "goal").order_by("due_on", "id")


#: The roles a key relationship needs engaged; the others are nice to have.
NEEDED_ROLES = frozenset({"decision_maker", "economic_buyer", "champion"})


@dataclass(frozen=True)
class Coverage:
    """Who is engaged at the account today, by buying role, and which needed roles nobody holds."""

    active: list[Position]
    former: list[Position]
    by_role: list[tuple[str, list[Position]]]
    gaps: list[str]

    @property
    def single_threaded(self) -> bool:
        return len(self.active) == 1

    @property
    def gaps_text(self) -> str:
        """``nobody engaged as economic buyer or as champion``: each missing role named on its
        own, so "no economic buyer, champion engaged" cannot read as "a champion is engaged"."""
        roles = [label.lower() for label in self.gaps]
        if not roles:
            return ""
        if len(roles) == 1:
            return f"nobody engaged as {roles[0]}"
        return f"nobody engaged as {', as '.join(roles[:-1])} or as {roles[-1]}"

    @property
    def departments(self) -> list[str]:
        return sorted({p.department for p in self.active if p.department})


def coverage(positions: Sequence[Position]) -> Coverage:
    """The coverage of an account from all its positions, current and ended."""
    active = [p for p in positions if p.left_on is None]
    covered = {p.buying_role for p in active}
    gaps = [
        label for role, label in BuyingRole.choices if role in NEEDED_ROLES and role not in covered
    ]
    by_role = [
        (label, [p for p in active if p.buying_role == role])
        for role, label in [*BuyingRole.choices, ("", "No role recorded")]
    ]
    return Coverage(
        active=active,
        former=[p for p in positions if p.left_on is not None],
        by_role=[(label, people) for label, people in by_role if people],
        gaps=gaps,
    )


def account_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything about one account on one page."""
    try:
        account = account_detail(pk=pk)
    except Account.DoesNotExist as missing:
        raise Http404("No such account") from missing
    account_guard(request, account, write=False)
    interactions = Paginator(account_interactions(account=account), 20).get_page(
        request.GET.get("page")
    )
    snapshot = account_latest_snapshot(account_id=account.pk)
    series = account_series(account_id=account.pk)
    chart = (
        monthly_bars(
            series.first_month,
            series.values,
            title=f"Monthly revenue of {account.name}",
            currency=snapshot.run.currency if snapshot is not None else "",
        )
        if series is not None
        else None
    )
    stakeholders = coverage(list(account.positions.all()))
    context = {
        "account": account,
        "interactions": interactions,
        "active_positions": stakeholders.active,
        "former_positions": stakeholders.former,
        "single_threaded": stakeholders.single_threaded,
        "coverage_gaps": stakeholders.gaps,
        "coverage_gaps_text": stakeholders.gaps_text,
        "stakeholders_by_role": stakeholders.by_role,
        "departments": stakeholders.departments,
        "team": list(account.team.all()),
        "plans": list(account.plans.all()),
        "milestones": list(account.milestones.all()),
        "touchpoints": account.planned_touchpoints,
        "snapshot": snapshot,
        **({"reporting_currency": snapshot.run.currency} if snapshot is not None else {}),
        "last_strategic": last_strategic_contact(account=account),
        "wallet": account_wallet_summary(account=account),
        "health_panel": account_health_panel(account.pk),
        "audit_events": account_audit(account_id=account.pk),
        "opportunities": list(account_opportunities(account_id=account.pk)),
        "form": InteractionForm(account=account),
        "can_edit": can_edit_account(request.user, account),
        "redact": not can_see_personal_data(request.user),
        "revenue_chart": chart,
    }
    return render(request, "accounts/detail.html", context)


def what_if_left(request: AuthenticatedHttpRequest, pk: int, contact_id: int) -> HttpResponse:
    """The health and risk the account would have without this contact."""
    account = get_object_or_404(Account, pk=pk)
    account_guard(request, account, write=False)
    contact = get_object_or_404(Contact, pk=contact_id, positions__account=account)
    context = {
        "account": account,
        "contact": contact,
        "what_if": what_if_contact_left(
            account, contact, snapshot=account_latest_snapshot(account_id=account.pk)
        ),
    }
    return render(request, "accounts/what_if.html", context)
