"""The director's home: the team at a glance; a manager keeps "my accounts"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tenure.access.services import role_assign
from tenure.health.models import AccountHealth
from tenure.scoring.models import ScoringRun
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.alerts.factories import make_task

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)
NOON = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


def _manager(username: str, accounts: int):
    person = UserFactory(username=username, first_name=username.title(), last_name="")
    role_assign(user=person, role="kam")
    book = []
    for n in range(accounts):
        account = AccountFactory(name=f"{username.title()} account {n}", is_key_account=n == 0)
        TeamMembershipFactory(account=account, user=person, role="kam")
        book.append(account)
    return person, book


@pytest.fixture
def team():
    ada, ada_book = _manager("ada", 3)
    ben, ben_book = _manager("ben", 1)
    make_task(ada_book[0], ada, key="a", due=TODAY - dt.timedelta(days=2))
    make_task(ada_book[1], ada, key="b", due=TODAY + dt.timedelta(days=5))
    make_task(ben_book[0], ben, key="c", due=TODAY + dt.timedelta(days=1))
    make_task(ben_book[0], None, key="d", due=TODAY + dt.timedelta(days=1))
    return ada, ben, ada_book, ben_book


def _rows(page: str, name: str) -> str:
    start = page.index(f">{name}</a>")
    return page[start : page.index("</tr>", start)]


@pytest.mark.usefixtures("team")
def test_a_director_sees_each_managers_workload_and_overdue_items(logged_in_client):
    with time_machine.travel(NOON, tick=False):
        page = logged_in_client.get("/").content.decode()
    assert "<h1>Team</h1>" in page
    ada = _rows(page, "Ada")
    # 3 accounts, 1 key account, 2 open tasks (one given to nobody is not Ben's), 1 overdue
    cells = [c.split("<")[0] for c in ada.split("<td>")[1:]]
    assert cells[:2] == ["3", "1"]
    assert ">2</a>" in ada
    assert '<strong style="color:var(--bad)">1</strong>' in ada
    ben = _rows(page, "Ben")
    assert ">1</a>" in ben
    assert "4 open tasks" in page
    assert "1 overdue" in page
    assert "1 given to nobody" in page


def test_a_director_sees_accounts_at_risk_with_value_in_currency(logged_in_client, team):
    _ada, _ben, ada_book, _ = team
    run = ScoringRun.objects.create(as_of=TODAY, status="done", currency="EUR")
    AccountHealth.objects.create(
        run=run, account=ada_book[2], as_of=TODAY, risk=0.5, clv=Decimal(10_000)
    )
    AccountHealth.objects.create(run=run, account=ada_book[1], as_of=TODAY, risk=0.1)
    with time_machine.travel(NOON, tick=False):
        page = logged_in_client.get("/").content.decode()
    risk = page[page.index("Accounts at risk") : page.index("Key-list decisions waiting")]
    assert "Ada account 2" in risk
    assert "5,000 EUR" in risk
    assert "Ada account 1" not in risk  # 10 % is under the at-risk line


def test_with_nothing_yet_the_director_is_told_what_to_do(logged_in_client):
    page = logged_in_client.get("/").content.decode()
    assert "No key account managers assigned yet" in page
    assert "No open tasks across the team" in page
    assert "No key-list proposal waits for a decision" in page


def test_a_filter_or_view_accounts_gives_a_director_the_account_list(logged_in_client, team):
    page = logged_in_client.get("/?view=accounts").content.decode()
    assert "<h1>Accounts</h1>" in page
    assert "← The team" in page
    ada = team[0]
    by_manager = logged_in_client.get(f"/?manager={ada.pk}").content.decode()
    assert "Ada account 0" in by_manager
    assert "Ben account 0" not in by_manager


def test_a_manager_keeps_their_own_home(client, team):
    ada = team[0]
    client.force_login(ada)
    page = client.get("/").content.decode()
    assert "<h1>My accounts</h1>" in page
    assert "Workload per manager" not in page
    assert "← The team" not in page


@pytest.mark.usefixtures("team")
def test_the_team_home_makes_the_same_queries_for_two_managers_or_six(
    logged_in_client, django_assert_num_queries
):
    with time_machine.travel(NOON, tick=False):
        logged_in_client.get("/")  # warm the session
        # session, user, role, workload (books with their key accounts, managers with their
        # recent contacts, overdue actions), tasks,
        # at risk, latest portfolio, saved views (is a default set?): none per manager
        with django_assert_num_queries(11) as two:
            logged_in_client.get("/")
    for n in range(4):
        person, book = _manager(f"extra{n}", 2)
        make_task(book[1], person, key=f"x{n}", due=TODAY - dt.timedelta(days=1))
    with time_machine.travel(NOON, tick=False), django_assert_num_queries(len(two)):
        page = logged_in_client.get("/").content.decode()
    assert page.count("/?manager=") == 6


def test_contacts_per_week_count_from_the_start_of_the_local_day_four_weeks_back(team):
    from django.utils import timezone

    from tenure.engagement.services import interaction_log
    from tenure.scoring.selectors import manager_workload

    ada, _ben, ada_book, _ = team
    since = TODAY - dt.timedelta(weeks=4)
    for moment in (
        dt.datetime.combine(since, dt.time(0, 30)),  # counts: the first day of the window
        dt.datetime.combine(since - dt.timedelta(days=1), dt.time(23, 30)),  # the day before
    ):
        interaction_log(
            account=ada_book[0],
            occurred_at=timezone.make_aware(moment),
            kind="call",
            summary="x",
            logged_by=ada,
        )
    row = next(r for r in manager_workload(today=TODAY) if r["manager"] == ada)
    assert row["contacts_per_week"] == 0.2  # 1 contact / 4 weeks, rounded to one place


def test_a_director_sees_the_key_accounts_being_onboarded_with_overdue_steps(
    logged_in_client, team
):
    from tenure.planning.onboarding_services import onboarding_start

    ada_book = team[2]
    # Promoted 40 days ago: the default template's first steps are due within a month.
    onboarding_start(account=ada_book[0], started_on=TODAY - dt.timedelta(days=40))
    with time_machine.travel(NOON, tick=False):
        page = logged_in_client.get("/").content.decode()
    section = page[page.index('id="onboarding-portfolio-h"') :]
    assert "Onboarding new key accounts (1)" in section
    row = section[section.index(f">{ada_book[0].name}</a>") :]
    row = row[: row.index("</tr>")]
    overdue = row.split("<td>")[3]
    assert overdue.startswith('<strong style="color:var(--bad)">'), overdue
