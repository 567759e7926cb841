"""Rate limits are counted in one store that every server process shares."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
import textwrap
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from tenure.access import throttle
from tests.accounts.factories import UserFactory
from tests.core.conftest import inherited_environ

FROZEN = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


def _database_url() -> str:
    """The URL of the test database, for another process to open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _fail_in_another_process(username: str, address: str, failures: int) -> None:
    """Count ``failures`` failed log-ins in a separate Python process (a second worker)."""
    prefix = settings.CACHES[settings.THROTTLE_CACHE].get("KEY_PREFIX", "")
    script = textwrap.dedent(
        f"""
        import django, time_machine
        from django.conf import settings
        django.setup()
        settings.CACHES[settings.THROTTLE_CACHE]["KEY_PREFIX"] = {prefix!r}
        from django.test import RequestFactory
        from tenure.access import throttle
        with time_machine.travel({FROZEN.isoformat()!r}, tick=False):
            request = RequestFactory().post("/login/", REMOTE_ADDR={address!r})
            for _ in range({failures}):
                throttle.login_failed(request, {username!r})
        """
    )
    env = {
        **inherited_environ(),
        "DJANGO_SETTINGS_MODULE": "tenure.settings",
        "TENURE_DATABASE_URL": _database_url(),
    }
    env.pop("TENURE_CACHE_URL", None)
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_failures_counted_by_another_process_lock_the_login_here(client):
    user = UserFactory()
    _fail_in_another_process(user.username, "10.4.4.4", failures=5)
    with time_machine.travel(FROZEN, tick=False):
        request = RequestFactory().post("/login/", REMOTE_ADDR="10.4.4.5")
        assert not throttle.login_allowed(request, user.username).allowed
        locked = client.post(
            reverse("login"),
            {"username": user.username, "password": "correct horse battery"},
            REMOTE_ADDR="10.4.4.5",
        )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_two_processes_add_up_to_one_limit():
    user = UserFactory()
    _fail_in_another_process(user.username, "10.4.4.4", failures=3)
    with time_machine.travel(FROZEN, tick=False):
        request = RequestFactory().post("/login/", REMOTE_ADDR="10.4.4.6")
        assert throttle.login_allowed(request, user.username).allowed
        throttle.login_failed(request, user.username)
        throttle.login_failed(request, user.username)
        assert not throttle.login_allowed(request, user.username).allowed


def test_the_counters_live_in_the_database_unless_a_cache_url_is_set():
    from tenure.settings import THROTTLE_CACHE_TABLE, _throttle_cache

    default = _throttle_cache("")
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == THROTTLE_CACHE_TABLE
    redis = _throttle_cache("redis://cache.internal:6379/0")
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/0",
    }
    memcached = _throttle_cache("memcached://cache.internal:11211")
    assert memcached["LOCATION"] == "cache.internal:11211"
    with pytest.raises(ValueError, match="TENURE_CACHE_URL"):
        _throttle_cache("ftp://cache.internal")


@pytest.mark.django_db(transaction=True)
def test_the_migrations_create_the_throttle_table_on_a_fresh_database():
    from django.db.migrations.executor import MigrationExecutor

    from tenure.settings import THROTTLE_CACHE_TABLE

    migration = importlib.import_module("tenure.access.migrations.0002_throttle_cache_table")
    assert migration.TABLE == THROTTLE_CACHE_TABLE
    executor = MigrationExecutor(connection)
    assert ("access", "0002_throttle_cache_table") in executor.loader.applied_migrations
    with connection.schema_editor() as editor:
        migration.drop_table(None, editor)
    assert THROTTLE_CACHE_TABLE not in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        migration.create_table(None, editor)
    assert THROTTLE_CACHE_TABLE in connection.introspection.table_names()
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.4.4.7")
    for _ in range(5):
        throttle.login_failed(request, "someone")
    assert not throttle.login_allowed(request, "someone").allowed
