"""Every API operation, with a valid request for it, for the role walk (``test_roles``).

``scope`` says what decides access: ``"account"`` — the account the object belongs to
(own or other); ``"global"`` — the role alone. ``ok`` is the status of a permitted call;
``writers`` limits global writes and ``directors_only`` account writes reserved for
admins and directors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tenure.alerts.models import Task
from tests.api.world import RoleWorld

Path = Callable[[RoleWorld, str], str]
Body = Callable[[RoleWorld, str], dict[str, Any]] | None
EVERYONE = frozenset({"admin", "director", "kam", "kam_restricted", "analyst"})
WRITERS = EVERYONE - {"analyst"}
DIRECTORS = frozenset({"admin", "director"})


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    path: Path
    body: Body = None
    scope: str = "account"
    ok: int = 200
    writers: frozenset[str] = WRITERS
    directors_only: bool = False

    @property
    def is_read(self) -> bool:
        return self.method == "GET"

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


def _acc(w: RoleWorld, t: str) -> int:
    return w.of(t).account.pk


def _task(w: RoleWorld, t: str, *, closed: bool = False) -> int:
    """A task on the target account for its key account manager (closed by them if
    ``closed``). Made when the path is built, inside the call's rolled-back transaction."""
    account = w.of(t).account
    manager = account.team.get(role="kam").user
    day = dt.date(2026, 2, 2)
    task = Task.objects.create(
        account=account,
        rule="high_risk",
        assignee=manager,
        title=f"Churn risk high at {account.name}",
        evidence="Churn risk 62% within 180 days.",
        due_on=day,
        raised_on=day,
        checked_on=day,
        status="done" if closed else "open",
        closed_at=timezone.now() if closed else None,
        closed_by=manager if closed else None,
    )
    return task.pk


