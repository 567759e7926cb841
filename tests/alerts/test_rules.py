"""Every alert rule: it fires, it does not fire twice, and its task closes when the cause clears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from tenure.access.services import role_assign
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import AlertSettings, Task
from tenure.alerts.services import alerts_run, task_close
from tenure.engagement.models import Touchpoint
from tenure.health.models import AccountHealth
from tenure.planning.services import action_add, action_finish
from tenure.scoring.models import AccountSnapshot, RevenueSeries, ScoringRun
from tests.accounts.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import InteractionFactory
from tests.feedback.factories import open_campaign, respond
from tests.planning.factories import AccountPlanFactory

AS_OF = dt.date(2026, 11, 25)
# A unique constraint broken: PostgreSQL names the constraint, SQLite its columns.
ONE_OPEN_TASK_PER_CAUSE = (
    r"task_one_open_per_cause|alerts_task\.account_id, alerts_task\.rule, alerts_task\.cause_key$"
)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def only(rule: str, **thresholds) -> AlertSettings:
    """Settings with every other rule off, so each test watches one rule."""
    return AlertSettings.objects.create(
        disabled_rules=[r for r in AlertRule.values if r != rule], **thresholds
    )


@pytest.fixture
def kam(db):  # noqa: ARG001
    person = UserFactory(email="kam@supplier.example")
    role_assign(user=person, role="kam")
    return person


@pytest.fixture
def key_account(kam):
    account = AccountFactory(is_key_account=True, key_account_since=dt.date(2024, 1, 1))
    TeamMembershipFactory(account=account, user=kam, role="kam")
    return account


def open_tasks(rule: str):
    return list(Task.objects.filter(rule=rule, status=TaskStatus.OPEN))


def run_twice(as_of: dt.date = AS_OF):
    first = alerts_run(as_of=as_of)
    second = alerts_run(as_of=as_of)
    return first, second


def assert_fires_once(rule: str, as_of: dt.date = AS_OF) -> Task:
    first, second = run_twice(as_of)
    assert first.raised[rule] == 1
    assert second.raised_total == 0
    assert second.still_open == 1
    (task,) = open_tasks(rule)
    return task


def assert_cleared(rule: str, as_of: dt.date) -> Task:
    result = alerts_run(as_of=as_of)
    assert result.cleared[rule] == 1
    task = Task.objects.get(rule=rule)
    assert task.status == TaskStatus.RESOLVED
    assert task.closed_at is not None
    assert task.closed_by is None
    assert task.resolution.startswith("Cleared on")
    return task


def scoring_run(as_of: dt.date) -> ScoringRun:
    return ScoringRun.objects.create(as_of=as_of, currency="EUR")


def health(account, as_of: dt.date, *, score: float = 70.0, risk: float | None = None):
    return AccountHealth.objects.create(
        run=scoring_run(as_of), account=account, as_of=as_of, health_score=score, risk=risk
    )


# -- health dropped more than X points within the window ---------------------------------


def test_health_drop_fires_once_for_its_manager_and_clears_when_health_recovers(key_account, kam):
    only(AlertRule.HEALTH_DROP)
    health(key_account, AS_OF - dt.timedelta(days=20), score=80)
    health(key_account, AS_OF, score=60)
    task = assert_fires_once(AlertRule.HEALTH_DROP)
    assert task.assignee == kam
    assert "80" in task.evidence
    assert "60" in task.evidence
    assert "20 points" in task.evidence
    assert task.evidence_url.endswith("#health-h")

    health(key_account, AS_OF + dt.timedelta(days=1), score=78)
    assert_cleared(AlertRule.HEALTH_DROP, AS_OF + dt.timedelta(days=1))


def test_a_drop_at_the_threshold_or_outside_the_window_does_not_fire(key_account):
    only(AlertRule.HEALTH_DROP)
    health(key_account, AS_OF - dt.timedelta(days=40), score=95)  # before the 30-day window
    health(key_account, AS_OF - dt.timedelta(days=10), score=70)
    health(key_account, AS_OF, score=60)  # exactly 10 points: not *more* than 10
    assert alerts_run(as_of=AS_OF).raised_total == 0


# -- churn risk above the threshold --------------------------------------------------------


def test_high_risk_fires_once_and_clears_when_the_next_run_scores_it_lower(key_account):
    only(AlertRule.HIGH_RISK, risk_threshold=0.4)
    health(key_account, AS_OF, risk=0.45)
    other = AccountFactory(is_key_account=True)
    health(other, AS_OF, risk=0.39)
    task = assert_fires_once(AlertRule.HIGH_RISK)
    assert task.account == key_account
    assert task.title == "Churn risk 45 %"

    later = AS_OF + dt.timedelta(days=7)
    health(key_account, later, risk=0.1)
    health(other, later, risk=0.1)
    assert_cleared(AlertRule.HIGH_RISK, later)


def test_high_risk_evidence_names_its_drivers_in_plain_words_not_python_dicts(key_account):
    only(AlertRule.HIGH_RISK, risk_threshold=0.4)
    row = health(key_account, AS_OF, risk=0.7)
    row.risk_drivers = [
        {
            "feature": "oldest_open_issue_days",
            "value": 126.0,
            "contribution": 3.9272,
            "text": "an issue open for 126 days",
        },
        {"feature": "growth", "value": -0.38, "contribution": 0.8, "text": "revenue down 38 %"},
    ]
    row.save()
    alerts_run(as_of=AS_OF)
    (task,) = open_tasks(AlertRule.HIGH_RISK)
    assert "Why: an issue open for 126 days; revenue down 38 %." in task.evidence
    for raw in ("{", "oldest_open_issue_days", "contribution", "3.9272"):
        assert raw not in task.evidence


# -- a decision maker left -----------------------------------------------------------------


def test_a_decision_maker_leaving_fires_once_and_clears_when_a_successor_is_met(key_account):
    only(AlertRule.DECISION_MAKER_LEFT)
    PositionFactory(account=key_account, left_on=AS_OF - dt.timedelta(days=10))
    task = assert_fires_once(AlertRule.DECISION_MAKER_LEFT)
    assert "Head of Purchasing" in task.title
    assert "Kim" not in task.evidence  # no names in a task: the contact page has them

    successor = PositionFactory(account=key_account, title="CPO").contact
    InteractionFactory(account=key_account, occurred_at=at(AS_OF - dt.timedelta(days=20)))
    # Meeting the successor before the departure does not count; after it does.
    early = InteractionFactory(account=key_account, occurred_at=at(AS_OF - dt.timedelta(days=30)))
    early.contacts.add(successor)
    assert alerts_run(as_of=AS_OF).cleared_total == 0
    met = InteractionFactory(account=key_account, occurred_at=at(AS_OF))
    met.contacts.add(successor)
    assert_cleared(AlertRule.DECISION_MAKER_LEFT, AS_OF)


def test_old_departures_raise_nothing_but_an_open_task_outlives_the_lookback(key_account):
    only(AlertRule.DECISION_MAKER_LEFT, lookback_days=90)
    PositionFactory(account=key_account, left_on=AS_OF - dt.timedelta(days=200))
    assert alerts_run(as_of=AS_OF).raised_total == 0

    PositionFactory(account=key_account, left_on=AS_OF - dt.timedelta(days=5))
    assert alerts_run(as_of=AS_OF).raised_total == 1
    much_later = alerts_run(as_of=AS_OF + dt.timedelta(days=120))
    assert much_later.cleared_total == 0
    assert much_later.still_open == 1


def test_other_roles_leaving_raise_nothing(key_account):
    only(AlertRule.DECISION_MAKER_LEFT)
    PositionFactory(account=key_account, buying_role="user", left_on=AS_OF)
    assert alerts_run(as_of=AS_OF).raised_total == 0


# -- no strategic interaction in N days ----------------------------------------------------


def test_no_strategic_contact_fires_once_and_logging_one_clears_it_at_once(
    key_account, django_capture_on_commit_callbacks
):
    only(AlertRule.NO_STRATEGIC_CONTACT, no_strategic_days=90)
    InteractionFactory(
        account=key_account, is_strategic=True, occurred_at=at(AS_OF - dt.timedelta(days=100))
    )
    task = assert_fires_once(AlertRule.NO_STRATEGIC_CONTACT)
    assert "100 days ago" in task.evidence

    # A transactional call is not what the rule asks for.
    with django_capture_on_commit_callbacks(execute=True):
        InteractionFactory(account=key_account, occurred_at=at(dt.date.today()))
    task.refresh_from_db()
    assert task.is_open
    # The strategic meeting closes the task straight away, without waiting for the next run.
    with django_capture_on_commit_callbacks(execute=True):
        InteractionFactory(account=key_account, is_strategic=True, occurred_at=at(dt.date.today()))
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED


@pytest.mark.usefixtures("kam")
def test_never_contacted_fires_but_a_newly_named_key_account_gets_its_time():
    only(AlertRule.NO_STRATEGIC_CONTACT, no_strategic_days=90)
    old = AccountFactory(is_key_account=True, key_account_since=dt.date(2025, 1, 1))
    new = AccountFactory(is_key_account=True, key_account_since=AS_OF - dt.timedelta(days=10))
    result = alerts_run(as_of=AS_OF)
    assert result.raised_total == 1
    (task,) = open_tasks(AlertRule.NO_STRATEGIC_CONTACT)
    assert task.account == old
    assert task.account != new
    assert "No strategic interaction has been logged" in task.evidence
    assert task.assignee is None
    assert result.unassigned == 1


@pytest.mark.usefixtures("db")
def test_accounts_outside_the_scope_raise_nothing():
    only(AlertRule.NO_STRATEGIC_CONTACT)
    AccountFactory(is_key_account=False)  # nobody manages it, not a key account
    AccountFactory(is_key_account=True, status="churned")
    assert alerts_run(as_of=AS_OF).raised_total == 0


# -- a detractor answer --------------------------------------------------------------------


def test_a_detractor_answer_fires_once_and_a_strategic_follow_up_clears_it(key_account):
    only(AlertRule.DETRACTOR)
    campaign = open_campaign(
        account=key_account, now=at(AS_OF - dt.timedelta(days=20)), closes_at=at(AS_OF, 8)
    )
    contact = ContactFactory()
    PositionFactory(account=key_account, contact=contact, buying_role="user")
    respond(campaign, score=3, at=at(AS_OF - dt.timedelta(days=5)), contact=contact)
    respond(campaign, score=9, at=at(AS_OF - dt.timedelta(days=5)))  # a promoter
    respond(campaign, score=10, at=at(AS_OF - dt.timedelta(days=4)))  # a group of 3
    task = assert_fires_once(AlertRule.DETRACTOR)
    assert task.title == "Detractor answers from anonymous respondents"
    assert "answered anonymously" in task.evidence
    assert "NPS" not in task.evidence

    # An anonymous answer is never matched to its respondent: meeting them clears nothing.
    met = InteractionFactory(account=key_account, occurred_at=at(AS_OF))
    met.contacts.add(contact)
    assert alerts_run(as_of=AS_OF).cleared_total == 0
    InteractionFactory(account=key_account, is_strategic=True, occurred_at=at(AS_OF))
    assert_cleared(AlertRule.DETRACTOR, AS_OF)


def test_a_named_detractor_is_followed_up_by_meeting_them(key_account):
    only(AlertRule.DETRACTOR)
    campaign = open_campaign(account=key_account)
    contact = ContactFactory()
    PositionFactory(account=key_account, contact=contact, buying_role="user")
    respond(campaign, score=5, consent=True, at=at(AS_OF - dt.timedelta(days=2)), contact=contact)
    task = assert_fires_once(AlertRule.DETRACTOR)
    assert "named respondent" in task.evidence
    met = InteractionFactory(account=key_account, occurred_at=at(AS_OF))
    met.contacts.add(contact)
    assert_cleared(AlertRule.DETRACTOR, AS_OF)


# -- a seasonal peak within N weeks without a planned touchpoint ---------------------------


def january_peak(account) -> None:
    """Three years of revenue at 100 a month and 600 every January."""
    values = [600.0 if month % 12 == 0 else 100.0 for month in range(36)]
    RevenueSeries.objects.create(
        account=account, as_of=AS_OF, first_month=dt.date(2023, 12, 1), values=[100.0, *values]
    )


def test_an_unprepared_peak_fires_once_and_planning_a_touchpoint_clears_it(key_account, kam):
    only(AlertRule.PEAK_UNPREPARED, peak_weeks=6)
    january_peak(key_account)
    task = assert_fires_once(AlertRule.PEAK_UNPREPARED)
    assert task.cause_key == "peak:2027-01-01"
    assert "January" in task.title
    assert "37 days" in task.title

    Touchpoint.objects.create(
        account=key_account, scheduled_on=dt.date(2026, 12, 3), kind="seasonal", owner=kam
    )
    assert_cleared(AlertRule.PEAK_UNPREPARED, AS_OF)


def test_an_unprepared_peak_links_to_the_account_page_section_not_the_fragment(
    key_account, client, kam
):
    only(AlertRule.PEAK_UNPREPARED, peak_weeks=6)
    january_peak(key_account)
    alerts_run(as_of=AS_OF)
    (task,) = open_tasks(AlertRule.PEAK_UNPREPARED)
    assert task.evidence_url == f"/accounts/{key_account.pk}/?tab=timeline#account-upcoming"
    client.force_login(kam)
    page = client.get(task.evidence_url.split("#")[0]).content.decode()
    assert "<html" in page
    assert 'id="account-upcoming"' in page


def test_a_peak_further_away_than_the_warning_raises_nothing(key_account):
    only(AlertRule.PEAK_UNPREPARED, peak_weeks=4)
    january_peak(key_account)
    assert alerts_run(as_of=AS_OF).raised_total == 0


# -- trailing revenue down more than Y % year over year ------------------------------------


def snapshot(account, as_of: dt.date, *, now: int, before: int) -> AccountSnapshot:
    return AccountSnapshot.objects.create(
        run=scoring_run(as_of),
        account=account,
        as_of=as_of,
        revenue_t12m=Decimal(now),
        revenue_prev12m=Decimal(before),
        growth=now / before - 1 if before else None,
    )


def test_revenue_down_fires_once_and_clears_when_revenue_recovers(key_account):
    only(AlertRule.REVENUE_DOWN, revenue_drop_percent=20)
    snapshot(key_account, AS_OF, now=70_000, before=100_000)
    snapshot(AccountFactory(is_key_account=True), AS_OF, now=81_000, before=100_000)
    task = assert_fires_once(AlertRule.REVENUE_DOWN)
    assert task.account == key_account
    assert task.title == "Revenue down 30% year over year"
    # Amounts carry the run's currency in the task, the API and the digest alike.
    assert "70,000 EUR" in task.evidence
    assert "100,000 EUR" in task.evidence

    later = AS_OF + dt.timedelta(days=30)
    snapshot(key_account, later, now=90_000, before=100_000)
    assert_cleared(AlertRule.REVENUE_DOWN, later)


# -- overdue plan actions ------------------------------------------------------------------


def test_an_overdue_action_goes_to_its_owner_and_finishing_it_clears_the_task(key_account, kam):
    only(AlertRule.OVERDUE_ACTION)
    owner = UserFactory()
    plan = AccountPlanFactory(account=key_account, ends_on=dt.date(2027, 3, 31))
    action = action_add(plan=plan, title="Send the price sheet", owner=owner, due_on=AS_OF)
    assert alerts_run(as_of=AS_OF).raised_total == 0  # due today is not overdue
    task = assert_fires_once(AlertRule.OVERDUE_ACTION, AS_OF + dt.timedelta(days=3))
    assert task.assignee == owner
    assert task.assignee != kam
    assert task.title == "Overdue: Send the price sheet"
    assert "3 days ago" in task.evidence

    action_finish(action=action, status="done", on=AS_OF + dt.timedelta(days=3))
    assert_cleared(AlertRule.OVERDUE_ACTION, AS_OF + dt.timedelta(days=3))


# -- what holds for every rule -------------------------------------------------------------


def test_a_task_closed_by_a_person_is_snoozed_then_raised_again(key_account, kam):
    only(AlertRule.HIGH_RISK, snooze_days=30)
    health(key_account, AS_OF, risk=0.9)
    alerts_run(as_of=AS_OF)
    (task,) = open_tasks(AlertRule.HIGH_RISK)
    task_close(task=task, status=TaskStatus.DONE, by=kam)
    again = alerts_run(as_of=AS_OF + dt.timedelta(days=1))
    assert again.raised_total == 0
    assert again.snoozed == 1
    assert alerts_run(as_of=AS_OF + dt.timedelta(days=31)).raised_total == 1


def test_a_dry_run_reports_and_writes_nothing(key_account):
    only(AlertRule.HIGH_RISK)
    health(key_account, AS_OF, risk=0.9)
    result = alerts_run(as_of=AS_OF, dry_run=True)
    assert result.raised_total == 1
    assert result.dry_run
    assert not Task.objects.exists()


def test_switching_a_rule_off_closes_its_open_tasks_and_says_so(key_account):
    settings = only(AlertRule.HIGH_RISK)
    health(key_account, AS_OF, risk=0.9)
    alerts_run(as_of=AS_OF)
    settings.disabled_rules = list(AlertRule.values)
    settings.save()
    alerts_run(as_of=AS_OF)
    task = Task.objects.get()
    assert task.status == TaskStatus.RESOLVED
    assert task.resolution.endswith("the rule is off.")


def test_the_database_refuses_a_second_open_task_for_one_cause(key_account):
    only(AlertRule.HIGH_RISK)
    health(key_account, AS_OF, risk=0.9)
    alerts_run(as_of=AS_OF)
    task = Task.objects.get()
    task.pk = None
    with pytest.raises(IntegrityError, match=ONE_OPEN_TASK_PER_CAUSE):
        task.save()


def test_raising_and_closing_a_task_are_in_the_audit_trail(key_account, kam):
    from tenure.audit.models import AuditEvent

    only(AlertRule.HIGH_RISK)
    health(key_account, AS_OF, risk=0.9)
    alerts_run(as_of=AS_OF)
    task_close(task=Task.objects.get(), status=TaskStatus.DONE, by=kam)
    events = AuditEvent.objects.filter(account_id=key_account.pk, model="alerts.task")
    assert [e.action for e in events.order_by("pk")] == ["create", "update"]


def test_an_open_task_is_restated_with_todays_figures_and_date(key_account, kam):
    only(AlertRule.OVERDUE_ACTION)
    plan = AccountPlanFactory(account=key_account, ends_on=dt.date(2027, 3, 31))
    action_add(plan=plan, title="Call back", owner=kam, due_on=AS_OF - dt.timedelta(days=3))
    alerts_run(as_of=AS_OF)
    later = AS_OF + dt.timedelta(days=2)
    assert alerts_run(as_of=later).still_open == 1
    task = Task.objects.get()
    assert task.raised_on == AS_OF
    assert task.checked_on == later
    assert "5 days ago" in task.evidence
    assert task.due_on == AS_OF  # the due date stays put
