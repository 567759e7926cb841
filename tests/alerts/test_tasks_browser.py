"""In a real browser: alerts raised by the rules show on the tasks page; done, then undo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.alerts.services import alerts_run
from tenure.health.models import AccountHealth
from tenure.planning.services import action_add
from tenure.scoring.models import AccountSnapshot, ScoringRun
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS
from tests.engagement.factories import InteractionFactory
from tests.planning.factories import AccountPlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def test_a_manager_closes_a_task_and_takes_it_back(page, login, live_server):
    today = timezone.localdate()
    kam = UserFactory(username="robin", first_name="Robin", last_name="Hale")
    role_assign(user=kam, role="kam")
    accounts = {}
    for name in ("Harbour Foods", "Nordlicht Textil", "Cobalt Pharma"):
        account = AccountFactory(name=name, is_key_account=True)
        TeamMembershipFactory(account=account, user=kam, role="kam")
        accounts[name] = account
    run = ScoringRun.objects.create(as_of=today - dt.timedelta(days=21))
    AccountHealth.objects.create(
        run=run, account=accounts["Harbour Foods"], as_of=run.as_of, health_score=74, risk=0.12
    )
    now = ScoringRun.objects.create(as_of=today)
    for name, score, risk in (("Harbour Foods", 51, 0.41), ("Nordlicht Textil", 68, 0.08)):
        AccountHealth.objects.create(
            run=now, account=accounts[name], as_of=today, health_score=score, risk=risk
        )
    AccountSnapshot.objects.create(
        run=now,
        account=accounts["Nordlicht Textil"],
        as_of=today,
        revenue_t12m=Decimal(412_000),
        revenue_prev12m=Decimal(598_000),
        growth=412 / 598 - 1,
    )
    plan = AccountPlanFactory(
        account=accounts["Cobalt Pharma"],
        title="Protect the 2027 tender",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=120),
    )
    action_add(plan=plan, title="Send the audit report", owner=kam, due_on=today - dt.timedelta(4))
    for account in accounts.values():
        InteractionFactory(account=account, is_strategic=True, occurred_at=timezone.now())
    assert alerts_run(as_of=today).raised_total == 4

    login("robin", PASSWORD)
    page.goto(f"{live_server.url}/tasks/")
    page.get_by_role("heading", name="Tasks").wait_for()
    rows = page.locator("tbody tr")
    assert rows.count() == 4
    assert "Overdue: Send the audit report" in rows.nth(0).inner_text()  # the most overdue first
    page.set_viewport_size({"width": 1280, "height": 760})
    page.screenshot(path=str(SCREENSHOTS / "tasks.png"), full_page=True)

    rows.nth(0).get_by_role("button", name="Done").click()
    page.get_by_text("Closed “Overdue: Send the audit report” as done.").wait_for()
    assert page.locator("tbody tr").count() == 3
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("Reopened “Overdue: Send the audit report”.").wait_for()
    assert page.locator("tbody tr").count() == 4