CALLS = [
    # accounts
    Call("GET", "/accounts", lambda _w, _t: "/accounts", scope="global"),
    Call(
        "POST",
        "/accounts",
        lambda _w, _t: "/accounts",
        lambda _w, _t: {"name": "Newco"},
        scope="global",
        ok=201,
        writers=DIRECTORS,
    ),
    Call("GET", "/accounts/{account_id}", lambda w, t: f"/accounts/{_acc(w, t)}"),
    Call(
        "PATCH",
        "/accounts/{account_id}",
        lambda w, t: f"/accounts/{_acc(w, t)}",
        lambda _w, _t: {"industry": "Retail"},
    ),
    # team
    Call("GET", "/accounts/{account_id}/team", lambda w, t: f"/accounts/{_acc(w, t)}/team"),
    Call(
        "POST",
        "/accounts/{account_id}/team",
        lambda w, t: f"/accounts/{_acc(w, t)}/team",
        lambda w, _t: {"user_id": w.spare_user.pk, "role": "support"},
        ok=201,
    ),
    Call(
        "POST",
        "/accounts/{account_id}/team/handover",
        lambda w, t: f"/accounts/{_acc(w, t)}/team/handover",
        lambda w, _t: {"user_id": w.spare_user.pk},
        directors_only=True,
    ),
    Call(
        "DELETE",
        "/team/{membership_id}",
        lambda w, t: f"/team/{w.sales[t].pk}",
        ok=204,
    ),
    # contacts and positions
    Call("GET", "/contacts", lambda _w, _t: "/contacts", scope="global"),
    Call(
        "POST",
        "/contacts",
        lambda _w, _t: "/contacts",
        lambda _w, _t: {"first_name": "Ada", "last_name": "Byron"},
        scope="global",
        ok=201,
    ),
    Call(
        "GET",
        "/contacts/{contact_id}",
        lambda w, t: f"/contacts/{w.of(t).position.contact_id}",
    ),
    Call(
        "PATCH",
        "/contacts/{contact_id}",
        lambda w, t: f"/contacts/{w.of(t).position.contact_id}",
        lambda _w, _t: {"phone": "+49 30 1234"},
    ),
    Call(
        "GET", "/accounts/{account_id}/positions", lambda w, t: f"/accounts/{_acc(w, t)}/positions"
    ),
    Call(
        "POST",
        "/accounts/{account_id}/positions",
        lambda w, t: f"/accounts/{_acc(w, t)}/positions",
        lambda w, t: {"contact_id": w.former[t].pk, "title": "Buyer"},
        ok=201,
    ),
    Call(
        "POST",
        "/accounts/{account_id}/stakeholders",
        lambda w, t: f"/accounts/{_acc(w, t)}/stakeholders",
        lambda _w, t: {
            "person": {"first_name": "Grace", "last_name": "Hopper", "email": f"grace@{t}.example"},
            "position": {"title": "CTO", "buying_role": "influencer"},
        },
        ok=201,
    ),
    Call("GET", "/positions/{position_id}", lambda w, t: f"/positions/{w.of(t).position.pk}"),
    Call(
        "PATCH",
        "/positions/{position_id}",
        lambda w, t: f"/positions/{w.of(t).position.pk}",
        lambda _w, _t: {"strength": 5},
    ),
    Call(
        "POST",
        "/positions/{position_id}/end",
        lambda w, t: f"/positions/{w.of(t).position.pk}/end",
        lambda _w, _t: {"left_on": "2026-06-30"},
    ),
    # engagement
    Call(
        "GET",
        "/accounts/{account_id}/interactions",
        lambda w, t: f"/accounts/{_acc(w, t)}/interactions",
    ),
    Call(
        "POST",
        "/accounts/{account_id}/interactions",
        lambda w, t: f"/accounts/{_acc(w, t)}/interactions",
        lambda w, t: {
            "occurred_at": "2026-02-02T10:00:00+01:00",
            "kind": "call",
            "summary": "Agreed the spring order.",
            "contact_ids": [w.of(t).position.contact_id],
        },
        ok=201,
    ),
    Call(
        "GET",
        "/interactions/{interaction_id}",
        lambda w, t: f"/interactions/{w.of(t).interaction.pk}",
    ),
    Call(
        "GET",
        "/accounts/{account_id}/touchpoints",
        lambda w, t: f"/accounts/{_acc(w, t)}/touchpoints",
    ),
    Call(
        "POST",
        "/accounts/{account_id}/touchpoints",
        lambda w, t: f"/accounts/{_acc(w, t)}/touchpoints",
        lambda _w, _t: {"scheduled_on": "2026-05-04", "kind": "review", "title": "QBR"},
        ok=201,
    ),
    Call(
        "GET", "/touchpoints/{touchpoint_id}", lambda w, t: f"/touchpoints/{w.of(t).touchpoint.pk}"
    ),
    Call(
        "POST",
        "/touchpoints/{touchpoint_id}/complete",
        lambda w, t: f"/touchpoints/{w.of(t).touchpoint.pk}/complete",
        lambda w, t: {"interaction_id": w.of(t).interaction.pk},
    ),
    Call(
        "POST",
        "/touchpoints/{touchpoint_id}/skip",
        lambda w, t: f"/touchpoints/{w.of(t).touchpoint.pk}/skip",
        lambda _w, _t: {},
    ),
    # planning
    Call("GET", "/accounts/{account_id}/plans", lambda w, t: f"/accounts/{_acc(w, t)}/plans"),
    Call(
        "POST",
        "/accounts/{account_id}/plans",
        lambda w, t: f"/accounts/{_acc(w, t)}/plans",
        lambda _w, _t: {"title": "Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"},
        ok=201,
    ),
    Call("GET", "/plans/{plan_id}", lambda w, t: f"/plans/{w.of(t).plan.pk}"),
    Call(
        "POST",
        "/plans/{plan_id}/close",
        lambda w, t: f"/plans/{w.of(t).plan.pk}/close",
        lambda _w, _t: {"outcome": "Kept the account.", "closed_on": "2026-03-31"},
    ),
    Call(
        "POST",
        "/plans/{plan_id}/objectives",
        lambda w, t: f"/plans/{w.of(t).plan.pk}/objectives",
        lambda _w, _t: {"kind": "develop", "title": "Sell the new line"},
        ok=201,
    ),
    Call(
        "POST",
        "/objectives/{objective_id}/goals",
        lambda w, t: f"/objectives/{w.of(t).objective.pk}/goals",
        lambda _w, _t: {"kpi": "Orders", "baseline": "1", "target": "4", "due_on": "2026-03-15"},
        ok=201,
    ),
    Call(
        "POST",
        "/goals/{goal_id}/progress",
        lambda w, t: f"/goals/{w.of(t).goal.pk}/progress",
        lambda _w, _t: {"current": "15.5"},
    ),
    Call(
        "POST",
        "/plans/{plan_id}/actions",
        lambda w, t: f"/plans/{w.of(t).plan.pk}/actions",
        lambda _w, _t: {"title": "Visit the plant", "due_on": "2026-02-20"},
        ok=201,
    ),
    Call(
        "POST",
        "/actions/{action_id}/finish",
        lambda w, t: f"/actions/{w.action[t].pk}/finish",
        lambda _w, _t: {"status": "done", "on": "2026-02-01"},
    ),
    Call(
        "GET",
        "/accounts/{account_id}/milestones",
        lambda w, t: f"/accounts/{_acc(w, t)}/milestones",
    ),
    Call(
        "POST",
        "/accounts/{account_id}/milestones",
        lambda w, t: f"/accounts/{_acc(w, t)}/milestones",
        lambda _w, _t: {"kind": "success", "title": "Won the tender", "occurred_on": "2026-02-03"},
        ok=201,
    ),
    Call("GET", "/milestones/{milestone_id}", lambda w, t: f"/milestones/{w.of(t).milestone.pk}"),
    Call(
        "POST",
        "/milestones/{milestone_id}/resolve",
        lambda w, t: f"/milestones/{w.of(t).milestone.pk}/resolve",
        lambda _w, _t: {"resolved_on": "2026-02-10"},
    ),
    # scores and portfolio
    Call("GET", "/scores", lambda _w, _t: "/scores", scope="global"),
    Call("GET", "/scores/decisions", lambda _w, _t: "/scores/decisions", scope="global"),
    Call("GET", "/accounts/{account_id}/score", lambda w, t: f"/accounts/{_acc(w, t)}/score"),
    Call("GET", "/accounts/{account_id}/scores", lambda w, t: f"/accounts/{_acc(w, t)}/scores"),
    # growth
    Call("GET", "/accounts/{account_id}/wallet", lambda w, t: f"/accounts/{_acc(w, t)}/wallet"),
    Call(
        "GET",
        "/accounts/{account_id}/opportunities",
        lambda w, t: f"/accounts/{_acc(w, t)}/opportunities",
    ),
    Call("GET", "/portfolio", lambda _w, _t: "/portfolio", scope="global"),
    # surveys
    Call("GET", "/surveys/campaigns", lambda _w, _t: "/surveys/campaigns", scope="global"),
    Call(
        "GET",
        "/surveys/campaigns/{campaign_id}",
        lambda w, t: f"/surveys/campaigns/{w.campaign[t].pk}",
    ),
    Call("GET", "/surveys/figures", lambda w, t: f"/surveys/figures?account={_acc(w, t)}"),
    Call("GET", "/surveys/responses", lambda w, t: f"/surveys/responses?account={_acc(w, t)}"),
    # alert tasks
    Call("GET", "/tasks", lambda _w, _t: "/tasks?assignee=all", scope="global"),
    Call("GET", "/tasks/{task_id}", lambda w, t: f"/tasks/{_task(w, t)}"),
    Call(
        "POST",
        "/tasks/{task_id}/close",
        lambda w, t: f"/tasks/{_task(w, t)}/close",
        lambda _w, _t: {"status": "dismissed", "note": "They order in spring."},
    ),
    Call(
        "POST",
        "/tasks/{task_id}/reopen",
        lambda w, t: f"/tasks/{_task(w, t, closed=True)}/reopen",
        lambda _w, _t: {},
    ),
]


def expected_status(actor: str, call: Call, target: str) -> int:
    """What ``actor`` should get for ``call`` on the ``target`` account (docs/roles.md)."""
    if call.scope == "global":
        if call.is_read or actor in call.writers:
            return call.ok
        return 403
    if actor == "kam_restricted" and target == "other":
        return 404  # hidden: reported missing, never forbidden
    if call.is_read:
        return call.ok
    if actor == "analyst":
        return 403
    if call.directors_only and actor not in DIRECTORS:
        return 403
    if actor in {"kam", "kam_restricted"} and target == "other":
        return 403
    return call.ok
