"""A small portfolio for API tests: accounts with teams, people, logs, plans and scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tenure.accounts.choices import TeamRole
from tenure.alerts.models import Task
from tenure.engagement.models import Interaction, Touchpoint
from tenure.planning.models import AccountPlan, Goal, Milestone, Objective
from tenure.scoring.models import AccountSnapshot, ScoringRun
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import InteractionFactory, TouchpointFactory
from tests.planning.factories import AccountPlanFactory, MilestoneFactory, ObjectiveFactory


@dataclass
class AccountWorld:
    """One account and one of each thing hanging off it."""

    account: Any
    position: Any
    interaction: Interaction
    touchpoint: Touchpoint
    birthday: Touchpoint
    plan: AccountPlan
    objective: Objective
    goal: Goal
    milestone: Milestone
    snapshot: AccountSnapshot


def account_world(*, manager: Any | None = None, name: str = "", run: ScoringRun | None = None):
    """An account managed by ``manager`` (a new user if none) with everything filled in."""
    account = AccountFactory(**({"name": name} if name else {}))
    TeamMembershipFactory(
        account=account, user=manager or UserFactory(), role=TeamRole.KEY_ACCOUNT_MANAGER
    )
    position = PositionFactory(account=account)
    interaction = InteractionFactory(account=account, summary="Talked about Kim's promotion.")
    interaction.contacts.set([position.contact])
    plan = AccountPlanFactory(account=account, starts_on=dt.date(2026, 1, 1))
    objective = ObjectiveFactory(plan=plan)
    goal = Goal.objects.create(
        objective=objective,
        kpi="Share of wallet",
        baseline=Decimal("10"),
        target=Decimal("20"),
        due_on=dt.date(2026, 3, 1),
    )
    run = run or ScoringRun.objects.create(as_of=dt.date(2026, 1, 31), status="done")
    snapshot = AccountSnapshot.objects.create(
        run=run, account=account, as_of=run.as_of, tier="A", revenue_rank=1, orders=3
    )
    return AccountWorld(
        account=account,
        position=position,
        interaction=interaction,
        touchpoint=TouchpointFactory(account=account),
        birthday=TouchpointFactory(
            account=account, kind="birthday", contact=position.contact, title="Birthday"
        ),
        plan=plan,
        objective=objective,
        goal=goal,
        milestone=MilestoneFactory(account=account),
        snapshot=snapshot,
    )


def small_world() -> list[AccountWorld]:
    """Three accounts sharing one scoring run (ids 1… exist for the fuzzer to find), each
    with an open and a closed alert task."""
    run = ScoringRun.objects.create(as_of=dt.date(2026, 1, 31), status="done")
    worlds = [account_world(run=run) for _ in range(3)]
    for world in worlds:
        manager = world.account.team.get(role=TeamRole.KEY_ACCOUNT_MANAGER).user
        for closed in (False, True):
            Task.objects.create(
                account=world.account,
                rule="overdue_action",
                cause_key=f"action:{int(closed)}",
                assignee=manager,
                title="Plan action overdue",
                evidence="Due 2026-01-15, not done.",
                due_on=run.as_of,
                raised_on=run.as_of,
                checked_on=run.as_of,
                status="done" if closed else "open",
                closed_at=timezone.now() if closed else None,
                closed_by=manager if closed else None,
            )
    return worlds


@dataclass
class RoleWorld:
    """Two accounts: ``own`` (the actor is its key account manager when a manager) and
    ``other`` (someone else's), each with everything hanging off it, plus spare people."""

    actor: Any
    own: AccountWorld
    other: AccountWorld
    spare_user: Any
    sales: dict[str, Any]
    former: dict[str, Any]
    action: dict[str, Any]
    campaign: dict[str, Any]

    def of(self, target: str) -> AccountWorld:
        return self.own if target == "own" else self.other


def role_world(actor: Any, *, manages_own: bool) -> RoleWorld:
    """The world every role walks: ``actor`` manages ``own`` if ``manages_own``."""
    from tenure.planning.models import Action
    from tests.feedback.factories import make_campaign

    run = ScoringRun.objects.create(as_of=dt.date(2026, 1, 31), status="done")
    own = account_world(manager=actor if manages_own else None, name="Own Ltd", run=run)
    other = account_world(name="Other plc", run=run)
    worlds = {"own": own, "other": other}
    sales, former, action, campaign = {}, {}, {}, {}
    for target, world in worlds.items():
        sales[target] = TeamMembershipFactory(account=world.account, role=TeamRole.SALES)
        former[target] = PositionFactory(
            account=world.account, started_on=dt.date(2020, 1, 1), left_on=dt.date(2024, 1, 1)
        ).contact
        action[target] = Action.objects.create(
            plan=world.plan, title="Call the buyer", owner=UserFactory(), due_on=dt.date(2026, 2, 1)
        )
        campaign[target] = make_campaign(account=world.account)
    return RoleWorld(
        actor=actor,
        own=own,
        other=other,
        spare_user=UserFactory(),
        sales=sales,
        former=former,
        action=action,
        campaign=campaign,
    )
