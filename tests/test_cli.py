"""The `tenure` command."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tenure.cli import TENURE_COMMANDS, main
from tests.core.conftest import inherited_environ


def test_help_lists_tenure_commands_first(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in TENURE_COMMANDS:
        assert f"  {name}" in out


def test_python_dash_m_tenure_runs(tmp_path):
    env = {**inherited_environ(), "TENURE_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "tenure", "help"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert "demo" in result.stdout
    assert "serve" in result.stdout


@pytest.mark.django_db
def test_init_creates_an_admin_once(capsys):
    call_command("init", admin="boss", password="a long pass phrase")
    assert "Administrator created: boss" in capsys.readouterr().out
    call_command("init", admin="boss")
    assert "already exists" in capsys.readouterr().out
    user = get_user_model().objects.get(username="boss")
    assert user.is_superuser
    assert user.check_password("a long pass phrase")


@pytest.mark.django_db
def test_createuser_refuses_weak_password_and_duplicates():
    with pytest.raises(CommandError, match="too short"):
        call_command("createuser", "kim", password="abc")
    call_command("createuser", "kim", password="a long pass phrase", staff=True)
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "kim", password="a long pass phrase")
    assert get_user_model().objects.get(username="kim").is_staff


@pytest.mark.django_db
@pytest.mark.slow
def test_demo_no_serve_loads_once_and_prints_the_login(capsys, settings, tmp_path):
    settings.HOME = tmp_path
    call_command("demo", accounts=20, seed=1, no_serve=True, as_of=None, history_months=2)
    out = capsys.readouterr().out
    assert "Loaded and scored 20 accounts" in out
    assert "Scoring month 2/2" in out
    assert "director / tenure-demo" in out
    call_command("demo", accounts=20, seed=1, no_serve=True, as_of=None)
    assert "not loaded again" in capsys.readouterr().out
