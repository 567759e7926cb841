"""`tenure serve --production`: gunicorn workers, security headers, static files, refusals.

The server runs as a person would run it: a subprocess on a free port of 127.0.0.1, stopped
with SIGTERM. It always uses SQLite in its own home: the database vendor is not what is
tested here (benchmarks/bench_load.py drives the same server against PostgreSQL).
"""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.core.conftest import tenure_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("serve-production")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path, **extra: str) -> dict[str, str]:
    return tenure_env(home, **extra)


@pytest.fixture(scope="module")
def home(sqlite_home) -> Path:
    return sqlite_home("served")


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def _serve(home: Path, **env: str) -> Iterator[int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tenure", "serve", "--production", "--port", str(port)],
        env=_env(home, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Generous: a loaded 2-core machine, or the shifted-clock run, starts it slowly.
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz", {"X-Forwarded-Proto": "https"}).status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the server did not start:\n{server.communicate()[0]}")
            time.sleep(0.1)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=15)[0]
    assert server.returncode == 0, output
    assert "Booting worker" in output, output
    assert output.count("Worker exiting") == 2, output


@pytest.fixture(scope="module")
def plain(home) -> Iterator[int]:
    yield from _serve(home)


def test_pages_answer_with_security_headers_and_no_hsts_over_plain_http(plain):
    assert _get(plain, "/healthz").status == 200
    login = _get(plain, "/login/")
    assert login.status == 200
    assert b"password" in login.body  # type: ignore[attr-defined]
    assert login.getheader("X-Content-Type-Options") == "nosniff"
    assert login.getheader("Referrer-Policy") == "same-origin"
    assert login.getheader("X-Frame-Options") == "DENY"
    assert login.getheader("Strict-Transport-Security") is None
    assert login.getheader("Server", "").startswith("gunicorn")


def test_static_files_are_collected_into_home_and_served(plain, home):
    css = _get(plain, "/static/tenure/tenure.css")
    assert css.status == 200
    assert css.getheader("Content-Type", "").startswith("text/css")
    assert (home / "static" / "tenure" / "tenure.css").is_file()


def test_behind_a_tls_proxy_hsts_is_sent_and_plain_http_is_redirected(home):
    for port in _serve(home, TENURE_HTTPS="1"):
        proxied = _get(port, "/login/", {"X-Forwarded-Proto": "https"})
        assert proxied.status == 200
        assert "max-age=31536000" in proxied.getheader("Strict-Transport-Security", "")
        plain = _get(port, "/login/")
        assert plain.status == 301
        assert plain.getheader("Location", "").startswith("https://")


def test_production_mode_refuses_debug(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="TENURE_DEBUG is on"):
        call_command("serve", production=True, port=_free_port())


def test_production_mode_refuses_an_unmigrated_database(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tenure", "serve", "--production", "--port", str(_free_port())],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "tenure migrate" in result.stderr
