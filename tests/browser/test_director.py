"""A director's day in Chromium: the team on the home page, two key-list proposals decided with
one reason without the page jumping, and several tasks closed at once."""

from __future__ import annotations

import pytest

from tenure.access.services import role_assign
from tenure.accounts.models import Account
from tenure.alerts.choices import TaskStatus
from tenure.alerts.models import Task
from tenure.scoring.models import KeyListDecision
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.alerts.factories import make_task
from tests.browser.conftest import SCREENSHOTS
from tests.scoring.queue_world import proposals_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def director(transactional_db):  # noqa: ARG001
    person = UserFactory(username="dana", first_name="Dana", last_name="Director")
    role_assign(user=person, role="director")
    return person


def test_a_director_decides_two_proposals_with_one_reason_and_stays_in_place(page, login, director):
    proposals_world(promotions=25)
    # The live server's first request loads every URLconf module: slow on a busy machine.
    page.set_default_navigation_timeout(60_000)
    login(director.username, PASSWORD)
    page.get_by_role("heading", name="Team", exact=True).wait_for()
    page.get_by_role("link", name="25 proposals").click()
    queue = page.locator("#queue")
    queue.get_by_role("heading", name="Key-list proposals (25 waiting)").wait_for()
    accept = page.get_by_role("button", name="Accept selected")
    accept.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 0
    page.get_by_label("Select P01").check()
    page.get_by_label("Select P02").check()
    page.get_by_label("One reason for the selected proposals").fill("Strategic for 2027")
    accept.click()
    page.get_by_text("2 proposals accepted: P01, P02.").wait_for()
    # The pressed button is gone with its row: focus moves to the message, not to the top.
    assert page.evaluate("document.activeElement.id") == "queue-status"
    assert queue.get_by_role("link", name="P01", exact=True).count() == 0
    assert queue.get_by_role("link", name="P02", exact=True).count() == 0
    assert queue.get_by_role("link", name="P21", exact=True).count() == 1  # moved up
    assert page.evaluate("window.scrollY") >= before * 0.8  # not back at the top
    page.get_by_role("heading", name="Key-list proposals (23 waiting)").wait_for()
    assert sorted(KeyListDecision.objects.values_list("account__name", "reason")) == [
        ("P01", "Strategic for 2027"),
        ("P02", "Strategic for 2027"),
    ]
    assert set(Account.objects.filter(is_key_account=True).values_list("name", flat=True)) == {
        "P01",
        "P02",
    }
    page.screenshot(path=str(SCREENSHOTS / "keylist-queue.png"))

    # One decision on its own row leaves the queue the same way.
    row = queue.locator("tr", has=page.get_by_role("link", name="P03", exact=True))
    row.get_by_label("Reason").fill("Not yet")
    row.get_by_role("button", name="Reject").click()
    page.get_by_text("P03 stays as it is; the decision is recorded.").wait_for()
    assert queue.get_by_role("link", name="P03", exact=True).count() == 0


def test_a_director_sees_the_team_and_closes_two_tasks_at_once(page, login, director):
    robin = UserFactory(username="robin", first_name="Robin", last_name="Kam")
    role_assign(user=robin, role="kam")
    account = AccountFactory(name="Alpha Foods", is_key_account=True)
    TeamMembershipFactory(account=account, user=robin, role="kam")
    first = make_task(account, robin, key="1", title="Call Alpha")
    second = make_task(account, robin, key="2", title="Visit Alpha")
    make_task(account, robin, key="3", title="Write to Alpha")

    page.set_default_navigation_timeout(60_000)  # the live server's cold start, as above
    login(director.username, PASSWORD)
    page.get_by_role("heading", name="Workload per manager").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "team-home.png"), full_page=True)
    page.get_by_role("link", name="3 open tasks").click()
    page.get_by_role("heading", name="Tasks").wait_for()
    page.get_by_label("Select all tasks on this page").check()
    assert page.get_by_label("Select “Call Alpha”").is_checked()
    page.get_by_label("Select “Write to Alpha”").uncheck()
    page.get_by_label("With the selected tasks").select_option("done")
    page.screenshot(path=str(SCREENSHOTS / "tasks-bulk.png"))
    page.get_by_role("button", name="Apply to selected…").click()
    page.get_by_role("heading", name="Close 2 tasks as done?").wait_for()
    page.get_by_role("button", name="Close them").click()
    page.get_by_text("Closed 2 tasks.").wait_for()
    assert page.get_by_text("Write to Alpha").is_visible()
    assert page.get_by_text("Call Alpha").count() == 0
    for task in (first, second):
        task.refresh_from_db()
        assert task.status == TaskStatus.DONE
        assert task.closed_by == director
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 1
