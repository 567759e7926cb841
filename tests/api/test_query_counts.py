"""Every list endpoint takes a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenure.api.api import api as tenure_api
from tenure.growth.models import Opportunity
from tenure.scoring.models import KeyListDecision
from tests.accounts.factories import PositionFactory, TeamMembershipFactory, UserFactory
from tests.alerts.factories import make_task
from tests.api.world import account_world
from tests.engagement.factories import InteractionFactory, TouchpointFactory
from tests.feedback.factories import open_campaign, respond
from tests.planning.factories import AccountPlanFactory, MilestoneFactory

#: Queries per list, the first being the token with its user and role. Per-account lists
#: also read the account; ``/surveys/*`` read answers and invitations in one query each.
#: Two-step lists (``tenure.core.paging``) read the page's ids, then the page: one more.
LISTS = {
    "/accounts": 4,
    "/contacts": 3,
    "/scores": 4,
    "/scores/decisions": 3,
    "/surveys/campaigns": 3,
    "/surveys/figures": 3,
    "/surveys/responses": 2,
    "/portfolio": 4,
    "/accounts/{account}/team": 3,
    "/accounts/{account}/positions": 4,
    "/accounts/{account}/interactions": 6,
    "/accounts/{account}/touchpoints": 4,
    "/accounts/{account}/plans": 4,
    "/accounts/{account}/milestones": 4,
    "/accounts/{account}/scores": 4,
    "/accounts/{account}/opportunities": 3,
    "/tasks": 6,  # the page found through its due dates (tenure.core.paging)
}

#: Lists whose rows the filler does not add to: figures and the portfolio summarise (and
#: hide groups too small to show), an account's scores come from scoring runs.
SAME_ROWS = {"/surveys/figures", "/portfolio", "/accounts/{account}/scores"}


def _populate(world, assignee) -> None:
    """Give the account one more of everything a list shows (tasks go to ``assignee``: by
    default ``/tasks`` lists the caller's own)."""
    respond(open_campaign(account=world.account), score=8, consent=True, better="ok")
    contacts = [p.contact for p in PositionFactory.create_batch(2, account=world.account)]
    InteractionFactory(account=world.account).contacts.set(contacts)
    TouchpointFactory(account=world.account)
    MilestoneFactory(account=world.account)
    AccountPlanFactory(account=world.account)
    TeamMembershipFactory(account=world.account, role="support")
    KeyListDecision.objects.create(
        account=world.account,
        action="promote",
        outcome="rejected",
        decided_by=UserFactory(),
        reason="Not yet.",
    )
    serial = Opportunity.objects.count()
    make_task(world.account, assignee, key=f"cause-{serial}")
    Opportunity.objects.create(
        account=world.account,
        as_of=dt.date(2026, 10, 31),
        category=f"Category {serial}",
        rank=serial + 1,
        confidence=0.6,
        peers=10,
        peers_buying=6,
        peer_label="Retail accounts",
        shown=True,
    )


def _count(api, path: str) -> tuple[int, int]:
    """The queries a list takes, and how many rows it shows."""
    api.get(path)  # the token's last use is written at most once a minute
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, page_size=100)
    assert response.status_code == 200, response.content
    body = response.json()
    return len(captured), len(body if isinstance(body, list) else body.get("items", []))


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("template", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(api, director, template):
    world = account_world()
    _populate(world, director)
    path = template.format(account=world.account.pk)
    few, shown_few = _count(api, path)
    manager = world.account.team.get(role="kam").user
    for _ in range(3):
        _populate(account_world(manager=manager), director)
    _populate(world, director)
    many, shown_many = _count(api, path)
    assert (few, many) == (LISTS[template], LISTS[template])
    if template not in SAME_ROWS:
        assert shown_many > shown_few  # more rows shown for the same queries


def test_every_paginated_list_pins_its_query_count():
    schema = tenure_api.get_openapi_schema(path_prefix="")
    paginated = {
        path.replace("{account_id}", "{account}")
        for path, operations in schema["paths"].items()
        if "get" in operations
        and any(p["name"] == "page" for p in operations["get"].get("parameters", []))
    }
    assert paginated - LISTS.keys() == set()
