"""The tasks page as a worklist: the team by default for a director, bulk close, snooze and
reassign (confirmed, permission-checked per task, audited), and saved views."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tenure.access.services import role_assign
from tenure.accounts.permissions import AccessDenied
from tenure.alerts import services
from tenure.alerts.choices import TaskStatus
from tenure.alerts.models import Task, TaskView
from tenure.audit.models import AuditEvent
from tenure.core.errors import DomainError
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.alerts.factories import TODAY, make_task

pytestmark = pytest.mark.django_db


def _kam(username: str):
    person = UserFactory(username=username)
    role_assign(user=person, role="kam")
    return person


@pytest.fixture
def people():
    return _kam("robin"), _kam("sam")


@pytest.fixture
def tasks(people):
    robin, sam = people
    mine = AccountFactory(name="Alpha Foods")
    TeamMembershipFactory(account=mine, user=robin, role="kam")
    theirs = AccountFactory(name="Zeta Steel")
    TeamMembershipFactory(account=theirs, user=sam, role="kam")
    return (
        make_task(mine, robin, key="1", title="Call Alpha"),
        make_task(mine, robin, key="2", title="Visit Alpha"),
        make_task(theirs, sam, key="3", title="Call Zeta"),
    )


def _open_titles(response) -> list[str]:
    return [t.title for t in response.context["page"].object_list]


def test_a_director_sees_the_teams_open_tasks_by_default(logged_in_client, tasks):
    response = logged_in_client.get(reverse("alerts:tasks"))
    assert response.context["filters"].assignee == "all"
    assert sorted(_open_titles(response)) == sorted(t.title for t in tasks)
    mine = logged_in_client.get(reverse("alerts:tasks") + "?assignee=me")
    assert _open_titles(mine) == []
    assert "No open tasks for you" in mine.content.decode()


@pytest.mark.usefixtures("tasks")
def test_a_manager_sees_their_own_tasks_by_default(client, people):
    client.force_login(people[0])
    response = client.get(reverse("alerts:tasks"))
    assert response.context["filters"].assignee == "me"
    assert sorted(_open_titles(response)) == ["Call Alpha", "Visit Alpha"]


def test_bulk_close_asks_for_confirmation_then_closes_all_and_audits(client, people, tasks):
    robin = people[0]
    client.force_login(robin)
    chosen = {"task": [tasks[0].pk, tasks[1].pk], "op": "done", "next": "/tasks/"}
    confirm = client.post(reverse("alerts:bulk"), chosen)
    assert confirm.status_code == 200
    assert "Close 2 tasks as done?" in confirm.content.decode()
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 3  # nothing yet
    events = AuditEvent.objects.count()
    done = client.post(reverse("alerts:bulk"), {**chosen, "confirmed": "yes"}, follow=True)
    assert "Closed 2 tasks." in done.content.decode()
    for task in tasks[:2]:
        task.refresh_from_db()
        assert task.status == TaskStatus.DONE
        assert task.closed_by == robin
    assert AuditEvent.objects.count() == events + 2


def test_a_manager_cannot_bulk_close_tasks_on_accounts_they_cannot_change(client, people, tasks):
    client.force_login(people[0])
    response = client.post(
        reverse("alerts:bulk"),
        {"task": [tasks[0].pk, tasks[2].pk], "op": "done", "confirmed": "yes"},
        follow=True,
    )
    assert "Nothing changed: only the assignee or the account" in response.content.decode()
    assert "“Call Zeta”" in response.content.decode()
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 3  # not even their own


def test_the_bulk_services_check_every_task_before_changing_any(people, tasks):
    robin, sam = people
    with pytest.raises(AccessDenied):
        services.tasks_snooze(task_ids=[tasks[1].pk, tasks[2].pk], days=7, by=robin, today=TODAY)
    tasks[1].refresh_from_db()
    assert tasks[1].due_on == TODAY
    with pytest.raises(DomainError, match="select at least one task"):
        services.tasks_close(task_ids=[], status=TaskStatus.DONE, by=robin)
    services.task_close(task=tasks[2], status=TaskStatus.DONE, by=sam)
    with pytest.raises(DomainError, match="closed already"):
        services.tasks_close(task_ids=[tasks[2].pk], status=TaskStatus.DONE, by=sam)


def test_snooze_moves_the_due_date_and_never_earlier(people, tasks):
    robin = people[0]
    late = make_task(tasks[0].account, robin, key="late", due=TODAY + dt.timedelta(days=30))
    services.tasks_snooze(task_ids=[tasks[0].pk, late.pk], days=7, by=robin, today=TODAY)
    tasks[0].refresh_from_db()
    late.refresh_from_db()
    assert tasks[0].due_on == TODAY + dt.timedelta(days=7)
    assert late.due_on == TODAY + dt.timedelta(days=30)
    with pytest.raises(DomainError, match="1 to 90 days"):
        services.tasks_snooze(task_ids=[tasks[0].pk], days=91, by=robin, today=TODAY)


def test_snooze_through_the_page_names_the_days_field_when_wrong(client, people, tasks):
    client.force_login(people[0])
    response = client.post(
        reverse("alerts:bulk"),
        {"task": [tasks[0].pk], "op": "snooze", "days": "400", "confirmed": "yes"},
        follow=True,
    )
    assert "Days: snooze for 1 to 90 days." in response.content.decode()
    response = client.post(
        reverse("alerts:bulk"),
        {"task": [tasks[0].pk], "op": "snooze", "days": "3", "confirmed": "yes"},
        follow=True,
    )
    assert "Snoozed for 3 days 1 task." in response.content.decode()


def test_reassign_gives_tasks_only_to_someone_who_may_change_the_account(
    logged_in_client, people, tasks
):
    sam = people[1]
    refused = logged_in_client.post(
        reverse("alerts:bulk"),
        {"task": [tasks[0].pk, tasks[2].pk], "op": "reassign", "assignee": sam.pk},
    )
    assert "Give 2 tasks to" in refused.content.decode()  # the confirmation first
    refused = logged_in_client.post(
        reverse("alerts:bulk"),
        {
            "task": [tasks[0].pk, tasks[2].pk],
            "op": "reassign",
            "assignee": sam.pk,
            "confirmed": "yes",
        },
        follow=True,
    )
    assert "may not change Alpha Foods" in refused.content.decode()
    tasks[2].refresh_from_db()
    assert tasks[2].assignee == sam
    TeamMembershipFactory(account=tasks[0].account, user=sam, role="support")
    logged_in_client.post(
        reverse("alerts:bulk"),
        {
            "task": [tasks[0].pk, tasks[1].pk],
            "op": "reassign",
            "assignee": sam.pk,
            "confirmed": "yes",
        },
    )
    assert set(Task.objects.filter(assignee=sam).values_list("title", flat=True)) == {
        "Call Alpha",
        "Visit Alpha",
        "Call Zeta",
    }


def test_bulk_refuses_a_get(client, people):
    client.force_login(people[0])
    assert client.get(reverse("alerts:bulk")).status_code == 405


@pytest.mark.usefixtures("tasks")
def test_a_saved_default_view_opens_with_the_page_and_is_per_user(client, people):
    robin, sam = people
    client.force_login(robin)
    saved = client.post(
        reverse("alerts:view_save"),
        {"name": "Everyone by account", "assignee": "all", "sort": "account", "default": "1"},
    )
    assert saved.status_code == 302
    view = TaskView.objects.get(user=robin)
    assert view.is_default
    response = client.get(reverse("alerts:tasks"))
    assert (response.context["filters"].assignee, response.context["filters"].sort) == (
        "all",
        "account",
    )
    assert _open_titles(response) == ["Call Alpha", "Visit Alpha", "Call Zeta"]
    assert 'aria-current="page">Everyone by account' in response.content.decode()
    # An explicit filter wins over the default.
    assert client.get(reverse("alerts:tasks") + "?assignee=me").context["filters"].assignee == "me"
    # A second default replaces the first; another person is not affected.
    client.post(reverse("alerts:view_save"), {"name": "Mine", "assignee": "me", "default": "1"})
    assert list(
        TaskView.objects.filter(user=robin, is_default=True).values_list("name", flat=True)
    ) == ["Mine"]
    client.force_login(sam)
    assert client.get(reverse("alerts:tasks")).context["saved_views"] == []


def test_a_view_needs_a_name_and_only_its_owner_deletes_it(client, people):
    robin, sam = people
    client.force_login(robin)
    response = client.post(reverse("alerts:view_save"), {"name": "  "}, follow=True)
    assert "View name: name the view." in response.content.decode()
    client.post(reverse("alerts:view_save"), {"name": "Mine"})
    view = TaskView.objects.get(user=robin)
    client.force_login(sam)
    assert client.post(reverse("alerts:view_delete", args=[view.pk])).status_code == 404
    client.force_login(robin)
    client.post(reverse("alerts:view_delete", args=[view.pk]))
    assert not TaskView.objects.exists()


def test_the_tasks_page_with_views_and_bulk_keeps_its_queries_flat(
    logged_in_client, people, django_assert_max_num_queries
):
    account = AccountFactory(name="Many")
    TeamMembershipFactory(account=account, user=people[0], role="kam")
    for n in range(40):
        make_task(account, people[0], key=f"k{n}", title=f"T{n:02d}")
    logged_in_client.post(reverse("alerts:view_save"), {"name": "All", "assignee": "all"})
    with django_assert_max_num_queries(11):
        page = logged_in_client.get(reverse("alerts:tasks")).content.decode()
    assert page.count('name="task"') == 40


def test_a_manager_who_sees_only_their_accounts_can_reassign_only_to_their_teams(
    client, people, tasks, settings
):
    settings.TENURE_KAM_SEES_ALL = False
    robin, sam = people
    colleague = UserFactory(username="kim")
    TeamMembershipFactory(account=tasks[0].account, user=colleague, role="support")
    client.force_login(robin)
    offered = list(client.get(reverse("alerts:tasks")).context["assignees"])
    assert offered == [colleague, robin]
    assert sam not in offered
