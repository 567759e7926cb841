"""My accounts: ordered by what needs attention; a focus account per week, rotating."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tenure.audit.models import AuditEvent
from tenure.engagement.models import WeeklyFocus
from tenure.engagement.selectors import attention_list, weekly_focus
from tenure.engagement.services import weekly_focus_choose
from tenure.planning.models import Action
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.engagement.factories import InteractionFactory
from tests.planning.factories import AccountPlanFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)  # a Wednesday


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


@pytest.fixture
def manager():
    return UserFactory()


def mine(manager, name, key=True):
    account = AccountFactory(name=name, is_key_account=False)
    TeamMembershipFactory(account=account, user=manager, role="kam")
    if key:
        account.is_key_account = True
        account.save()
    return account


def test_order_overdue_then_issues_then_longest_without_strategic_contact(manager):
    quiet = mine(manager, "Quiet")  # never a strategic contact
    recent = mine(manager, "Recent")
    InteractionFactory(
        account=recent, is_strategic=True, occurred_at=at(TODAY - dt.timedelta(days=3))
    )
    stale = mine(manager, "Stale")
    InteractionFactory(
        account=stale, is_strategic=True, occurred_at=at(TODAY - dt.timedelta(days=90))
    )
    troubled = mine(manager, "Troubled")
    InteractionFactory(account=troubled, is_strategic=True, occurred_at=at(TODAY))
    MilestoneFactory(account=troubled)
    late = mine(manager, "Late")
    InteractionFactory(account=late, is_strategic=True, occurred_at=at(TODAY))
    plan = AccountPlanFactory(
        account=late, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    Action.objects.create(plan=plan, title="x", owner=manager, due_on=TODAY - dt.timedelta(days=1))
    order = [a.name for a in attention_list(user=manager, today=TODAY)]
    assert order == ["Late", "Troubled", "Quiet", "Stale", "Recent"]
    assert quiet.pk  # fixtures used


def test_overdue_follow_up_from_the_latest_interaction_counts(manager):
    calm = mine(manager, "Calm")
    InteractionFactory(account=calm, is_strategic=True, occurred_at=at(TODAY))
    waiting = mine(manager, "Waiting")
    InteractionFactory(
        account=waiting,
        is_strategic=True,
        occurred_at=at(TODAY - dt.timedelta(days=10)),
        next_step="Send quote",
        next_step_due=TODAY - dt.timedelta(days=2),
    )
    assert next(a.name for a in attention_list(user=manager, today=TODAY)) == "Waiting"


def test_someone_without_accounts_sees_the_key_accounts():
    director = UserFactory()
    AccountFactory(name="Key", is_key_account=True)
    AccountFactory(name="Ordinary")
    assert [a.name for a in attention_list(user=director, today=TODAY)] == ["Key"]


def test_churned_accounts_are_left_out(manager):
    gone = mine(manager, "Gone")
    gone.status = "churned"
    gone.save()
    assert list(attention_list(user=manager, today=TODAY)) == []


def test_focus_is_chosen_once_a_week_and_rotates_through_every_key_account(manager):
    accounts = [mine(manager, f"K{i}") for i in range(3)]
    mine(manager, "Not key", key=False)
    picked = []
    for week in range(6):
        day = TODAY + dt.timedelta(weeks=week)
        focus = weekly_focus_choose(user=manager, today=day)
        assert weekly_focus_choose(user=manager, today=day + dt.timedelta(days=1)) == focus
        picked.append(focus.account.name)
    assert set(picked[:3]) == {a.name for a in accounts}
    assert set(picked[3:]) == {a.name for a in accounts}
    assert WeeklyFocus.objects.count() == 6


def test_no_focus_without_key_accounts(manager):
    mine(manager, "Ordinary", key=False)
    assert weekly_focus(user=manager, today=TODAY) is None


def test_reading_the_focus_picks_what_the_run_would_store_without_writing(manager):
    mine(manager, "Quiet")
    busy = mine(manager, "Busy")
    MilestoneFactory(account=busy)
    shown = weekly_focus(user=manager, today=TODAY)
    assert WeeklyFocus.objects.count() == 0
    assert shown is not None
    assert shown.pk is None
    assert shown.account == busy
    stored = weekly_focus_choose(user=manager, today=TODAY)
    assert stored is not None
    assert (stored.account, stored.reason) == (shown.account, shown.reason)


def test_viewing_the_home_page_writes_no_focus_row_nor_audit_event_and_shows_a_stable_focus(
    client, manager
):
    for i in range(3):
        mine(manager, f"K{i}")
    client.force_login(manager)
    rows, events = WeeklyFocus.objects.count(), AuditEvent.objects.count()
    first = client.get("/").context["focus"]
    second = client.get("/").context["focus"]
    assert (WeeklyFocus.objects.count(), AuditEvent.objects.count()) == (rows, events)
    assert first.account == second.account
    assert "This week's focus" in client.get("/").content.decode()


def test_focus_reason_says_one_day_not_one_days(manager):
    account = mine(manager, "Yesterday")
    InteractionFactory(
        account=account, occurred_at=at(TODAY - dt.timedelta(days=1)), is_strategic=True
    )
    focus = weekly_focus(user=manager, today=TODAY)
    assert focus is not None
    assert "last strategic contact 1 day ago" in focus.reason


def test_home_page_shows_focus_and_list(client, manager, django_assert_max_num_queries):
    for i in range(5):
        mine(manager, f"K{i}")
    client.force_login(manager)
    weekly_focus_choose(user=manager, today=TODAY)  # the alerts run stores the week's focus
    # session, user, role, focus, my tasks, my teams, scored?, count, page, managers, role check
    with time_machine.travel(at(TODAY), tick=False), django_assert_max_num_queries(12):
        response = client.get("/")
    page = response.content.decode()
    assert "This week's focus" in page
    assert "K0" in page
    assert "never" in page
