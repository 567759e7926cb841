"""Detractor tasks keep anonymous answers anonymous: no score, no day, no response id in
anything a director or an analyst can read (tasks page, tasks API, change history)."""

from __future__ import annotations

import datetime as dt
import json

import pypdfium2
import pytest

from tenure.access.services import role_assign
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import AlertSettings, Task
from tenure.alerts.services import alerts_run
from tenure.audit.models import AuditEvent
from tenure.feedback.services import campaign_close
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.feedback.factories import open_campaign, respond

pytestmark = pytest.mark.django_db

OCT_18 = dt.datetime(2026, 10, 18, 10, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 11, 25)
CAMPAIGN = "Relationship survey H2 2026: Granite Industries BV"


@pytest.fixture
def granite():
    account = AccountFactory(
        name="Granite Industries BV", is_key_account=True, key_account_since=dt.date(2024, 1, 1)
    )
    kam = UserFactory()
    role_assign(user=kam, role="kam")
    TeamMembershipFactory(account=account, user=kam, role="kam")
    AlertSettings.objects.create(
        disabled_rules=[r for r in AlertRule.values if r != AlertRule.DETRACTOR]
    )
    return account


def _campaign(account):
    return open_campaign(
        account=account,
        name=CAMPAIGN,
        now=dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC),
        closes_at=dt.datetime(2026, 11, 1, 18, tzinfo=dt.UTC),
    )


def _readers():
    readers = []
    for role in ("director", "analyst"):
        user = UserFactory()
        role_assign(user=user, role=role)
        readers.append(user)
    return readers


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _everything_readable(client, account) -> str:
    """The tasks page and API, the account page with its change history, the brief and its
    PDF, the feedback page, its CSV and the survey API, and the audit trail of tasks."""
    texts = [
        client.get(url).content.decode()
        for url in (
            "/tasks/?assignee=all&status=",
            "/api/v1/tasks?assignee=all&status=",
            account.get_absolute_url(),
            f"/accounts/{account.pk}/brief/",
            "/feedback/",
            f"/feedback/?account={account.pk}",
            "/feedback/answers.csv",
            "/api/v1/surveys/figures?since=2026-10-01",
            "/api/v1/surveys/responses?since=2026-10-01",
        )
    ]
    pdf = client.get(f"/accounts/{account.pk}/brief.pdf")
    if pdf.status_code == 200 and pdf.content.startswith(b"%PDF"):
        texts.append(_pdf_text(pdf.content))
    events = AuditEvent.objects.filter(model="alerts.task")
    texts.append(json.dumps([[e.object_repr, e.before, e.after, e.note] for e in events]))
    return "\n".join(texts)


def _identifying(response) -> list[str]:
    return [
        "NPS 4",
        "4/10",
        "18 Oct",
        "2026-10-18",
        f"response:{response.pk}",
        f'"cause_key": "response:{response.pk}"',
    ]


def test_a_one_invitee_campaign_raises_no_task_that_identifies_the_answer(client, granite):
    campaign = _campaign(granite)
    answer = respond(campaign, score=4, at=OCT_18)  # the only invitee, anonymous
    campaign_close(campaign=campaign, now=dt.datetime(2026, 10, 25, 18, tzinfo=dt.UTC))

    alerts_run(as_of=AS_OF)

    for reader in _readers():
        client.force_login(reader)
        readable = _everything_readable(client, granite)
        for clue in _identifying(answer):
            assert clue not in readable, clue
    # Below the minimum group even "someone answered 6 or less" would say who: no task.
    assert not Task.objects.filter(rule=AlertRule.DETRACTOR).exists()


def test_anonymous_detractors_of_a_shown_group_raise_one_task_without_score_day_or_id(
    client, granite
):
    campaign = _campaign(granite)
    answers = [
        respond(campaign, score=score, at=OCT_18 + dt.timedelta(days=n))
        for n, score in enumerate((4, 9, 10))
    ]
    # While the campaign takes answers, a task would date the answer: none yet.
    assert alerts_run(as_of=dt.date(2026, 10, 22)).raised_total == 0
    campaign_close(campaign=campaign, now=dt.datetime(2026, 10, 25, 18, tzinfo=dt.UTC))

    alerts_run(as_of=AS_OF)

    (task,) = Task.objects.filter(rule=AlertRule.DETRACTOR, status=TaskStatus.OPEN)
    assert task.title == "Detractor answers from anonymous respondents"
    assert "2026 Q4" in task.evidence
    assert CAMPAIGN in task.evidence
    assert task.cause_key.startswith("anonymous:")
    for reader in _readers():
        client.force_login(reader)
        readable = _everything_readable(client, granite)
        for answer in answers:
            for clue in _identifying(answer):
                assert clue not in readable, clue
    # The same cause on the next run: refreshed, not raised again.
    assert alerts_run(as_of=AS_OF + dt.timedelta(days=1)).raised_total == 0


def test_a_named_detractor_task_keeps_its_score_and_day(granite):
    campaign = _campaign(granite)
    respond(campaign, score=4, consent=True, at=OCT_18)
    alerts_run(as_of=AS_OF)
    (task,) = Task.objects.filter(rule=AlertRule.DETRACTOR)
    assert task.title == "Detractor answer: NPS 4"
    assert "named respondent on 18 Oct 2026" in task.evidence


def test_the_migration_withdraws_the_details_of_earlier_anonymous_detractor_tasks(granite):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tenure.alerts.migrations.0002_anonymous_detractor_tasks")
    campaign = _campaign(granite)
    anonymous = respond(campaign, score=4, at=OCT_18)
    named = respond(campaign, score=5, consent=True, at=OCT_18)
    for response in (anonymous, named):
        Task.objects.create(
            account=granite,
            rule=AlertRule.DETRACTOR,
            cause_key=f"response:{response.pk}",
            title=f"Detractor answer: NPS {response.answers.get(question__key='nps').score}",
            evidence="NPS from a respondent on 18 Oct 2026 in the survey.",
            evidence_url="/",
            due_on=AS_OF,
            raised_on=AS_OF,
            checked_on=AS_OF,
        )

    migration.withdraw(apps, None)

    old = Task.objects.exclude(cause_key=f"response:{named.pk}").get()
    assert old.title == "Detractor answers from anonymous respondents"
    assert "18 Oct" not in old.evidence
    assert "NPS 4" not in old.title
    assert old.cause_key == f"anonymous:withdrawn-{old.pk}"  # the task's own id
    assert Task.objects.get(cause_key=f"response:{named.pk}").title == "Detractor answer: NPS 5"
