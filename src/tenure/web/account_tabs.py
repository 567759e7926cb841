"""The account page's tabs: what each one shows and the reads it needs.

The page renders its header and one tab; the others load on demand from
``/accounts/<pk>/tab/<name>/`` (htmx), so a tab costs its own queries only when opened.
Without JavaScript the tab links are plain links to the page with ``?tab=<name>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch

from tenure.accounts.models import Account, TeamMembership
from tenure.accounts.people_views import people_context
from tenure.accounts.permissions import can_edit_account, can_see_personal_data
from tenure.accounts.team_views import team_context
from tenure.audit.history import history_entries
from tenure.audit.models import AuditEvent
from tenure.core.charts import monthly_bars
from tenure.core.http import AuthenticatedHttpRequest
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Touchpoint
from tenure.engagement.selectors import account_interactions, positions_with_last_contact
from tenure.growth.selectors import account_opportunities, account_wallet_summary
from tenure.health.selectors import account_health_panel
from tenure.planning.choices import ActionStatus
from tenure.planning.models import AccountPlan, Action, Milestone, Objective
from tenure.planning.onboarding_selectors import onboarding_for_account
from tenure.scoring.qualification_views import qualification_context
from tenure.scoring.selectors import account_latest_snapshot, account_series
from tenure.web.account_header import figures_over_time
from tenure.web.stakeholder_coverage import coverage

#: History entries per page.
HISTORY_PAGE = 25
#: Interactions per page of the timeline.
TIMELINE_PAGE = 20


@dataclass(frozen=True)
class Tab:
    """One tab: its name in URLs (``?tab=people``), its label, and its partial."""

    name: str
    label: str

    @property
    def template(self) -> str:
        return f"web/account/_tab_{self.name}.html"


TABS = (
    Tab("overview", "Overview"),
    Tab("timeline", "Timeline"),
    Tab("people", "People"),
    Tab("plans", "Plans & reviews"),
    Tab("feedback", "Feedback"),
    Tab("growth", "Growth"),
    Tab("history", "History"),
)
BY_NAME = {tab.name: tab for tab in TABS}
DEFAULT = TABS[0]


def tab_named(raw: str | None) -> Tab:
    """The tab ``?tab=`` asks for; an unknown or missing name opens the first."""
    return BY_NAME.get(raw or "", DEFAULT)


@dataclass(frozen=True)
class TabInput:
    """What every tab's reads start from: the request (its user and page number), the
    account the reader may see, and the day the page is shown for."""

    request: AuthenticatedHttpRequest
    account: Account
    today: dt.date


def _currency(account: Account) -> dict[str, Any]:
    snapshot = account_latest_snapshot(account_id=account.pk)
    return {
        "snapshot": snapshot,
        **({"reporting_currency": snapshot.run.currency} if snapshot is not None else {}),
    }


def _stakeholders(account: Account) -> dict[str, Any]:
    found = coverage(list(positions_with_last_contact().filter(account=account)))
    return {
        "active_positions": found.active,
        "former_positions": found.former,
        "single_threaded": found.single_threaded,
        "coverage_gaps": found.gaps,
        "coverage_gaps_text": found.gaps_text,
        "stakeholders_by_role": found.by_role,
        "departments": found.departments,
    }


def _team(account: Account) -> list[TeamMembership]:
    return list(TeamMembership.objects.filter(account=account).select_related("user"))


def _overview(src: TabInput) -> dict[str, Any]:
    context = _currency(src.account)
    snapshot = context["snapshot"]
    series = account_series(account_id=src.account.pk)
    context["revenue_chart"] = (
        monthly_bars(
            series.first_month,
            series.values,
            title=f"Monthly revenue of {src.account.name}",
            currency=snapshot.run.currency if snapshot is not None else "",
        )
        if series is not None
        else None
    )
    return {
        **context,
        **_stakeholders(src.account),
        "team": _team(src.account),
        "subsidiaries": list(src.account.subsidiaries.all()),
        "health_panel": account_health_panel(src.account.pk),
        "over_time": figures_over_time(account=src.account, user=src.request.user, today=src.today),
        "wallet": account_wallet_summary(account=src.account),
        "onboarding": onboarding_for_account(account=src.account, as_of=src.today),
        # The ratings' own context names (sheet, qualification_rows) do not clash with the tab's.
        **{
            key: value
            for key, value in qualification_context(src.request, src.account).items()
            if key not in {"account", "can_edit", "snapshot"}
        },
    }


def _timeline(src: TabInput) -> dict[str, Any]:
    overdue_touchpoints = list(
        Touchpoint.objects.filter(
            account=src.account, status=TouchpointStatus.PLANNED, scheduled_on__lt=src.today
        )
        .select_related("owner", "contact")
        .order_by("scheduled_on", "id")
    )
    overdue_actions = list(
        Action.objects.filter(
            plan__account=src.account, status=ActionStatus.OPEN, due_on__lt=src.today
        )
        .select_related("owner", "plan")
        .order_by("due_on", "id")
    )
    return {
        "overdue_touchpoints": overdue_touchpoints,
        "overdue_actions": overdue_actions,
        "interactions": Paginator(
            account_interactions(account=src.account), TIMELINE_PAGE
        ).get_page(src.request.GET.get("page")),
        "milestones": list(Milestone.objects.filter(account=src.account)),
    }


def _people(src: TabInput) -> dict[str, Any]:
    # The editable lists come from the accounts app, which serves them on their own too.
    editable = {
        **people_context(src.request, src.account),
        **team_context(src.request, src.account),
    }
    return {
        **_stakeholders(src.account),
        **{key: value for key, value in editable.items() if key not in {"account", "can_edit"}},
    }


def _plans(src: TabInput) -> dict[str, Any]:
    plans = (
        AccountPlan.objects.filter(account=src.account)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "objectives", queryset=Objective.objects.prefetch_related("goals").order_by("id")
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner", "goal").order_by("due_on", "id"),
            ),
        )
    )
    return {"plans": list(plans)}


def _feedback(src: TabInput) -> dict[str, Any]:  # noqa: ARG001 (the same shape as the others)
    # The partial reads its figures through the ``account_feedback`` tag.
    return {}


def _growth(src: TabInput) -> dict[str, Any]:
    return {
        **_currency(src.account),
        "wallet": account_wallet_summary(account=src.account),
        "opportunities": list(account_opportunities(account_id=src.account.pk)),
    }


def _history(src: TabInput) -> dict[str, Any]:
    if not can_see_personal_data(src.request.user):
        return {"history": None}
    events = AuditEvent.objects.filter(account_id=src.account.pk).order_by("-created_at", "-id")
    page = Paginator(events, HISTORY_PAGE).get_page(src.request.GET.get("page"))
    return {"history": page, "history_entries": history_entries(list(page.object_list))}


_CONTEXT: dict[str, Callable[[TabInput], dict[str, Any]]] = {
    "overview": _overview,
    "timeline": _timeline,
    "people": _people,
    "plans": _plans,
    "feedback": _feedback,
    "growth": _growth,
    "history": _history,
}


def tab_context(
    request: AuthenticatedHttpRequest, account: Account, tab: Tab, *, today: dt.date
) -> dict[str, Any]:
    """What ``tab``'s partial needs, with the flags every tab reads."""
    return {
        "account": account,
        "tab": tab,
        "can_edit": can_edit_account(request.user, account),
        "redact": not can_see_personal_data(request.user),
        **_CONTEXT[tab.name](TabInput(request, account, today)),
    }
