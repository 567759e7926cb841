"""Alert tasks through the API: who sees which, filters, closing, dismissing, reopening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenure.access.choices import Role
from tenure.alerts.choices import AlertRule, TaskStatus
from tenure.alerts.models import Task
from tests.accounts.factories import AccountFactory, TeamMembershipFactory
from tests.alerts.factories import TODAY, make_task
from tests.api.conftest import ApiClient, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def kam():
    return make_user(Role.KEY_ACCOUNT_MANAGER, first_name="Robin", last_name="Hale")


@pytest.fixture
def colleague():
    return make_user(Role.KEY_ACCOUNT_MANAGER)


@pytest.fixture
def mine(kam):
    account = AccountFactory(name="Alpha Foods")
    TeamMembershipFactory(account=account, user=kam, role="kam")
    return account


@pytest.fixture
def theirs(colleague):
    account = AccountFactory(name="Zeta Steel")
    TeamMembershipFactory(account=account, user=colleague, role="kam")
    return account


@pytest.fixture
def my_task(mine, kam):
    return make_task(mine, kam)


@pytest.fixture
def their_task(theirs, colleague):
    return make_task(theirs, colleague, rule=AlertRule.DETRACTOR, key="answer:7")


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


# --- reading -------------------------------------------------------------------------------


@pytest.mark.usefixtures("their_task")
def test_the_list_shows_my_open_tasks_with_their_evidence(kam, mine, my_task):
    make_task(mine, None, key="unassigned")
    body = client_for(kam).get("/tasks").json()
    assert [item["id"] for item in body["items"]] == [my_task.pk]
    assert body["items"][0] == {
        "id": my_task.pk,
        "account_id": mine.pk,
        "account_name": "Alpha Foods",
        "rule": "high_risk",
        "rule_label": "Churn risk high",
        "cause_key": "",
        "title": "Churn risk high at Alpha Foods",
        "evidence": "Churn risk 62% within 180 days.",
        "evidence_url": mine.get_absolute_url(),
        "due_on": "2026-11-25",
        "status": "open",
        "assignee_id": kam.pk,
        "assignee_name": "Robin Hale",
        "raised_on": "2026-11-25",
        "checked_on": "2026-11-25",
        "closed_at": None,
        "closed_by_id": None,
        "resolution": "",
    }


def test_a_director_sees_everyones_tasks_on_request(api, my_task, their_task):
    assert _ids(api.get("/tasks")) == []  # none given to the director
    assert set(_ids(api.get("/tasks", assignee="all"))) == {my_task.pk, their_task.pk}


@pytest.mark.usefixtures("their_task")
def test_a_manager_restricted_to_their_accounts_never_sees_a_colleagues_task(
    settings, kam, my_task
):
    settings.TENURE_KAM_SEES_ALL = False
    assert _ids(client_for(kam).get("/tasks", assignee="all")) == [my_task.pk]


def test_filters_narrow_by_status_rule_assignee_and_account(
    api, kam, mine, theirs, my_task, their_task
):
    unassigned = make_task(theirs, None, rule=AlertRule.REVENUE_DOWN)
    done = make_task(mine, kam, rule=AlertRule.OVERDUE_ACTION, key="action:3")
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE, closed_at=timezone.now())
    every = {my_task.pk, their_task.pk, unassigned.pk}
    assert set(_ids(api.get("/tasks", assignee="all"))) == every
    assert _ids(api.get("/tasks", assignee="all", status="done")) == [done.pk]
    assert _ids(api.get("/tasks", assignee="all", status="closed")) == [done.pk]
    assert set(_ids(api.get("/tasks", assignee="all", status=""))) == every | {done.pk}
    assert _ids(api.get("/tasks", assignee="all", rule="detractor")) == [their_task.pk]
    assert _ids(api.get("/tasks", assignee="none")) == [unassigned.pk]
    assert _ids(api.get("/tasks", assignee=str(kam.pk))) == [my_task.pk]
    assert set(_ids(api.get("/tasks", assignee="all", account=str(theirs.pk)))) == {
        their_task.pk,
        unassigned.pk,
    }


def test_sorts_by_due_date_newest_raised_or_account(api, mine, theirs, kam):
    zeta_soon = make_task(theirs, kam, key="a", due=TODAY, raised=dt.date(2026, 11, 1))
    alpha_late = make_task(mine, kam, key="b", due=TODAY + dt.timedelta(days=9))
    alpha_soon = make_task(mine, kam, key="c", due=TODAY + dt.timedelta(days=1))
    every = {"assignee": "all"}
    assert _ids(api.get("/tasks", **every)) == [zeta_soon.pk, alpha_soon.pk, alpha_late.pk]
    assert _ids(api.get("/tasks", sort="due", **every)) == [
        zeta_soon.pk,
        alpha_soon.pk,
        alpha_late.pk,
    ]
    assert _ids(api.get("/tasks", sort="raised", **every)) == [
        alpha_soon.pk,
        alpha_late.pk,
        zeta_soon.pk,
    ]
    assert _ids(api.get("/tasks", sort="account", **every)) == [
        alpha_soon.pk,
        alpha_late.pk,
        zeta_soon.pk,
    ]


@pytest.mark.usefixtures("my_task")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "finished"),
        ("rule", "nps"),
        ("assignee", "someone"),
        ("assignee", "0"),
        ("account", "alpha"),
        ("sort", "name"),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_the_field(api, field, value):
    error = _error(api.get("/tasks", **{field: value}), 422)
    assert error["code"] == "validation_error"
    assert error["field"] == field


def test_the_list_is_paginated_like_the_others(api, mine, kam):
    for n in range(7):
        make_task(mine, kam, rule=AlertRule.OVERDUE_ACTION, key=f"action:{n}")
    body = api.get("/tasks", assignee="all", page=2, page_size=3).json()
    assert {k: v for k, v in body.items() if k != "items"} == {
        "total": 7,
        "page": 2,
        "page_size": 3,
        "pages": 3,
    }
    assert len(body["items"]) == 3
    assert api.get("/tasks", assignee="all", page=4, page_size=3).json()["items"] == []


@pytest.mark.parametrize("restricted", [False, True])
def test_the_list_takes_six_queries_whatever_the_number_of_tasks(settings, kam, mine, restricted):
    # The token with its user and role, the count, the page's first and last due dates, the
    # tasks due before them, the page's ids in order, the page (accounts and people joined).
    settings.TENURE_KAM_SEES_ALL = not restricted
    client = client_for(kam)

    def count() -> int:
        client.get("/tasks")  # the token's last use is written at most once a minute
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tasks", assignee="all", status="", page_size=100).status_code == 200
        return len(captured)

    make_task(mine, kam)
    few = count()
    for n in range(6):
        closer = make_user(Role.DIRECTOR)
        task = make_task(AccountFactory(), make_user(), key=f"{n}")
        TeamMembershipFactory(account=task.account, user=kam, role="kam")
        Task.objects.filter(pk=task.pk).update(
            status=TaskStatus.DONE, closed_at=timezone.now(), closed_by=closer
        )
    assert (few, count()) == (6, 6)
    listed = client.get("/tasks", assignee="all", status="", page_size=100).json()
    assert len(listed["items"]) == 7  # the six queries read them all


@pytest.mark.usefixtures("my_task")
def test_one_task_is_shown_to_whoever_sees_its_list(kam, their_task):
    body = client_for(kam).get(f"/tasks/{their_task.pk}").json()
    assert body["account_name"] == "Zeta Steel"
    assert body["rule_label"] == "Detractor answer"


def test_a_task_on_a_hidden_account_is_missing(settings, kam, their_task):
    settings.TENURE_KAM_SEES_ALL = False
    client = client_for(kam)
    error = _error(client.get(f"/tasks/{their_task.pk}"), 404)
    assert error == {
        "code": "not_found",
        "message": f"task {their_task.pk} does not exist",
        "field": "id",
    }
    assert _error(client.get("/tasks/999999"), 404)["code"] == "not_found"


def test_a_task_given_to_me_stays_visible_on_a_hidden_account(settings, kam, theirs):
    settings.TENURE_KAM_SEES_ALL = False
    handed = make_task(theirs, kam)
    assert client_for(kam).get(f"/tasks/{handed.pk}").json()["assignee_id"] == kam.pk


@pytest.mark.parametrize(
    "call",
    [
        lambda c, _pk: c.get("/tasks"),
        lambda c, pk: c.get(f"/tasks/{pk}"),
        lambda c, pk: c.post(f"/tasks/{pk}/close", {"status": "done"}),
        lambda c, pk: c.post(f"/tasks/{pk}/reopen"),
    ],
    ids=["list", "get", "close", "reopen"],
)
def test_without_credentials_every_task_endpoint_answers_401(my_task, call):
    response = call(ApiClient(), my_task.pk)
    assert _error(response, 401)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="tenure"'
    my_task.refresh_from_db()
    assert my_task.is_open


# --- closing and reopening -----------------------------------------------------------------


def test_closing_as_done_records_who_and_when(kam, my_task):
    response = client_for(kam).post(f"/tasks/{my_task.pk}/close", {"status": "done"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done"
    assert body["closed_by_id"] == kam.pk
    assert body["closed_at"] is not None
    assert body["account_name"] == "Alpha Foods"
    my_task.refresh_from_db()
    assert my_task.status == TaskStatus.DONE
    assert my_task.closed_by == kam


def test_dismissing_without_a_reason_is_refused(kam, my_task):
    response = client_for(kam).post(
        f"/tasks/{my_task.pk}/close", {"status": "dismissed", "note": "  "}
    )
    error = _error(response, 400)
    assert error["code"] == "invalid"
    assert error["message"] == "say why the task is dismissed: the note is kept with it"
    my_task.refresh_from_db()
    assert my_task.is_open


def test_dismissing_with_a_reason_keeps_it(kam, my_task):
    note = "Risk is seasonal; they order in spring."
    response = client_for(kam).post(
        f"/tasks/{my_task.pk}/close", {"status": "dismissed", "note": note}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dismissed"
    assert response.json()["resolution"] == note
    my_task.refresh_from_db()
    assert my_task.status == TaskStatus.DISMISSED
    assert my_task.resolution == note


def test_closing_twice_is_refused(kam, my_task):
    client = client_for(kam)
    assert client.post(f"/tasks/{my_task.pk}/close", {"status": "done"}).status_code == 200
    my_task.refresh_from_db()
    first = (my_task.status, my_task.closed_at, my_task.closed_by_id)
    again = client.post(f"/tasks/{my_task.pk}/close", {"status": "dismissed", "note": "Not now."})
    error = _error(again, 400)
    assert error["message"] == "this task is already done"
    my_task.refresh_from_db()
    assert (my_task.status, my_task.closed_at, my_task.closed_by_id) == first


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "resolved"}, "status"),  # cleared is for the rules, not for people
        ({}, "status"),
        ({"status": "done", "reason": "x"}, "reason"),
        ({"status": "done", "note": "x" * 301}, "note"),
    ],
    ids=["resolved", "no-status", "unknown-field", "long-note"],
)
def test_a_malformed_close_is_refused_naming_the_field(kam, my_task, body, field):
    error = _error(client_for(kam).post(f"/tasks/{my_task.pk}/close", body), 422)
    assert error["field"] == field
    my_task.refresh_from_db()
    assert my_task.is_open


def test_a_manager_off_the_team_cannot_close_a_colleagues_task(kam, their_task):
    error = _error(client_for(kam).post(f"/tasks/{their_task.pk}/close", {"status": "done"}), 403)
    assert error["message"] == "only the assignee or the account's team can close this task"
    their_task.refresh_from_db()
    assert their_task.is_open


def test_the_assignee_may_close_a_task_on_an_account_they_cannot_change(kam, theirs):
    handed = make_task(theirs, kam)
    response = client_for(kam).post(f"/tasks/{handed.pk}/close", {"status": "done"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    handed.refresh_from_db()
    assert handed.status == TaskStatus.DONE
    assert handed.closed_by == kam


def test_a_director_closes_anyones_task(api, director, their_task):
    body = api.post(f"/tasks/{their_task.pk}/close", {"status": "done"}).json()
    assert body["closed_by_id"] == director.pk
    their_task.refresh_from_db()
    assert their_task.status == TaskStatus.DONE
    assert their_task.closed_by == director


def test_an_analyst_reads_tasks_but_cannot_close_or_reopen_them(my_task):
    analyst = client_for(make_user(Role.ANALYST))
    assert _ids(analyst.get("/tasks", assignee="all")) == [my_task.pk]
    error = _error(analyst.post(f"/tasks/{my_task.pk}/close", {"status": "done"}), 403)
    assert error["code"] == "forbidden"
    my_task.refresh_from_db()
    assert my_task.is_open
    Task.objects.filter(pk=my_task.pk).update(status=TaskStatus.DONE, closed_at=timezone.now())
    assert _error(analyst.post(f"/tasks/{my_task.pk}/reopen"), 403)["code"] == "forbidden"


def test_an_analyst_cannot_close_even_a_task_given_to_them(mine):
    analyst = make_user(Role.ANALYST)
    handed = make_task(mine, analyst)
    error = _error(client_for(analyst).post(f"/tasks/{handed.pk}/close", {"status": "done"}), 403)
    assert error["message"] == "your role may read but not change data"
    handed.refresh_from_db()
    assert handed.is_open


def test_reopening_undoes_a_close(kam, my_task):
    client = client_for(kam)
    client.post(f"/tasks/{my_task.pk}/close", {"status": "dismissed", "note": "Not now."})
    response = client.post(f"/tasks/{my_task.pk}/reopen")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["closed_at"], body["closed_by_id"], body["resolution"]) == (
        "open",
        None,
        None,
        "",
    )
    my_task.refresh_from_db()
    assert my_task.is_open


def test_only_a_task_closed_by_a_person_can_be_reopened(kam, my_task):
    client = client_for(kam)
    error = _error(client.post(f"/tasks/{my_task.pk}/reopen"), 400)
    assert error["message"] == "only a task closed by a person can be reopened"
    # Cleared by the rules (the cause went away): that close is not undone either.
    Task.objects.filter(pk=my_task.pk).update(
        status=TaskStatus.RESOLVED, closed_at=timezone.now(), resolution="Cleared."
    )
    error = _error(client.post(f"/tasks/{my_task.pk}/reopen"), 400)
    assert error["message"] == "only a task closed by a person can be reopened"
    my_task.refresh_from_db()
    assert my_task.status == TaskStatus.RESOLVED


def test_a_manager_off_the_team_cannot_reopen_a_task_someone_else_closed(
    kam, colleague, their_task
):
    client_for(colleague).post(f"/tasks/{their_task.pk}/close", {"status": "done"})
    error = _error(client_for(kam).post(f"/tasks/{their_task.pk}/reopen"), 403)
    assert "reopen" in error["message"]
    their_task.refresh_from_db()
    assert their_task.status == TaskStatus.DONE


def test_whoever_closed_a_task_may_undo_it_even_once_the_account_is_hidden(settings, kam, theirs):
    handed = make_task(theirs, kam)
    client = client_for(kam)
    assert client.post(f"/tasks/{handed.pk}/close", {"status": "done"}).status_code == 200
    Task.objects.filter(pk=handed.pk).update(assignee=None)
    settings.TENURE_KAM_SEES_ALL = False
    assert client.get(f"/tasks/{handed.pk}").status_code == 404
    response = client.post(f"/tasks/{handed.pk}/reopen")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
