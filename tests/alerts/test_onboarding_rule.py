"""The onboarding rule: an overdue onboarding step raises one task for the key account
manager, never a second, and the task clears when the step is done."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.access.services import role_assign
from tenure.accounts.services import account_remove_key
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import AlertSettings, Task
from tenure.alerts.services import alerts_run
from tenure.planning.models import OnboardingStepTemplate
from tenure.planning.onboarding_services import onboarding_start, onboarding_step_tick
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.engagement.factories import TouchpointFactory

PROMOTED = dt.date(2026, 11, 2)
RULE = AlertRule.ONBOARDING_OVERDUE


@pytest.fixture
def kam(db):  # noqa: ARG001
    person = UserFactory(first_name="Alex", last_name="Morgan")
    role_assign(user=person, role="kam")
    return person


@pytest.fixture
def onboarding(kam):
    AlertSettings.objects.create(disabled_rules=[r for r in AlertRule.values if r != RULE])
    OnboardingStepTemplate.objects.all().delete()
    OnboardingStepTemplate.objects.create(title="Handover notes", auto_check="manual", due_days=7)
    OnboardingStepTemplate.objects.create(title="Kickoff", auto_check="kickoff", due_days=14)
    account = AccountFactory(name="Nordwind", is_key_account=True, key_account_since=PROMOTED)
    TeamMembershipFactory(account=account, user=kam, role="kam")
    started = onboarding_start(account=account, started_on=PROMOTED)
    assert started is not None
    return started


def _open() -> list[Task]:
    return list(Task.objects.filter(rule=RULE, status=TaskStatus.OPEN).order_by("title"))


@pytest.mark.usefixtures("onboarding")
def test_nothing_is_raised_until_a_step_is_past_its_due_day():
    assert alerts_run(as_of=dt.date(2026, 11, 9)).raised_total == 0  # due today


def test_an_overdue_step_raises_one_task_for_the_manager_and_no_duplicate(onboarding, kam):
    first = alerts_run(as_of=dt.date(2026, 11, 12))
    second = alerts_run(as_of=dt.date(2026, 11, 13))
    assert first.raised[RULE] == 1
    assert second.raised_total == 0
    assert second.still_open == 1
    (task,) = _open()
    assert task.title == "Onboarding overdue: Handover notes"
    assert task.assignee == kam
    assert "due on 9 Nov 2026, 4 days ago" in task.evidence
    assert "0 of 2 onboarding steps done" in task.evidence
    assert task.evidence_url == f"/accounts/{onboarding.account_id}/onboarding/"


def test_each_overdue_step_is_its_own_task_and_ticking_clears_it(onboarding, kam):
    alerts_run(as_of=dt.date(2026, 11, 20))
    assert [t.title for t in _open()] == [
        "Onboarding overdue: Handover notes",
        "Onboarding overdue: Kickoff",
    ]
    notes = onboarding.steps.get(title="Handover notes")
    onboarding_step_tick(step=notes, by=kam, on=dt.date(2026, 11, 20))
    result = alerts_run(as_of=dt.date(2026, 11, 21))
    assert result.cleared[RULE] == 1
    assert [t.title for t in _open()] == ["Onboarding overdue: Kickoff"]
    cleared = Task.objects.get(rule=RULE, status=TaskStatus.RESOLVED)
    assert "the onboarding step was done" in cleared.resolution


def test_a_step_whose_check_comes_to_hold_clears_its_task(onboarding):
    alerts_run(as_of=dt.date(2026, 11, 20))
    TouchpointFactory(account=onboarding.account, kind="meeting", scheduled_on=dt.date(2026, 12, 1))
    result = alerts_run(as_of=dt.date(2026, 11, 21))
    assert result.cleared[RULE] == 1
    assert [t.title for t in _open()] == ["Onboarding overdue: Handover notes"]


def test_an_account_taken_off_the_key_list_raises_no_onboarding_task(onboarding):
    account_remove_key(account=onboarding.account)
    assert alerts_run(as_of=dt.date(2026, 11, 20)).raised_total == 0


def test_ticking_the_step_closes_its_task_at_once(
    onboarding, kam, django_capture_on_commit_callbacks
):
    alerts_run(as_of=dt.date(2026, 11, 12))
    (task,) = _open()
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_step_tick(
            step=onboarding.steps.get(title="Handover notes"), by=kam, on=dt.date(2026, 11, 12)
        )
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED
