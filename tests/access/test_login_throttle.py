"""Failed log-ins are limited per username and per client address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

PASSWORD = "correct horse battery"


def _logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.usefixtures("db")
def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(client):
    user = UserFactory()
    for _ in range(5):
        assert _login(client, user.username, "wrong").status_code == 200
    locked = _login(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("db")
def test_the_lock_follows_the_username_to_other_addresses(client):
    user = UserFactory()
    for n in range(5):
        _login(client, user.username, "wrong", address=f"10.0.1.{n}")
    assert _login(client, user.username.upper(), PASSWORD, address="10.9.9.9").status_code == 429
    assert _logged_in_as(client) is None


@pytest.mark.usefixtures("db")
def test_other_usernames_still_log_in(client):
    victim, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        _login(client, victim.username, "wrong")
    response = _login(client, colleague.username, PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert _logged_in_as(client) == str(colleague.pk)


@pytest.mark.usefixtures("db")
def test_one_address_guessing_many_usernames_is_locked(client, settings):
    settings.TENURE_LOGIN_RATE_LIMITS = {"login_ip": (3, 900)}
    user = UserFactory()
    for n in range(3):
        _login(client, f"nobody{n}", "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 429
    assert _logged_in_as(client) is None
    assert _login(client, user.username, PASSWORD, address="10.0.0.3").status_code == 302
    assert _logged_in_as(client) == str(user.pk)


@pytest.mark.usefixtures("db")
def test_a_right_password_clears_the_usernames_failures(client):
    user = UserFactory()
    for _ in range(4):
        _login(client, user.username, "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, user.username, "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 302
    assert _logged_in_as(client) == str(user.pk)


def _admin_login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.mark.usefixtures("db")
def test_the_admin_login_refuses_a_username_locked_on_the_login_page(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        _login(client, staff.username, "wrong")
    locked = _admin_login(client, staff.username, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("db")
def test_wrong_passwords_on_the_admin_login_count_toward_the_login_page(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        refused = _admin_login(client, staff.username, "wrong")
        assert refused.status_code == 200
        assert "_auth_user_id" not in client.session
    assert _admin_login(client, staff.username, PASSWORD).status_code == 429
    assert _login(client, staff.username, PASSWORD, address="10.0.0.9").status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("db")
def test_the_admin_login_still_lets_staff_in_and_keeps_others_out(client):
    staff = UserFactory(is_staff=True)
    page = client.get(reverse("admin:login"))
    assert page.status_code == 200
    assert "Tenure administration" in page.content.decode()
    entered = _admin_login(client, staff.username, PASSWORD)
    assert entered.status_code == 302
    assert entered["Location"] == "/admin/"
    client.logout()
    colleague = UserFactory()
    kept_out = _admin_login(client, colleague.username, PASSWORD)
    assert kept_out.status_code == 200
    assert "_auth_user_id" not in client.session
    # A right password refused for not being staff is no guess: it is not counted.
    for _ in range(5):
        _admin_login(client, colleague.username, PASSWORD)
    assert _login(client, colleague.username, PASSWORD).status_code == 302
