"""API authentication: bearer tokens for scripts, the session (with CSRF) for the browser,
401 for everything else, and a limit on failed tokens per address and per token prefix."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from tenure.access.choices import Role
from tenure.access.models import ApiToken
from tenure.access.services import token_create, token_revoke
from tenure.accounts.models import Account
from tests.accounts.factories import AccountFactory
from tests.api.conftest import ApiClient, make_user


def _error(response) -> dict:
    return response.json()["error"]


@pytest.mark.usefixtures("db")
def test_no_credentials_get_401_json_not_a_login_redirect():
    response = Client().get("/api/v1/accounts")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_authenticates_and_records_its_use(director):
    issued = token_create(user=director, name="script")
    assert issued.token.last_used_at is None
    response = ApiClient(issued.secret).get("/accounts")
    assert response.status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


@pytest.mark.parametrize("case", ["revoked", "expired", "unknown", "malformed", "empty"])
def test_a_bad_token_gets_401(director, case):
    issued = token_create(user=director, name="script")
    secret = issued.secret
    if case == "revoked":
        token_revoke(token=issued.token)
    elif case == "expired":
        ApiToken.objects.filter(pk=issued.token.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    elif case == "unknown":
        secret = token_create(user=director, name="other").secret[:-2] + "xx"
    elif case == "malformed":
        secret = "hunter2"
    elif case == "empty":
        secret = ""
    response = Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert _error(response) == {
        "code": "unauthenticated",
        "message": "the API token is unknown, revoked or expired",
        "field": None,
    }


def test_a_bad_token_does_not_fall_back_to_the_session(director):
    client = Client()
    client.force_login(director)
    assert client.get("/api/v1/accounts").status_code == 200
    bad = client.get("/api/v1/accounts", headers={"Authorization": "Bearer tnr_" + "x" * 43})
    assert bad.status_code == 401


def test_the_session_reads_and_writes_with_csrf(director):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    assert client.get("/api/v1/accounts").status_code == 200
    body = json.dumps({"name": "Session Ltd"})
    refused = client.post("/api/v1/accounts", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in _error(refused)["message"]
    assert not Account.objects.filter(name="Session Ltd").exists()
    client.get("/me/tokens/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    created = client.post(
        "/api/v1/accounts", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201
    assert Account.objects.get(name="Session Ltd").pk == created.json()["id"]


def test_tokens_need_no_csrf(director):
    token = token_create(user=director, name="script").secret
    # The plain test client skips CSRF checks: only an enforcing one can show they are not asked.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/accounts",
        json.dumps({"name": "Script Ltd"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert Account.objects.filter(name="Script Ltd").exists()


@pytest.mark.usefixtures("director")
def test_repeated_bad_tokens_from_one_address_are_throttled(settings):
    settings.TENURE_LOGIN_RATE_LIMITS = {"token_ip": (3, 900)}
    client = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(3):
        bad = {"Authorization": f"Bearer tnr_{n}" + "y" * 42}
        assert client.get("/api/v1/accounts", headers=bad).status_code == 401
    another_bad = {"Authorization": "Bearer tnr_" + "z" * 43}
    throttled = client.get("/api/v1/accounts", headers=another_bad)
    assert throttled.status_code == 429
    assert _error(throttled)["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    elsewhere = Client(REMOTE_ADDR="10.1.1.2")
    assert elsewhere.get("/api/v1/accounts", headers=another_bad).status_code == 401


def test_a_valid_token_keeps_working_from_an_address_that_sent_bad_ones(director):
    good = token_create(user=director, name="integration").secret
    client = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(20):
        bad = {"Authorization": f"Bearer tnr_{n:02d}" + "y" * 41}
        client.get("/api/v1/accounts", headers=bad)
    bad = {"Authorization": "Bearer tnr_" + "q" * 43}
    assert client.get("/api/v1/accounts", headers=bad).status_code == 429
    served = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {good}"})
    assert served.status_code == 200
    assert "items" in served.json()


def test_the_same_bad_token_from_many_addresses_is_throttled_by_its_prefix(director, settings):
    settings.TENURE_LOGIN_RATE_LIMITS = {"token_prefix": (3, 900)}
    revoked = token_create(user=director, name="old")
    token_revoke(token=revoked.token)
    header = {"Authorization": f"Bearer {revoked.secret}"}
    for n in range(3):
        answer = Client(REMOTE_ADDR=f"10.2.0.{n}").get("/api/v1/accounts", headers=header)
        assert answer.status_code == 401
    throttled = Client(REMOTE_ADDR="10.2.0.9").get("/api/v1/accounts", headers=header)
    assert throttled.status_code == 429
    assert _error(throttled)["code"] == "throttled"
    fresh = token_create(user=director, name="new").secret
    served = Client(REMOTE_ADDR="10.2.0.9").get(
        "/api/v1/accounts", headers={"Authorization": f"Bearer {fresh}"}
    )
    assert served.status_code == 200


@pytest.mark.usefixtures("db")
def test_a_users_role_applies_through_their_token():
    account = AccountFactory()
    analyst = ApiClient(token_create(user=make_user(Role.ANALYST), name="t").secret)
    assert [item["id"] for item in analyst.get("/accounts").json()["items"]] == [account.pk]
    refused = analyst.post("/accounts", {"name": "Nope"})
    assert refused.status_code == 403
    assert _error(refused)["code"] == "forbidden"
    assert list(Account.objects.all()) == [account]


def test_the_schema_needs_credentials_and_the_docs_a_log_in(director):
    assert Client().get("/api/v1/openapi.json").status_code == 401
    token = token_create(user=director, name="t").secret
    schema = Client().get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert schema.status_code == 200
    assert "/api/v1/accounts" in schema.json()["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 302
    assert "/login/" in docs["Location"]
