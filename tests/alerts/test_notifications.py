"""In-app notifications and "follow this account": who hears of what, and who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tenure.access.services import role_assign
from tenure.accounts.permissions import AccessDenied
from tenure.alerts.choices import AlertRule, NotificationKind
from tenure.alerts.models import AccountFollow, AlertSettings, Notification
from tenure.alerts.notifications import (
    account_follow,
    account_unfollow,
    notification_settings_save,
    notifications_mark_read,
    notify,
)
from tenure.alerts.services import alerts_run
from tenure.engagement.services import interaction_log
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory

AS_OF = dt.date(2026, 11, 25)
MET_AT = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


@pytest.fixture
def kam(db):  # noqa: ARG001
    person = UserFactory(username="robin")
    role_assign(user=person, role="kam")
    return person


@pytest.fixture
def colleague(db):  # noqa: ARG001
    person = UserFactory(username="sam")
    role_assign(user=person, role="kam")
    return person


@pytest.fixture
def account(kam, colleague):
    account = AccountFactory(
        name="Alpha Foods", is_key_account=True, key_account_since=dt.date(2024, 1, 1)
    )
    TeamMembershipFactory(account=account, user=kam, role="kam")
    TeamMembershipFactory(account=account, user=colleague, role="sales")
    return account


def log(account, by, summary="Quarterly review with the buyer"):
    return interaction_log(
        account=account,
        occurred_at=MET_AT,
        kind="meeting",
        summary=summary,
        logged_by=by,
        today=AS_OF,
    )


# --- following --------------------------------------------------------------------------


def test_following_twice_is_one_follow_and_unfollowing_removes_it(kam, account):
    account_follow(user=kam, account=account)
    account_follow(user=kam, account=account)
    assert AccountFollow.objects.filter(user=kam, account=account).count() == 1
    account_unfollow(user=kam, account=account)
    assert not AccountFollow.objects.exists()


def test_following_an_account_one_may_not_see_is_refused(kam, settings):
    settings.TENURE_KAM_SEES_ALL = False
    hidden = AccountFactory(name="Zeta Steel")
    with pytest.raises(AccessDenied):
        account_follow(user=kam, account=hidden)
    assert not AccountFollow.objects.exists()


def test_the_follow_endpoint_refuses_an_account_one_may_not_see(client, kam, settings):
    settings.TENURE_KAM_SEES_ALL = False
    hidden = AccountFactory(name="Zeta Steel")
    client.force_login(kam)
    url = reverse("notifications:follow", args=[hidden.pk])
    assert client.post(url, {"follow": "1"}).status_code == 403
    assert client.get(url).status_code == 403
    assert not AccountFollow.objects.exists()


def test_the_follow_button_toggles_through_htmx(client, kam, account):
    client.force_login(kam)
    url = reverse("notifications:follow", args=[account.pk])
    assert "Follow this account" in client.get(url).content.decode()
    followed = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert "Following" in followed.content.decode()
    assert AccountFollow.objects.filter(user=kam, account=account).exists()
    unfollowed = client.post(url, {"follow": "0"}, headers={"HX-Request": "true"})
    assert "Follow this account" in unfollowed.content.decode()
    assert not AccountFollow.objects.exists()


def test_the_account_page_holds_the_follow_placeholder_not_a_query(client, kam, account):
    client.force_login(kam)
    page = client.get(account.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("notifications:follow", args=[account.pk])}"' in page
    assert 'id="notif-count"' in page


# --- creation on events -----------------------------------------------------------------


def test_someone_elses_interaction_on_a_followed_account_notifies_the_follower(
    kam, colleague, account
):
    account_follow(user=kam, account=account)
    log(account, colleague)
    (notice,) = Notification.objects.all()
    assert notice.recipient == kam
    assert notice.kind == NotificationKind.INTERACTION
    assert notice.link == account.get_absolute_url()
    assert "Alpha Foods" in notice.text
    assert "Quarterly review with the buyer" in notice.text


def test_ones_own_interaction_and_unfollowed_accounts_notify_nobody(kam, colleague, account):
    account_follow(user=kam, account=account)
    log(account, kam)  # my own
    other = AccountFactory(name="Beta Mills")
    TeamMembershipFactory(account=other, user=colleague, role="kam")
    log(other, colleague)  # an account I do not follow
    assert not Notification.objects.exists()


def test_a_raised_task_notifies_its_assignee_and_the_accounts_followers(kam, colleague, account):
    AlertSettings.objects.create(
        disabled_rules=[r for r in AlertRule.values if r != AlertRule.NO_STRATEGIC_CONTACT]
    )
    account_follow(user=colleague, account=account)
    assert alerts_run(as_of=AS_OF).raised_total == 1
    notices = Notification.objects.order_by("recipient__username")
    assert [n.recipient for n in notices] == [kam, colleague]
    assert all(n.kind == NotificationKind.TASK_RAISED for n in notices)
    assert all(n.text.startswith("New task on Alpha Foods:") for n in notices)
    # A second run raises nothing new, so it tells nobody again.
    alerts_run(as_of=AS_OF)
    assert Notification.objects.count() == 2


def test_a_dry_run_leaves_no_notification(kam, account):  # noqa: ARG001
    AlertSettings.objects.create(
        disabled_rules=[r for r in AlertRule.values if r != AlertRule.NO_STRATEGIC_CONTACT]
    )
    alerts_run(as_of=AS_OF, dry_run=True)
    assert not Notification.objects.exists()


def test_settings_off_means_no_notification_is_made(kam, colleague, account):
    account_follow(user=kam, account=account)
    notification_settings_save(user=kam, in_app=False, tasks=True, interactions=True)
    log(account, colleague)
    assert not Notification.objects.exists()


def test_a_kind_switched_off_is_not_made_while_others_are(kam, colleague, account):
    account_follow(user=kam, account=account)
    notification_settings_save(user=kam, in_app=True, tasks=True, interactions=False)
    log(account, colleague)
    assert not Notification.objects.exists()
    notify(account=account, kind=NotificationKind.TASK_RAISED, text="t", recipient_ids=[kam.pk])
    assert Notification.objects.filter(recipient=kam).count() == 1


def test_a_follower_who_lost_sight_of_the_account_is_not_told(kam, colleague, account, settings):
    settings.TENURE_KAM_SEES_ALL = False
    account_follow(user=colleague, account=account)
    account.team.filter(user=colleague).delete()
    log(account, kam)
    assert not Notification.objects.exists()


# --- reading ----------------------------------------------------------------------------


def make_notice(user, account, text="Something happened"):
    (notice,) = notify(
        account=account, kind=NotificationKind.TASK_RAISED, text=text, recipient_ids=[user.pk]
    )
    return notice


def test_a_user_sees_only_their_own_notifications(client, kam, colleague, account):
    make_notice(kam, account, "For robin")
    make_notice(colleague, account, "For sam")
    client.force_login(kam)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "For robin" in page
    assert "For sam" not in page
    assert f'href="{account.get_absolute_url()}"' in page


def test_marking_read_touches_only_ones_own(kam, colleague, account):
    mine = make_notice(kam, account)
    theirs = make_notice(colleague, account)
    assert notifications_mark_read(user=kam, ids=[mine.pk, theirs.pk]) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_the_count_endpoint_shows_the_unread_count_and_drops_after_mark_all_read(
    client, kam, colleague, account
):
    make_notice(kam, account)
    make_notice(kam, account)
    make_notice(colleague, account)
    client.force_login(kam)
    count = reverse("notifications:count")
    badge = '<span class="badge" aria-label="2 unread">2</span>'
    assert badge in client.get(count).content.decode()
    client.post(reverse("notifications:read"))
    assert client.get(count).content.decode() == "Notifications"


def test_the_count_endpoint_needs_a_login(client):
    response = client.get(reverse("notifications:count"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_empty_list_says_to_follow_an_account(client, kam):
    client.force_login(kam)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Follow an account to hear about it" in page


def test_the_list_is_newest_first_and_paginated(client, kam, account):
    for number in range(35):
        make_notice(kam, account, f"Notice number {number:02d}")
    client.force_login(kam)
    first = client.get(reverse("notifications:list")).content.decode()
    assert first.index("Notice number 34") < first.index("Notice number 33")
    assert "Notice number 04" not in first
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert "Notice number 04" in second


def test_the_settings_page_saves_the_choice(client, kam):
    client.force_login(kam)
    client.post(reverse("notifications:settings"), {"in_app": "on", "tasks": "on"})
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'name="in_app" checked' in page
    assert 'name="tasks" checked' in page
    assert 'name="interactions" checked' not in page


def test_a_merge_keeps_one_follow_of_the_kept_account(db):  # noqa: ARG001
    from tenure.accounts.merge import account_merge

    director = UserFactory(username="dana")
    role_assign(user=director, role="director")
    keep, duplicate, other = AccountFactory(), AccountFactory(), AccountFactory()
    account_follow(user=director, account=keep)
    account_follow(user=director, account=duplicate)
    reader = UserFactory(username="lee")
    role_assign(user=reader, role="director")
    account_follow(user=reader, account=duplicate)
    account_follow(user=reader, account=other)

    account_merge(keep=keep, duplicates=[duplicate], by=None, reason="same VAT number")

    follows = sorted(AccountFollow.objects.values_list("user__username", "account_id"))
    assert follows == sorted([("dana", keep.pk), ("lee", keep.pk), ("lee", other.pk)])
