"""The account team partial: add and remove members in roles; one key account manager."""

from __future__ import annotations

import pytest

from tenure.access.services import role_assign
from tenure.accounts.models import TeamMembership
from tenure.audit.models import AuditEvent
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _kam():
    user = UserFactory()
    role_assign(user=user, role="kam")
    return user


def test_a_director_adds_a_key_account_manager_in_place_and_it_is_audited(logged_in_client):
    account = AccountFactory()
    manager = _kam()
    response = logged_in_client.post(
        f"/accounts/{account.pk}/team/add/", {"user": manager.pk, "role": "kam"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"is now key account manager on {account.name}." in page
    membership = TeamMembership.objects.get(account=account)
    assert (membership.user, membership.role) == (manager, "kam")
    assert AuditEvent.objects.filter(
        model="accounts.teammembership", action="create", account_id=account.pk
    ).exists()


def test_a_second_key_account_manager_is_refused_with_a_clear_message(logged_in_client):
    first = TeamMembershipFactory(role="kam")
    response = logged_in_client.post(
        f"/accounts/{first.account_id}/team/add/", {"user": _kam().pk, "role": "kam"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "already has a key account manager" in page
    assert "hand the account over instead" in page
    assert TeamMembership.objects.filter(account=first.account).count() == 1


def test_the_same_role_twice_is_refused_naming_the_person(logged_in_client):
    member = TeamMembershipFactory(role="support", user__first_name="Ada", user__last_name="Help")
    response = logged_in_client.post(
        f"/accounts/{member.account_id}/team/add/", {"user": member.user.pk, "role": "support"}
    )
    assert response.status_code == 400
    assert "Person: Ada Help is already customer support on" in response.content.decode()


def test_a_missing_person_is_named_in_the_message(logged_in_client, account):
    response = logged_in_client.post(f"/accounts/{account.pk}/team/add/", {"role": "finance"})
    assert response.status_code == 400
    assert "Person: This field is required." in response.content.decode()


def test_every_role_of_the_issue_can_be_given(logged_in_client, account):
    for role in ("support", "product", "finance", "sponsor"):
        response = logged_in_client.post(
            f"/accounts/{account.pk}/team/add/", {"user": _kam().pk, "role": role}
        )
        assert response.status_code == 302, role
    assert sorted(account.team.values_list("role", flat=True)) == [
        "finance",
        "product",
        "sponsor",
        "support",
    ]


def test_a_manager_on_the_team_adds_support_but_may_not_appoint_a_manager(client):
    mine = TeamMembershipFactory(role="kam")
    role_assign(user=mine.user, role="kam")
    client.force_login(mine.user)
    form = client.get(f"/accounts/{mine.account_id}/team/add/").content.decode()
    assert 'value="kam"' not in form
    assert "A director appoints the key account manager." in form
    helper = _kam()
    ok = client.post(
        f"/accounts/{mine.account_id}/team/add/", {"user": helper.pk, "role": "support"}
    )
    assert ok.status_code == 302
    refused = client.post(
        f"/accounts/{mine.account_id}/team/add/", {"user": helper.pk, "role": "kam"}
    )
    assert refused.status_code == 400
    assert "Role: Select a valid choice." in refused.content.decode()


def test_removal_asks_first_then_removes_and_is_audited(logged_in_client):
    member = TeamMembershipFactory(role="finance")
    url = f"/accounts/team/{member.pk}/remove/"
    ask = logged_in_client.get(url, **HTMX).content.decode()
    assert "Remove from the team" in ask
    assert TeamMembership.objects.filter(pk=member.pk).exists()
    done = logged_in_client.post(url, **HTMX).content.decode()
    assert "is no longer finance on" in done
    assert not TeamMembership.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(model="accounts.teammembership", action="delete").exists()


def test_the_manager_of_a_key_account_cannot_simply_be_removed(logged_in_client):
    member = TeamMembershipFactory(role="kam", account__is_key_account=True)
    response = logged_in_client.post(f"/accounts/team/{member.pk}/remove/")
    assert response.status_code == 400
    assert "a key account must keep its key account manager" in response.content.decode()
    assert TeamMembership.objects.filter(pk=member.pk).exists()


def test_a_manager_may_not_remove_the_key_account_manager(client):
    kam = TeamMembershipFactory(role="kam")
    colleague = TeamMembershipFactory(account=kam.account, role="support")
    role_assign(user=colleague.user, role="kam")
    client.force_login(colleague.user)
    assert client.post(f"/accounts/team/{kam.pk}/remove/").status_code == 403
    page = client.get(f"/accounts/{kam.account_id}/team/").content.decode()
    assert f"/accounts/team/{kam.pk}/remove/" not in page
    assert f"/accounts/team/{colleague.pk}/remove/" in page


def test_off_the_team_and_read_only_users_get_403_and_no_controls(client):
    member = TeamMembershipFactory(role="support")
    for role in ("kam", "analyst"):
        user = UserFactory()
        role_assign(user=user, role=role)
        client.force_login(user)
        page = client.get(f"/accounts/{member.account_id}/team/").content.decode()
        assert "Add a team member" not in page, role
        assert "Remove…" not in page, role
        add = client.post(
            f"/accounts/{member.account_id}/team/add/", {"user": user.pk, "role": "support"}
        )
        assert add.status_code == 403, role
        assert client.post(f"/accounts/team/{member.pk}/remove/").status_code == 403, role
    assert TeamMembership.objects.count() == 1


def test_a_director_hands_the_account_over_in_place(logged_in_client):
    old = TeamMembershipFactory(role="kam", account__is_key_account=True)
    new = _kam()
    new.first_name, new.last_name = "Nora", "Next"
    new.save()
    url = f"/accounts/{old.account_id}/team/handover/"
    assert "New key account manager" in logged_in_client.get(url, **HTMX).content.decode()
    page = logged_in_client.post(url, {"user": new.pk}, **HTMX).content.decode()
    assert f"Nora Next is now key account manager on {old.account.name}." in page
    assert list(old.account.team.values_list("user", "role")) == [(new.pk, "kam")]


def test_a_manager_may_not_hand_over(client):
    mine = TeamMembershipFactory(role="kam")
    role_assign(user=mine.user, role="kam")
    client.force_login(mine.user)
    assert "Hand over" not in client.get(f"/accounts/{mine.account_id}/team/").content.decode()
    response = client.post(f"/accounts/{mine.account_id}/team/handover/", {"user": _kam().pk})
    assert response.status_code == 403
    assert list(mine.account.team.values_list("user", flat=True)) == [mine.user.pk]
