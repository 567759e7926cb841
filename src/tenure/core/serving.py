"""The production server: gunicorn's pre-forked workers, static files through WhiteNoise.

Why gunicorn: real processes (a crashed or leaking worker is replaced; two workers use two
cores, which threads under one GIL cannot), threads inside each worker for requests that
wait on the database, graceful restarts on SIGHUP and graceful stops on SIGTERM, and it is
pure Python from PyPI. It is bound to 127.0.0.1 by default: TLS, HTTP/2 and slow clients
are the business of the reverse proxy in front (docs/operations.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication


class NotReadyToServe(Exception):
    """The installation must not be served as it is; the message says what to do."""


@dataclass(frozen=True)
class ServerOptions:
    """How to serve: address, processes and threads, logging."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    access_log: bool = False
    #: A request still running after this many seconds has its worker restarted.
    timeout: int = 60

    @property
    def bind(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{host}:{self.port}"


class _Gunicorn(BaseApplication):
    """Gunicorn configured from Python rather than its command line."""

    def __init__(self, application: WSGIHandler, config: dict[str, Any]) -> None:
        self.application = application
        self.config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.config.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self) -> WSGIHandler:
        return self.application


def prepare() -> None:
    """Refuse what must not be served, then collect the static files (quietly)."""
    if settings.DEBUG:
        raise NotReadyToServe(
            "TENURE_DEBUG is on: debug pages show settings and data to anyone who triggers "
            "an error. Unset it (or set TENURE_DEBUG=0) to serve in production."
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise NotReadyToServe(
            f"the database lacks {len(pending)} migration(s) of this version: run "
            "`tenure migrate` first (pages would fail meanwhile)."
        )
    # Into TENURE_HOME/static, where WhiteNoise serves them with caching headers.
    call_command("collectstatic", interactive=False, verbosity=0)


def gunicorn_config(options: ServerOptions) -> dict[str, Any]:
    """Gunicorn's settings for Tenure."""
    config: dict[str, Any] = {
        "bind": [options.bind],
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "timeout": options.timeout,
        "graceful_timeout": 20,
        "keepalive": 5,
        # Recycle workers now and then, so a slow leak never grows without bound.
        "max_requests": 5000,
        "max_requests_jitter": 500,
        # Load Django once in the master: workers start fast and share its memory.
        "preload_app": True,
        "proc_name": "tenure",
        "errorlog": "-",
        "accesslog": "-" if options.access_log else None,
        # X-Forwarded-* are believed only from the local reverse proxy.
        "forwarded_allow_ips": "127.0.0.1,::1",
        # No control socket in $HOME: Tenure does not use it, and two instances would clash.
        "control_socket_disable": True,
    }
    if os.path.isdir("/dev/shm"):
        # Worker heartbeats on a memory file system: a slow disk cannot get workers killed.
        config["worker_tmp_dir"] = "/dev/shm"
    return config


def run(options: ServerOptions) -> None:
    """Run gunicorn in this process until it is stopped (SIGTERM, SIGINT); ``prepare`` first."""
    from tenure.wsgi import application

    # Workers are forked from this process: no database connection may cross the fork.
    connections.close_all()
    _Gunicorn(application, gunicorn_config(options)).run()
