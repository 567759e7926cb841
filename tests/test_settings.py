"""Settings come from the environment; production settings are deployment-safe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tenure import settings
from tests.core.conftest import inherited_environ

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in inherited_environ().items() if not k.startswith("TENURE_")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**clean, **env}
    )


@pytest.mark.slow
def test_production_settings_pass_check_deploy(tmp_path):
    result = _run(
        "import sys; from django.core.management import execute_from_command_line as e;"
        " e(['x', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {"TENURE_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tenure.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_generated_once_into_home_and_kept_private(tmp_path):
    code = "from tenure import settings; print(settings.SECRET_KEY)"
    first = _run(code, {"TENURE_HOME": str(tmp_path)})
    second = _run(code, {"TENURE_HOME": str(tmp_path)})
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_selects_postgresql_and_default_is_sqlite_with_wal(tmp_path):
    code = (
        "from tenure import settings as s; d = s.DATABASES['default'];"
        " print(d['ENGINE'], d['NAME'], d.get('OPTIONS'))"
    )
    default = _run(code, {"TENURE_HOME": str(tmp_path)}).stdout
    assert "sqlite3" in default
    assert "journal_mode=WAL" in default
    assert "foreign_keys=ON" in default
    assert str(tmp_path / "tenure.sqlite3") in default
    pg = _run(
        code, {"TENURE_HOME": str(tmp_path), "TENURE_DATABASE_URL": "postgres://u:p@127.0.0.1:5/x"}
    )
    assert "postgresql" in pg.stdout
    assert " x " in pg.stdout


def test_https_is_on_unless_debug(tmp_path):
    code = (
        "from tenure import settings as s;"
        " print(s.HTTPS, s.SESSION_COOKIE_SECURE if s.HTTPS else '-')"
    )
    assert _run(code, {"TENURE_HOME": str(tmp_path)}).stdout.split() == ["True", "True"]
    debug = _run(code, {"TENURE_HOME": str(tmp_path), "TENURE_DEBUG": "1"}).stdout.split()
    assert debug == ["False", "-"]


def test_readme_configuration_table_lists_every_setting():
    readme = (ROOT / "README.md").read_text()
    table = set(re.findall(r"^\| `(TENURE_[A-Z_]+)` \|", readme, flags=re.M))
    assert table == set(settings.ENVIRONMENT)


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme
    assert "make test" in readme
