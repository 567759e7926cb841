"""Lists paged in two steps (``tenure.core.paging``) show the rows of the one-query list,
in the same order and with the same figures, on every sort and page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from tenure.alerts.selectors import SORTS, TaskFilters, task_list, task_pages
from tenure.web.account_index import ACCOUNT_SORTS, account_list, account_rows
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.alerts.factories import make_task
from tests.engagement.factories import InteractionFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)


@pytest.fixture
def accounts():
    # Names repeat (ties broken by id), tiers and managers vary, some accounts have neither.
    managers = [UserFactory(username=f"kam{n}") for n in range(4)]
    made = []
    for n, (name, tier) in enumerate(
        [("Birch", "A"), ("Alder", "C"), ("Birch", ""), ("Cedar", "B"), ("Alder", "A")] * 3
    ):
        account = AccountFactory(name=name, tier=tier)
        if n % 3:
            TeamMembershipFactory(account=account, user=managers[n % 4])
        if n % 2:
            InteractionFactory(
                account=account, is_strategic=n % 4 == 1, occurred_at=WHEN - dt.timedelta(days=n)
            )
        made.append(account)
    return made


FIGURES = ("manager_name", "manager_id", "last_strategic_at", "last_interaction_at")


@pytest.mark.usefixtures("accounts")
@pytest.mark.parametrize("sort", list(ACCOUNT_SORTS))
def test_account_pages_show_the_lists_rows_in_its_order(sort):
    whole = list(account_list(sort=sort))
    rows = account_rows(sort=sort, visible=Q())
    assert rows.count() == len(whole) == 15
    paged = rows[0:4] + rows[4:10] + rows[10:25]
    assert [a.pk for a in paged] == [a.pk for a in whole]
    for shown, listed in zip(paged, whole, strict=True):
        assert [getattr(shown, f) for f in FIGURES] == [getattr(listed, f) for f in FIGURES]
        assert shown.has_open_issue == listed.has_open_issue


@pytest.mark.parametrize("sort", list(SORTS))
def test_task_pages_show_the_lists_rows_in_its_order(sort):
    director = UserFactory(is_staff=True, is_superuser=True)
    for n in range(9):
        account = AccountFactory(name=["Oak", "Elm", "Ash"][n % 3])
        make_task(account, None, key=f"k{n}", due=dt.date(2026, 6, 1 + n % 4))
    filters = TaskFilters(assignee="all", sort=sort)
    whole = list(task_list(user=director, filters=filters))
    pages = task_pages(user=director, filters=filters)
    assert [t.pk for t in pages[0:5] + pages[5:50]] == [t.pk for t in whole]
    assert pages[0].account.name == whole[0].account.name  # loaded with the page


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("assignee", ["all", "me"])
def test_task_pages_of_every_size_cut_the_list_where_it_does(sort, assignee):
    # Pages cut through runs of one due date (or raise date) whose order then depends on the
    # account's name: the lead-key window must count the rows before it exactly.
    director = UserFactory(is_staff=True, is_superuser=True)
    names = ["Oak", "Elm", "Ash", "Birch"]
    accounts = [AccountFactory(name=names[n % 4]) for n in range(8)]
    for n in range(23):
        make_task(
            accounts[(n * 5) % 8],
            director if n % 3 else None,
            key=f"k{n}",
            due=dt.date(2026, 6, 1 + (n * 7) % 5),
            raised=dt.date(2026, 5, 1 + (n * 3) % 4),
        )
    filters = TaskFilters(assignee=assignee, sort=sort)
    whole = [t.pk for t in task_list(user=director, filters=filters)]
    pages = task_pages(user=director, filters=filters)
    assert pages.count() == len(whole)
    for size in (1, 2, 3, 5, 7, 25):
        cut = [t.pk for start in range(0, len(whole), size) for t in pages[start : start + size]]
        assert cut == whole, size
    assert pages[len(whole) : len(whole) + 5] == []
    assert [t.pk for t in pages[20:40]] == whole[20:]


def test_a_lead_that_does_not_lead_the_sort_is_refused():
    from tenure.alerts.models import Task
    from tenure.core.paging import PagedRows

    with pytest.raises(ValueError, match="not the first key"):
        PagedRows(Task.objects.order_by("account__name", "due_on"), list, lead="due_on")
