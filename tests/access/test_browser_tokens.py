"""A person makes an API token, copies it once, uses it, reads the API reference, and
revokes the token — in a real browser."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.accounts.factories import AccountFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def _api_status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_create_use_and_revoke_a_token(page, login, live_server, settings):
    settings.SECURE_SSL_REDIRECT = False
    user = UserFactory(username="pat", is_staff=True)
    AccountFactory(name="Acme")
    login(user.username, PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("heading", name="My API tokens").wait_for()
    page.get_by_label("Name").fill("notebook")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("tnr_")
    assert page.get_by_text("shown only this once").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-tokens.png"))
    assert _api_status(f"{live_server.url}/api/v1/accounts", secret) == 200

    page.reload()
    assert secret not in page.content()
    page.get_by_role("link", name="Revoke…").click()
    page.get_by_role("button", name="Revoke token").click()
    page.get_by_text("is revoked").wait_for()
    assert _api_status(f"{live_server.url}/api/v1/accounts", secret) == 401


def test_the_api_reference_renders_from_local_files(page, login, live_server):
    user = UserFactory(username="sam")
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    login(user.username, PASSWORD)
    page.goto(f"{live_server.url}/api/v1/docs")
    # Swagger UI parses the whole schema in the page: on a busy 2-core machine that alone can
    # take longer than the default 10 s.
    page.get_by_text("/api/v1/accounts/{account_id}/interactions").first.wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Tenure API").first.is_visible()
    assert outside == []
