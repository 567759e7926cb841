"""The account record page: the header's key figures, tabs loaded on demand, fixed queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tenure.alerts.models import Task
from tenure.health.models import AccountHealth
from tenure.scoring.models import AccountSnapshot, RevenueSeries, ScoringRun
from tests.accounts.factories import PositionFactory, TeamMembershipFactory, UserFactory
from tests.engagement.factories import InteractionFactory, TouchpointFactory
from tests.planning.factories import MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 1)
TABS = ("overview", "timeline", "people", "plans", "feedback", "growth", "history")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC), tick=False):
        yield


def _scored(account, *, as_of, health, risk, drivers=(), revenue=Decimal(0), currency="EUR"):
    run = ScoringRun.objects.create(as_of=as_of, status="done", currency=currency)
    AccountSnapshot.objects.create(run=run, account=account, as_of=as_of, revenue_t12m=revenue)
    return AccountHealth.objects.create(
        run=run,
        account=account,
        as_of=as_of,
        health_score=health,
        risk=risk,
        risk_horizon_days=180,
        risk_drivers=[{"text": text} for text in drivers],
        clv=Decimal("1500000"),
        clv_months=36,
    )


@pytest.fixture
def birch(db):  # noqa: ARG001
    position = PositionFactory(account__name="Birch Foods", contact__first_name="Ina")
    account = position.account
    TeamMembershipFactory(
        account=account, role="kam", user=UserFactory(first_name="Anna", last_name="Berg")
    )
    InteractionFactory(account=account, is_strategic=True, summary="QBR held")
    MilestoneFactory(account=account, title="Broken pallets")
    ObjectiveFactory(plan__account=account, plan__title="Protect the core")
    return account


def test_header_shows_the_key_figures_with_trend_driver_and_currency(logged_in_client, birch):
    _scored(birch, as_of=dt.date(2026, 5, 31), health=60.0, risk=0.3)
    _scored(
        birch,
        as_of=dt.date(2026, 6, 30),
        health=68.4,
        risk=0.214,
        drivers=["No order for 95 days, three times its usual interval", "Fewer contacts"],
        revenue=Decimal("812345.50"),
    )
    TouchpointFactory(account=birch, scheduled_on=dt.date(2026, 6, 20), title="Missed")
    TouchpointFactory(account=birch, scheduled_on=dt.date(2026, 7, 14), title="Plant visit")
    TouchpointFactory(account=birch, scheduled_on=dt.date(2026, 9, 1), title="Later")
    for status in ("open", "open", "done"):
        Task.objects.create(
            account=birch,
            rule="no_strategic",
            cause_key=f"k-{status}-{Task.objects.count()}",
            title="Call them",
            evidence="quiet",
            due_on=TODAY,
            status=status,
            closed_at=None if status == "open" else dt.datetime(2026, 6, 30, tzinfo=dt.UTC),
            raised_on=TODAY,
            checked_on=TODAY,
        )
    page = logged_in_client.get(birch.get_absolute_url()).content.decode()
    start = page.index('<header class="account-header"')
    header = page[start : page.index("</header>", start)]
    assert "<strong>68</strong> / 100" in header
    assert '▲ +8</span> <span class="muted">since 31 May 2026' in header
    assert "<strong>21 %</strong>" in header
    assert "No order for 95 days, three times its usual interval" in header
    assert "Fewer contacts" not in header  # the main driver only
    assert "<strong>812,346 EUR</strong>" in header
    assert '<strong>1,500,000 EUR</strong> <span class="muted">over 36 months' in header
    assert "Anna Berg" in header
    assert "<strong>14 Jul 2026</strong>" in header
    assert "Plant visit" in header
    assert "<strong>2</strong> open" in header
    assert "no answers" in header  # NPS


def test_header_of_an_unscored_account_says_so(logged_in_client, birch):
    page = logged_in_client.get(birch.get_absolute_url()).content.decode()
    assert "not scored yet" in page
    assert "nothing planned" in page


def test_page_renders_the_first_tab_only_and_marks_it_selected(logged_in_client, birch):
    page = logged_in_client.get(birch.get_absolute_url()).content.decode()
    assert 'role="tablist"' in page
    assert 'id="tab-overview" href="?tab=overview"' in page
    assert 'aria-selected="true">Overview</a>' in page
    assert 'aria-selected="false">Timeline</a>' in page
    assert 'role="tabpanel" aria-labelledby="tab-overview"' in page
    assert "Single-threaded" in page  # the overview's warning
    assert "QBR held" not in page  # the timeline is not loaded with the page
    assert "Protect the core" not in page


@pytest.mark.parametrize(
    ("tab", "shown"),
    [
        ("timeline", "QBR held"),
        ("timeline", "Broken pallets"),
        ("people", "Ina"),
        ("plans", "Protect the core"),
        ("feedback", "Customer feedback"),
        ("growth", "Grow the account"),
        ("history", "History"),
    ],
)
def test_each_tab_opens_by_link_without_javascript(logged_in_client, birch, tab, shown):
    page = logged_in_client.get(f"{birch.get_absolute_url()}?tab={tab}").content.decode()
    assert 'aria-selected="true">' in page
    assert f'role="tabpanel" aria-labelledby="tab-{tab}"' in page
    assert shown in page


def test_an_unknown_tab_name_opens_the_overview(logged_in_client, birch):
    page = logged_in_client.get(f"{birch.get_absolute_url()}?tab=nope").content.decode()
    assert 'role="tabpanel" aria-labelledby="tab-overview"' in page


def test_tab_partial_is_the_tab_alone(logged_in_client, birch):
    url = reverse("accounts:tab", args=[birch.pk, "timeline"])
    response = logged_in_client.get(url, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "QBR held" in body
    assert "<html" not in body
    assert 'role="tablist"' not in body


def test_tab_address_opened_directly_gives_the_whole_page_on_that_tab(logged_in_client, birch):
    url = reverse("accounts:tab", args=[birch.pk, "people"])
    response = logged_in_client.get(f"{url}?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{birch.get_absolute_url()}?page=2&tab=people"


def test_unknown_tab_address_is_404(logged_in_client, birch):
    url = reverse("accounts:tab", args=[birch.pk, "secrets"])
    assert logged_in_client.get(url, **HTMX).status_code == 404


def test_a_manager_cannot_open_a_tab_of_an_account_they_do_not_see(client, birch, settings):
    from tenure.access.services import role_assign

    settings.TENURE_KAM_SEES_ALL = False
    outsider = UserFactory()
    role_assign(user=outsider, role="kam")
    client.force_login(outsider)
    url = reverse("accounts:tab", args=[birch.pk, "people"])
    assert client.get(url, **HTMX).status_code == 404
    assert client.get(birch.get_absolute_url()).status_code == 404


def test_a_reader_who_may_not_change_the_account_gets_no_log_action(client, birch):
    from tenure.access.services import role_assign

    reader = UserFactory()
    role_assign(user=reader, role="kam")  # sees every account, changes only their own
    client.force_login(reader)
    page = client.get(birch.get_absolute_url()).content.decode()
    assert 'id="log-open"' not in page
    assert 'id="log-dialog"' not in page


def test_history_is_hidden_from_a_role_without_personal_data(client, birch):
    from tenure.access.services import role_assign

    analyst = UserFactory()
    role_assign(user=analyst, role="analyst")
    client.force_login(analyst)
    page = client.get(reverse("accounts:tab", args=[birch.pk, "history"]), **HTMX).content.decode()
    assert "Your role does not see the change history" in page
    assert "Broken pallets" not in page


def test_timeline_puts_what_is_next_above_what_happened(logged_in_client, birch):
    TouchpointFactory(account=birch, scheduled_on=dt.date(2026, 6, 1), title="Overdue visit")
    page = logged_in_client.get(
        reverse("accounts:tab", args=[birch.pk, "timeline"]), **HTMX
    ).content.decode()
    assert page.index("Overdue visit") < page.index("Cadence and coming up")
    assert page.index("Cadence and coming up") < page.index("What happened")
    assert page.index("What happened") < page.index("QBR held")


def test_timeline_pages_stay_on_the_timeline_tab(logged_in_client, birch):
    for _ in range(21):
        InteractionFactory(account=birch)
    page = logged_in_client.get(f"{birch.get_absolute_url()}?tab=timeline").content.decode()
    assert 'href="?tab=timeline&amp;page=2"' in page


def _grow(account, times):
    for _ in range(times):
        PositionFactory(account=account)
        InteractionFactory(account=account)
        MilestoneFactory(account=account)
        ObjectiveFactory(plan__account=account)
        TouchpointFactory(account=account, scheduled_on=dt.date(2026, 6, 1))


#: Queries of the whole page (header and overview) and of each tab's partial; the same with
#: ten times the rows. A tab that starts to read per row fails here.
PAGE_QUERIES = 30
TAB_QUERIES = {
    "overview": 21,
    "timeline": 11,
    "people": 7,
    "plans": 8,
    "feedback": 6,
    "growth": 7,
    "history": 13,
}


def test_page_and_each_tab_read_in_fixed_queries(
    logged_in_client, birch, django_assert_max_num_queries
):
    _scored(birch, as_of=dt.date(2026, 5, 31), health=60.0, risk=0.3)
    _scored(birch, as_of=dt.date(2026, 6, 30), health=68.0, risk=0.2, revenue=Decimal(9))
    RevenueSeries.objects.create(
        account=birch, as_of=TODAY, first_month=dt.date(2025, 7, 1), values=[1.0] * 12
    )
    _grow(birch, 1)  # one of each kind of record, so the history links to each kind
    counts = {}
    with django_assert_max_num_queries(PAGE_QUERIES) as page:
        logged_in_client.get(birch.get_absolute_url())  # warm: the session, the role
    with django_assert_max_num_queries(PAGE_QUERIES) as page:
        logged_in_client.get(birch.get_absolute_url())
    counts["page"] = len(page.captured_queries)
    for tab in TABS:
        with django_assert_max_num_queries(TAB_QUERIES[tab]) as captured:
            response = logged_in_client.get(reverse("accounts:tab", args=[birch.pk, tab]), **HTMX)
        assert response.status_code == 200, tab
        counts[tab] = len(captured.captured_queries)

    _grow(birch, 10)
    with django_assert_max_num_queries(counts["page"]):
        logged_in_client.get(birch.get_absolute_url())
    for tab in TABS:
        with django_assert_max_num_queries(counts[tab], info=tab):
            logged_in_client.get(reverse("accounts:tab", args=[birch.pk, tab]), **HTMX)
