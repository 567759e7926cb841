"""The "My API tokens" page: create (the secret shown once), list, revoke with confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenure.access.models import ApiToken
from tenure.access.services import token_create
from tests.accounts.factories import UserFactory


@pytest.mark.usefixtures("db")
def test_the_page_needs_a_log_in(client):
    response = client.get(reverse("access:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_creating_a_token_shows_its_secret_once(logged_in_client, user):
    response = logged_in_client.post(
        reverse("access:tokens"), {"name": "ERP sync", "expires_in_days": "30"}
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "ERP sync"
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 30
    again = logged_in_client.get(reverse("access:tokens")).content.decode()
    assert secret not in again
    assert token.prefix in again
    assert "ERP sync" in again


def test_a_refused_name_shows_the_reason(logged_in_client, user):
    token_create(user=user, name="sync")
    response = logged_in_client.post(
        reverse("access:tokens"), {"name": "sync", "expires_in_days": "90"}
    )
    assert response.status_code == 400
    assert "already have a token" in response.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1


def test_revoking_asks_first_then_revokes(logged_in_client, user):
    token = token_create(user=user, name="old").token
    url = reverse("access:token_revoke", args=[token.pk])
    confirm = logged_in_client.get(url)
    assert confirm.status_code == 200
    assert "Revoke “old”?" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = logged_in_client.post(url, follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "is revoked" in response.content.decode()
    assert logged_in_client.post(url).status_code == 404


def test_nobody_revokes_someone_elses_token(logged_in_client):
    theirs = token_create(user=UserFactory(), name="theirs").token
    url = reverse("access:token_revoke", args=[theirs.pk])
    assert logged_in_client.get(url).status_code == 404
    assert logged_in_client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_list_shows_only_the_users_own_tokens(logged_in_client, user):
    token_create(user=user, name="nightly-export")
    token_create(user=UserFactory(), name="colleagues-script")
    page = logged_in_client.get(reverse("access:tokens")).content.decode()
    assert "nightly-export" in page
    assert "colleagues-script" not in page
