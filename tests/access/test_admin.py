"""Roles and tokens in the admin: roles are assigned, tokens only listed and revoked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenure.access.models import ApiToken, Profile
from tenure.access.services import token_create
from tests.accounts.factories import UserFactory


@pytest.mark.usefixtures("db")
def test_an_admin_assigns_a_role(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    target = UserFactory()
    response = client.post(
        reverse("admin:access_profile_add"), {"user": target.pk, "role": "analyst"}
    )
    assert response.status_code == 302, response.content
    assert Profile.objects.get(user=target).role == "analyst"


@pytest.mark.usefixtures("db")
def test_an_admin_revokes_tokens_but_cannot_make_or_read_them(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    issued = token_create(user=UserFactory(), name="leaked")
    changelist = client.get(reverse("admin:access_apitoken_changelist"))
    assert changelist.status_code == 200
    assert issued.secret not in changelist.content.decode()
    assert client.get(reverse("admin:access_apitoken_add")).status_code == 403
    page = client.get(reverse("admin:access_apitoken_change", args=[issued.token.pk]))
    assert page.status_code == 200  # shown, so the missing hash is the page's doing
    assert "leaked" in page.content.decode()
    assert issued.token.token_hash not in page.content.decode()
    client.post(
        reverse("admin:access_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
