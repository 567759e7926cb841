"""The daily digest (once per person and day) and the `tenure alerts` command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.digest import digests_send
from tenure.alerts.models import DigestLog, Task
from tenure.alerts.services import alerts_run
from tenure.engagement.models import WeeklyFocus
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.alerts.test_rules import AS_OF, health, only


@pytest.fixture
def portfolio(db):  # noqa: ARG001
    """A manager with two key accounts at high risk, and a manager without tasks or email."""
    kam = UserFactory(email="kam@supplier.example", first_name="Robin")
    TeamMembershipFactory(user=UserFactory(email=""), account=AccountFactory(is_key_account=True))
    accounts = []
    for name in ("Alpha Foods", "Beta Tools"):
        account = AccountFactory(name=name, is_key_account=True)
        TeamMembershipFactory(user=kam, account=account, role="kam")
        health(account, AS_OF, risk=0.8)
        accounts.append(account)
    only(AlertRule.HIGH_RISK)
    return kam, accounts


def test_the_digest_lists_the_open_tasks_and_the_focus_and_goes_once_a_day(portfolio):
    kam, accounts = portfolio
    alerts_run(as_of=AS_OF)
    first = digests_send(today=AS_OF)
    assert first.sent == 1
    assert not first.failed
    (message,) = mail.outbox
    assert message.to == ["kam@supplier.example"]
    assert "2 open tasks" in message.subject
    assert "focus:" in message.subject
    assert "Good morning Robin" in message.body
    for account in accounts:
        assert account.name in message.body
    assert "Churn risk 80 %" in message.body
    assert "(new)" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Alpha Foods" in html
    assert DigestLog.objects.get(user=kam).tasks == 2

    again = digests_send(today=AS_OF)
    assert again.sent == 0
    assert again.already_sent == 1
    assert len(mail.outbox) == 1
    assert digests_send(today=AS_OF + dt.timedelta(days=1)).sent == 1


def test_the_alerts_run_stores_the_week_focus_the_pages_only_read(portfolio):
    kam, accounts = portfolio
    run = alerts_run(as_of=AS_OF)
    assert run.focus_chosen == 2  # each manager of a key account, with or without email
    (focus,) = WeeklyFocus.objects.filter(user=kam)
    assert focus.account in accounts
    alerts_run(as_of=AS_OF + dt.timedelta(days=1))  # same week: the pick is kept
    assert list(WeeklyFocus.objects.filter(user=kam)) == [focus]


@pytest.mark.usefixtures("portfolio")
def test_a_closed_task_leaves_the_next_digest():
    alerts_run(as_of=AS_OF)
    Task.objects.filter(pk=Task.objects.first().pk).update(
        status=TaskStatus.DONE, closed_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    )
    digests_send(today=AS_OF)
    assert "1 open task" in mail.outbox[0].subject


@pytest.mark.usefixtures("portfolio")
def test_a_failing_send_is_reported_and_not_marked_sent(settings):
    settings.EMAIL_BACKEND = "tests.alerts.failing_backend.FailingBackend"
    alerts_run(as_of=AS_OF)
    result = digests_send(today=AS_OF)
    assert result.sent == 0
    assert result.failed[0][0] == "kam@supplier.example"
    assert not DigestLog.objects.exists()


@pytest.mark.usefixtures("portfolio")
def test_the_command_is_idempotent_and_says_what_it_did():
    out = io.StringIO()
    call_command("alerts", "--as-of", "2026-11-25", "--digest", stdout=out)
    text = out.getvalue()
    assert "raised 2 × Churn risk high" in text
    assert "2 raised, 0 still open, 0 cleared" in text
    assert "Digests: 1 sent" in text

    out = io.StringIO()
    call_command("alerts", "--as-of", "2026-11-25", "--digest", stdout=out)
    assert "0 raised, 2 still open, 0 cleared" in out.getvalue()
    assert "Digests: 0 sent, 1 already sent today" in out.getvalue()
    assert Task.objects.count() == 2
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("portfolio")
def test_the_command_dry_run_writes_nothing():
    out = io.StringIO()
    call_command("alerts", "--as-of", "2026-11-25", "--dry-run", "--digest", stdout=out)
    assert "Would have: 2 raised" in out.getvalue()
    assert not Task.objects.exists()
    assert not mail.outbox
