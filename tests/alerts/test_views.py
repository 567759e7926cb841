"""The tasks page: who sees what, closing, dismissing with a reason, undo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import Task
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.alerts.factories import make_task


@pytest.fixture
def kam(db):  # noqa: ARG001
    person = UserFactory(username="robin")
    role_assign(user=person, role="kam")
    return person


@pytest.fixture
def tasks(kam):
    mine = AccountFactory(name="Alpha Foods", is_key_account=True)
    TeamMembershipFactory(account=mine, user=kam, role="kam")
    theirs = AccountFactory(name="Zeta Steel", is_key_account=True)
    colleague = UserFactory(username="sam")
    role_assign(user=colleague, role="kam")
    TeamMembershipFactory(account=theirs, user=colleague, role="kam")
    return make_task(mine, kam), make_task(theirs, colleague)


def test_the_tasks_page_needs_a_login(client):
    response = client.get(reverse("alerts:tasks"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.usefixtures("tasks")
def test_a_manager_sees_their_tasks_and_not_a_colleagues(client, kam, settings):
    settings.TENURE_KAM_SEES_ALL = False
    client.force_login(kam)
    page = client.get(reverse("alerts:tasks")).content.decode()
    assert "Alpha Foods" in page
    assert "Zeta Steel" not in page
    everyone = client.get(reverse("alerts:tasks") + "?assignee=all").content.decode()
    assert "Alpha Foods" in everyone
    assert "Zeta Steel" not in everyone  # not on their team: hidden whatever the filter


@pytest.mark.usefixtures("tasks")
def test_where_managers_read_every_account_they_see_a_colleagues_tasks_on_request(client, kam):
    client.force_login(kam)
    mine = client.get(reverse("alerts:tasks")).content.decode()
    assert "Alpha Foods" in mine
    assert "Zeta Steel" not in mine
    everyone = client.get(reverse("alerts:tasks") + "?assignee=all").content.decode()
    assert "Zeta Steel" in everyone


def test_a_director_sees_everyones_tasks_and_filters_them(logged_in_client, tasks):
    page = logged_in_client.get(reverse("alerts:tasks") + "?assignee=all").content.decode()
    assert "Alpha Foods" in page
    assert "Zeta Steel" in page
    filtered = logged_in_client.get(
        reverse("alerts:tasks") + f"?assignee={tasks[1].assignee_id}"
    ).content.decode()
    assert "Zeta Steel" in filtered
    assert "Alpha Foods" not in filtered
    none = logged_in_client.get(reverse("alerts:tasks") + "?rule=detractor&assignee=all")
    assert "No tasks match" in none.content.decode()


def test_an_empty_list_explains_where_tasks_come_from(client, kam):
    client.force_login(kam)
    assert "No open tasks for you" in client.get(reverse("alerts:tasks")).content.decode()


def test_closing_as_done_then_undo(client, kam, tasks):
    client.force_login(kam)
    task = tasks[0]
    response = client.post(reverse("alerts:close", args=[task.pk]), {"status": "done"})
    assert response.status_code == 302
    assert f"closed={task.pk}" in response["Location"]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.closed_by == kam
    banner = client.get(response["Location"]).content.decode()
    assert "Closed “Churn risk high at Alpha Foods” as done." in banner
    assert "Undo" in banner

    client.post(reverse("alerts:reopen", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert task.closed_at is None


def test_dismissing_needs_a_reason(client, kam, tasks):
    client.force_login(kam)
    task = tasks[0]
    response = client.post(
        reverse("alerts:close", args=[task.pk]), {"status": "dismissed", "note": " "}, follow=True
    )
    assert "say why the task is dismissed" in response.content.decode()
    task.refresh_from_db()
    assert task.is_open
    client.post(
        reverse("alerts:close", args=[task.pk]),
        {"status": "dismissed", "note": "Risk is seasonal; they order in spring."},
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DISMISSED
    assert task.resolution.startswith("Risk is seasonal")


def test_a_colleagues_task_cannot_be_closed(client, kam, tasks):
    client.force_login(kam)
    response = client.post(reverse("alerts:close", args=[tasks[1].pk]), {"status": "done"})
    assert response.status_code == 403
    tasks[1].refresh_from_db()
    assert tasks[1].is_open


def test_closing_refuses_a_get_and_an_unsafe_next(client, kam, tasks):
    client.force_login(kam)
    assert client.get(reverse("alerts:close", args=[tasks[0].pk])).status_code == 405
    tasks[0].refresh_from_db()
    assert tasks[0].is_open  # a GET never closes
    response = client.post(
        reverse("alerts:close", args=[tasks[0].pk]),
        {"status": "done", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("alerts:tasks"))
    assert "evil.example" not in response["Location"]
    tasks[0].refresh_from_db()
    assert tasks[0].status == TaskStatus.DONE  # the unsafe next is dropped, not the close


def test_the_tasks_page_pages_and_keeps_its_queries_flat(
    client, kam, django_assert_max_num_queries
):
    account = AccountFactory(name="Alpha Foods", is_key_account=True)
    TeamMembershipFactory(account=account, user=kam, role="kam")
    for n in range(60):
        make_task(account, kam, rule=AlertRule.OVERDUE_ACTION, key=f"action:{n}", title=f"T{n:02d}")
    client.force_login(kam)
    # Two of them find the page through its due dates (``tenure.core.paging``).
    with django_assert_max_num_queries(10):
        first = client.get(reverse("alerts:tasks")).content.decode()
    assert "Page 1 of 2 · 60 tasks" in first
    second = client.get(reverse("alerts:tasks") + "?page=2").content.decode()
    assert "T59" in second
    assert "T00" not in second


def test_the_home_page_counts_my_open_and_overdue_tasks(client, kam):
    today = timezone.localdate()
    account = AccountFactory(name="Alpha Foods", is_key_account=True)
    TeamMembershipFactory(account=account, user=kam, role="kam")
    make_task(account, kam, due=today + dt.timedelta(days=2))
    client.force_login(kam)
    page = client.get("/").content.decode()
    assert "1 open task</strong>" in page
    assert "overdue</strong>" not in page
    make_task(account, kam, key="late", due=today - dt.timedelta(days=3))
    page = client.get("/").content.decode()
    assert "2 open tasks</strong>" in page
    assert "1 overdue</strong>" in page
    Task.objects.update(status=TaskStatus.DONE, closed_at=timezone.now())
    home = client.get("/")
    assert home.status_code == 200
    assert "open task" not in home.content.decode()
