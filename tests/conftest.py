"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP; production's HTTPS settings are tested on their own."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Deliberately slow hashing protects real passwords, not test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_throttle_counters(settings):
    """Each test counts rate limits under its own key prefix, so no count leaks into the next.

    The counters sit in a database table (the throttle cache), which live-server tests do
    not roll back; a prefix needs no database access to set up.
    """
    store = {**settings.CACHES[settings.THROTTLE_CACHE], "KEY_PREFIX": uuid.uuid4().hex}
    settings.CACHES = {**settings.CACHES, settings.THROTTLE_CACHE: store}


@pytest.fixture
def user(db):  # noqa: ARG001
    """A director: sees and changes every account (role tests narrow this down)."""
    # Imported here so tests of the Django-free insights can run without Django.
    from tenure.access.services import role_assign
    from tests.accounts.factories import UserFactory

    user = UserFactory()
    role_assign(user=user, role="director")
    return user


@pytest.fixture
def account(db):  # noqa: ARG001
    from tests.accounts.factories import AccountFactory

    return AccountFactory()


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def _live_server_speaks_http():
    from django.conf import settings

    if settings.SECURE_SSL_REDIRECT:
        pytest.fail("browser tests need TENURE_HTTPS=0 (make test-browser sets it)")


@pytest.fixture(scope="session")
def browser(_live_server_speaks_http):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (fixtures, assertions) are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    def _login(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    return _login


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that use a database.

    The PostgreSQL run exists to prove the store: a test that opens no connection behaves
    the same on either engine and already ran in the SQLite runs. Tests that reach the
    server their own way (subprocesses, the PostgreSQL ledger) say so with the `store` mark
    or the `postgres_ledger` fixture.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    database_fixtures = {"db", "transactional_db", "live_server", "postgres_ledger"}
    kept, deselected = [], []
    for item in items:
        uses_database = (
            item.get_closest_marker("django_db")
            or item.get_closest_marker("store")
            or database_fixtures & set(getattr(item, "fixturenames", ()))
        )
        (kept if uses_database else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_collection_finish(session):
    """Refuse a run in which `--dist loadgroup` no longer groups.

    Modules with costly module-scoped fixtures (a scored demo, a Spark reference run, a
    backup archive) carry an `xdist_group` mark so that one worker builds them once. When
    pytest-xdist cannot tag a test's id with its group (pytest 9.2 with xdist 3.8), the
    marks are silently ignored and each worker builds every such fixture again: the suite
    still passes, only minutes slower. Failing here says why.
    """
    # Set in each xdist worker of a `--dist loadgroup` run, absent otherwise.
    if not getattr(session.config.option, "loadgroup", False):
        return
    ungrouped = [
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if ungrouped:
        raise pytest.UsageError(
            f"--dist loadgroup did not group {len(ungrouped)} tests marked xdist_group (first: "
            f"{ungrouped[0]}); this pytest-xdist cannot tag this pytest's test ids "
            "(see the pin in pyproject.toml)"
        )
