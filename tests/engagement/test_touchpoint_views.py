"""The touchpoint pages: plan from the account panel or the calendar, move, complete and skip
in place (htmx) or with plain forms; the calendar's default view per role."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tenure.access.services import role_assign
from tenure.engagement.choices import TouchpointStatus
from tenure.engagement.models import Interaction, Touchpoint
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.engagement.factories import InteractionFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager():
    return UserFactory(username="kim", first_name="Kim", last_name="Kam")


@pytest.fixture
def account(manager):
    return TeamMembershipFactory(user=manager, account__name="Harbour Foods").account


@pytest.fixture
def kim(client: Client, manager) -> Client:
    client.force_login(manager)
    return client


def test_planning_from_the_panel_swaps_the_panel_with_the_new_touchpoint(kim, account):
    response = kim.post(
        f"/accounts/{account.pk}/touchpoints/new/",
        {"scheduled_on": "2026-12-03", "kind": "conference", "title": "Food fair"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.templates[0].name == "engagement/_account_upcoming_body.html"
    body = response.content.decode()
    assert "Planned: Food fair on" in body
    assert "Thu 3 Dec 2026" in body
    touchpoint = Touchpoint.objects.get()
    assert (touchpoint.kind, touchpoint.owner_id) == ("conference", account.team.get().user_id)


def test_planning_without_javascript_redirects_back_where_it_came_from(kim, account):
    response = kim.post(
        f"/accounts/{account.pk}/touchpoints/new/",
        {"scheduled_on": "2026-12-03", "kind": "event", "next": "/calendar/?scope=mine"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?scope=mine"
    offsite = kim.post(
        f"/accounts/{account.pk}/touchpoints/new/",
        {"scheduled_on": "2026-12-04", "kind": "event", "next": "https://evil.example/"},
    )
    assert offsite["Location"] == f"/accounts/{account.pk}/"


def test_a_past_date_is_refused_with_a_message_naming_the_field(kim, account):
    response = kim.post(
        f"/accounts/{account.pk}/touchpoints/new/",
        {"scheduled_on": "2026-11-20", "kind": "meeting"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Date: the date, " in body
    assert "is before today" in body
    assert not Touchpoint.objects.exists()


def test_moving_in_place_returns_the_entry_and_the_plain_form_redirects(kim, account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    plain_page = kim.get(f"/touchpoints/{touchpoint.pk}/?next=/calendar/").content.decode()
    assert "Business review with Harbour Foods" in plain_page  # a whole page, without htmx
    assert 'name="next" value="/calendar/"' in plain_page
    response = kim.post(
        f"/touchpoints/{touchpoint.pk}/move/", {"scheduled_on": "2026-12-08"}, **HTMX
    )
    assert response.status_code == 200
    assert "Moved from" in response.content.decode()
    assert f'id="entry-touchpoint-{touchpoint.pk}"' in response.content.decode()
    plain = kim.post(
        f"/touchpoints/{touchpoint.pk}/move/", {"scheduled_on": "2026-12-10", "next": "/calendar/"}
    )
    assert plain["Location"] == "/calendar/"
    touchpoint.refresh_from_db()
    assert touchpoint.scheduled_on == dt.date(2026, 12, 10)


def test_a_bad_move_shows_the_forms_again_with_the_error_in_place(kim, account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    response = kim.post(
        f"/touchpoints/{touchpoint.pk}/move/", {"scheduled_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 200  # htmx swaps 2xx only
    assert "New date: the date, " in response.content.decode()
    touchpoint.refresh_from_db()
    assert touchpoint.scheduled_on == dt.date(2026, 12, 1)


def test_completing_links_a_logged_interaction_of_the_account(kim, account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 11, 25))
    logged = InteractionFactory(account=account, occurred_at=NOW)
    response = kim.post(f"/touchpoints/{touchpoint.pk}/done/", {"interaction": logged.pk}, **HTMX)
    assert "Marked done." in response.content.decode()
    touchpoint.refresh_from_db()
    assert (touchpoint.status, touchpoint.interaction_id) == (TouchpointStatus.DONE, logged.pk)


def test_done_and_log_goes_to_the_log_form_which_completes_the_touchpoint(kim, account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 11, 25))
    response = kim.post(f"/touchpoints/{touchpoint.pk}/done/", {"log": "1"})
    assert response["Location"] == f"/accounts/{account.pk}/log/?touchpoint={touchpoint.pk}"
    form = kim.get(response["Location"])
    assert "Logging this marks the touchpoint done" in form.content.decode()
    kim.post(
        f"/accounts/{account.pk}/log/",
        {
            "kind": "meeting",
            "occurred_at": "2026-11-25T08:30",
            "summary": "Reviewed the quarter",
            "sentiment": "0",
            "touchpoint": touchpoint.pk,
        },
    )
    touchpoint.refresh_from_db()
    assert touchpoint.status == TouchpointStatus.DONE
    assert touchpoint.interaction == Interaction.objects.get()


def test_skipping_needs_a_reason(kim, account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    missing = kim.post(f"/touchpoints/{touchpoint.pk}/skip/", {"reason": ""})
    assert missing.status_code == 400
    assert "Why is it skipped: This field is required." in missing.content.decode()
    kim.post(f"/touchpoints/{touchpoint.pk}/skip/", {"reason": "Plant closed for a week"})
    touchpoint.refresh_from_db()
    assert (touchpoint.status, touchpoint.skip_reason) == ("skipped", "Plant closed for a week")


def test_a_manager_cannot_change_another_teams_touchpoints(kim):
    other = TouchpointFactory(account=AccountFactory(), scheduled_on=dt.date(2026, 12, 1))
    assert kim.get(f"/touchpoints/{other.pk}/").status_code == 403
    for action, data in (
        ("move", {"scheduled_on": "2026-12-05"}),
        ("done", {}),
        ("skip", {"reason": "no"}),
    ):
        assert kim.post(f"/touchpoints/{other.pk}/{action}/", data).status_code == 403
    new = kim.post(
        f"/accounts/{other.account_id}/touchpoints/new/",
        {"scheduled_on": "2026-12-05", "kind": "meeting"},
    )
    assert new.status_code == 403
    other.refresh_from_db()
    assert (other.status, other.scheduled_on) == ("planned", dt.date(2026, 12, 1))
    assert Touchpoint.objects.count() == 1


def test_the_panel_offers_changes_only_on_accounts_the_user_may_change(kim, account):
    TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1))
    foreign = TouchpointFactory(account=AccountFactory(), scheduled_on=dt.date(2026, 12, 1))
    mine = kim.get(f"/accounts/{account.pk}/upcoming/").content.decode()
    assert "Reschedule, complete or skip" in mine
    assert "Plan touchpoint" in mine
    theirs = kim.get(f"/accounts/{foreign.account_id}/upcoming/").content.decode()
    assert "Reschedule, complete or skip" not in theirs
    assert "Plan touchpoint" not in theirs


def test_the_calendar_defaults_to_mine_for_a_manager_and_the_team_for_a_director(
    kim, manager, account
):
    TouchpointFactory(
        account=account, owner=manager, scheduled_on=dt.date(2026, 12, 1), title="My review"
    )
    colleague_account = AccountFactory(name="Baltic Mills")
    TouchpointFactory(
        account=colleague_account,
        owner=UserFactory(username="lee"),
        scheduled_on=dt.date(2026, 12, 2),
        title="Lee's visit",
    )
    page = kim.get("/calendar/").content.decode()
    assert "My touchpoint calendar" in page
    assert "My review" in page
    assert "Lee&#x27;s visit" not in page
    team = kim.get("/calendar/?scope=team").content.decode()
    assert "Lee&#x27;s visit" in team

    director = UserFactory(username="dana")
    role_assign(user=director, role="director")
    boss = Client()
    boss.force_login(director)
    page = boss.get("/calendar/").content.decode()
    assert "The team's touchpoint calendar" in page
    assert "My review" in page
    assert "Lee&#x27;s visit" in page


def test_planning_from_the_calendar_offers_only_accounts_one_may_change(kim, account):
    foreign = AccountFactory(name="Baltic Mills")
    page = kim.get("/calendar/").content.decode()
    assert "Harbour Foods" in page
    assert "Baltic Mills" not in page
    refused = kim.post(
        "/calendar/?scope=mine",
        {"account": foreign.pk, "scheduled_on": "2026-12-03", "kind": "meeting"},
    )
    assert refused.status_code == 400
    assert "Account: Select a valid choice." in refused.content.decode()
    planned = kim.post(
        "/calendar/?scope=mine",
        {"account": account.pk, "scheduled_on": "2026-12-03", "kind": "event", "title": "Expo"},
    )
    assert planned["Location"] == "/calendar/?scope=mine"
    assert Touchpoint.objects.get().title == "Expo"


def test_the_cadence_check_never_sends_the_csrf_token_in_its_get_url(kim, account):
    form = kim.get(f"/accounts/{account.pk}/log/").content.decode()
    check = form[form.index('id="cadence-check"') :]
    check = check[: check.index("</div>")]
    assert 'hx-params="occurred_at,contacts"' in check
    assert "hx-get=" in check


def test_the_calendar_page_query_count_does_not_grow_with_entries(
    kim, manager, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for i in range(n):
            account = TeamMembershipFactory(user=manager).account
            TouchpointFactory(account=account, owner=manager, scheduled_on=dt.date(2026, 12, 1 + i))

    add(2)
    with django_assert_max_num_queries(30) as few:
        assert kim.get("/calendar/").status_code == 200
    add(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Reschedule, complete or skip" in kim.get("/calendar/").content.decode()


def test_the_team_calendar_leaves_out_accounts_hidden_from_a_manager(kim, account, settings):
    settings.TENURE_KAM_SEES_ALL = False
    TouchpointFactory(account=account, scheduled_on=dt.date(2026, 12, 1), title="Ours")
    TouchpointFactory(account=AccountFactory(), scheduled_on=dt.date(2026, 12, 1), title="Hidden")
    team = kim.get("/calendar/?scope=team").content.decode()
    assert "Ours" in team
    assert "Hidden" not in team


def test_a_hidden_accounts_touchpoint_is_missing_not_forbidden(kim, settings):
    settings.TENURE_KAM_SEES_ALL = False
    hidden = TouchpointFactory(account=AccountFactory(), scheduled_on=dt.date(2026, 12, 1))
    assert kim.get(f"/touchpoints/{hidden.pk}/").status_code == 404
    assert kim.post(f"/touchpoints/{hidden.pk}/skip/", {"reason": "x"}).status_code == 404


def test_the_meeting_brief_carries_the_touchpoint_section(kim, account):
    brief = kim.get(f"/accounts/{account.pk}/brief/").content.decode()
    assert 'id="account-upcoming"' in brief
    assert f"/accounts/{account.pk}/upcoming/" in brief


def test_done_and_log_in_place_sends_htmx_to_the_log_form(kim, account):
    touchpoint = TouchpointFactory(account=account, scheduled_on=dt.date(2026, 11, 25))
    response = kim.post(f"/touchpoints/{touchpoint.pk}/done/", {"log": "1"}, **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/{account.pk}/log/?touchpoint={touchpoint.pk}"
    touchpoint.refresh_from_db()
    assert touchpoint.status == TouchpointStatus.PLANNED  # done once the interaction is logged


def test_the_log_form_ignores_another_accounts_touchpoint(kim, account):
    elsewhere = TouchpointFactory(account=AccountFactory(), scheduled_on=dt.date(2026, 11, 25))
    kim.post(
        f"/accounts/{account.pk}/log/",
        {
            "kind": "call",
            "occurred_at": "2026-11-25T08:30",
            "summary": "Quick call",
            "sentiment": "0",
            "touchpoint": elsewhere.pk,
        },
    )
    assert Interaction.objects.filter(account=account).count() == 1
    elsewhere.refresh_from_db()
    assert elsewhere.status == TouchpointStatus.PLANNED
