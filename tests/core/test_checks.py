"""`tenure check` reports Tenure's configuration problems, each with an id and a hint."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.core.checks import run_checks

from tenure.core import checks
from tests.core.conftest import inherited_environ


def _ids(messages) -> list[str]:
    assert all(message.hint for message in messages)
    return [message.id for message in messages]


def test_a_fresh_installation_has_no_problems(tmp_path, settings):
    settings.HOME = tmp_path
    assert [m for m in run_checks(tags=[checks.TAG])] == []


def test_a_home_that_is_not_a_folder_is_an_error(tmp_path, settings):
    settings.HOME = tmp_path / "file"
    settings.HOME.write_text("")
    assert _ids(checks.check_home()) == ["tenure.E001"]


def test_sqlite_without_wal_is_reported(tmp_path):
    path = tmp_path / "crm.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()  # rollback journal
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": {}}
    assert _ids(checks.sqlite_problems(database)) == ["tenure.W001", "tenure.W001"]


def test_debug_with_https_is_an_error_and_debug_on_a_public_host_a_warning(settings):
    settings.DEBUG, settings.HTTPS = True, True
    assert _ids(checks.check_debug()) == ["tenure.E002"]
    settings.HTTPS, settings.ALLOWED_HOSTS = False, ["kam.example.com"]
    assert _ids(checks.check_debug()) == ["tenure.W002"]
    settings.DEBUG = False
    assert checks.check_debug() == []


@pytest.mark.parametrize("key", ["short", "x" * 60, "django-insecure-" + "ab12" * 20])
def test_a_weak_secret_key_is_reported(settings, key):
    settings.SECRET_KEY = key
    assert "tenure.W003" in _ids(checks.check_secret_key())


def test_a_secret_key_file_others_can_read_is_reported(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("TENURE_SECRET_KEY", raising=False)
    settings.HOME = tmp_path
    (tmp_path / "secret_key").write_text("k")
    os.chmod(tmp_path / "secret_key", 0o644)
    assert "tenure.W004" in _ids(checks.check_secret_key())


def test_a_public_server_needs_hosts_email_links_and_https(settings):
    settings.DEBUG, settings.ALLOWED_HOSTS = False, []
    assert _ids(checks.check_hosts_and_email()) == ["tenure.E003"]
    settings.ALLOWED_HOSTS = ["kam.example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.TENURE_BASE_URL, settings.HTTPS = "http://127.0.0.1:8000", False
    assert _ids(checks.check_hosts_and_email()) == ["tenure.W005", "tenure.W006", "tenure.W007"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.TENURE_BASE_URL, settings.HTTPS = "https://kam.example.com", True
    assert checks.check_hosts_and_email() == []


@pytest.mark.django_db
def test_a_missing_ledger_after_scoring_is_reported_with_the_database_checks(tmp_path, settings):
    from tenure.scoring.models import ScoringRun

    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    assert checks.check_ledger_present(databases=["default"]) == []
    ScoringRun.objects.create(as_of="2026-06-30", status="done")
    assert checks.check_ledger_present() == []  # only with --database
    assert _ids(checks.check_ledger_present(databases=["default"])) == ["tenure.W008"]
    (tmp_path / "ledger.duckdb").write_bytes(b"")
    assert checks.check_ledger_present(databases=["default"]) == []


def _tenure_check(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in inherited_environ().items() if not k.startswith("TENURE_")}
    clean.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    return subprocess.run(
        [sys.executable, "-m", "tenure", "check", *args],
        capture_output=True,
        text=True,
        env={**clean, "TENURE_HOME": str(tmp_path), **env},
        timeout=60,
    )


@pytest.mark.slow
def test_tenure_check_reports_problems_and_check_deploy_stays_clean(tmp_path):
    clean = _tenure_check(tmp_path, "--deploy", "--fail-level", "WARNING")
    assert clean.returncode == 0, clean.stderr
    assert "no issues" in clean.stdout, clean.stderr
    broken = _tenure_check(tmp_path, TENURE_DEBUG="1", TENURE_HTTPS="1", TENURE_SECRET_KEY="abc")
    assert broken.returncode != 0
    assert "tenure.E002" in broken.stderr
    assert "tenure.W003" in broken.stderr
    assert "HINT:" in broken.stderr


def test_any_host_is_an_error_for_a_deployment(settings):
    settings.ALLOWED_HOSTS = ["*"]
    assert _ids(checks.check_any_host()) == ["tenure.E005"]
    settings.ALLOWED_HOSTS = ["kam.example.com", ".example.org"]
    assert checks.check_any_host() == []


@pytest.mark.slow
def test_tenure_check_deploy_fails_on_allowed_hosts_star(tmp_path):
    everything = _tenure_check(
        tmp_path,
        "--deploy",
        TENURE_ALLOWED_HOSTS="*",
        TENURE_BASE_URL="https://kam.example.com",
    )
    assert everything.returncode != 0
    assert "tenure.E005" in everything.stderr
    assert "TENURE_ALLOWED_HOSTS is '*'" in everything.stderr
    # Without --deploy a laptop demo open to the network still starts.
    assert "tenure.E005" not in _tenure_check(tmp_path, TENURE_ALLOWED_HOSTS="*").stderr


def test_a_loopback_base_url_on_a_server_names_a_real_host_in_its_hint(settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.TENURE_BASE_URL = "http://localhost:8000"
    (warning,) = [m for m in checks.check_hosts_and_email() if m.id == "tenure.W006"]
    assert "https://*" not in warning.hint
    assert "survey invitations cannot be sent" in warning.msg
