"""Tenure's configuration checks, reported by ``tenure check`` (Django's system checks).

Each problem has an id (``tenure.E001`` stops commands that run checks; ``tenure.W001``
warns) and a hint saying what to change. With the defaults of a fresh installation none
fires, so ``tenure check --deploy`` stays clean. The one check that reads the database is
tagged ``database`` and runs with ``tenure check --database default``.

"Public" below means ALLOWED_HOSTS names a host other than the loopback ones: the sign of
a server that people reach over a network, where mistakes start to matter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, transaction

from tenure.core.stores import ledger_path

TAG = "tenure"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: Names that never reach a network: the loopback ones and Django's test client.
LOCAL_HOSTS = LOOPBACK | {"testserver"}
#: Fewer distinct characters than this and a key is guessable, however long.
MIN_KEY_CHARACTERS = 50
MIN_KEY_DISTINCT = 5
#: Keys that documentation, tutorials and placeholders are full of.
WELL_KNOWN_KEYS = {"changeme", "secret", "secret-key", "tenure", "django", "password", "test"}


def public_hosts() -> list[str]:
    """The host names served that are reached over a network (not loopback, not tests)."""
    return [host for host in settings.ALLOWED_HOSTS if host not in LOCAL_HOSTS]


def is_loopback_url(url: str) -> bool:
    """Does ``url`` point at this machine, so that a link built on it works here only?"""
    host = (urlsplit(url).hostname or "").lower()
    return host in LOOPBACK or host == "::1" or host.startswith("127.")


@register(TAG)
def check_home(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001
    """TENURE_HOME must be a folder Tenure can write to."""
    home = Path(settings.HOME)
    if not home.is_dir():
        return [
            Error(
                f"TENURE_HOME ({home}) is not a folder.",
                hint="Point TENURE_HOME at a folder, or run `tenure init` to create it.",
                id="tenure.E001",
            )
        ]
    if not os.access(home, os.W_OK | os.X_OK):
        return [
            Error(
                f"TENURE_HOME ({home}) is not writable by this user.",
                hint="Give the user that runs Tenure write access to it (chown), or point "
                "TENURE_HOME elsewhere: the database, ledger and backups are written there.",
                id="tenure.E001",
            )
        ]
    return []


@register(TAG)
def check_sqlite_wal(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001
    """An SQLite CRM store must run in WAL mode, so pages read while the scoring run writes."""
    return sqlite_problems(settings.DATABASES["default"])


def sqlite_problems(database: Mapping[str, Any]) -> list[CheckMessage]:
    """The WAL problems of one entry of DATABASES."""
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return []
    problems: list[CheckMessage] = []
    init_command = str(database.get("OPTIONS", {}).get("init_command", ""))
    if "journal_mode=wal" not in init_command.lower().replace(" ", ""):
        problems.append(
            Warning(
                "The SQLite CRM store is not configured for WAL mode.",
                hint="Keep the OPTIONS init_command of tenure/settings.py "
                "(PRAGMA journal_mode=WAL): without it, readers wait for every write.",
                id="tenure.W001",
            )
        )
    path = Path(str(database["NAME"]))
    if path.is_file():
        # Bytes 18 and 19 of the file header are 2 in WAL mode (sqlite.org/fileformat.html).
        with path.open("rb") as handle:
            header = handle.read(20)
        if len(header) == 20 and header[18:20] != b"\x02\x02":
            problems.append(
                Warning(
                    f"The SQLite file {path} is not in WAL mode.",
                    hint="It switches on the next connection by Tenure; if it stays so, the "
                    "file system may not support WAL (network file systems do not): keep "
                    "the file on a local disk.",
                    id="tenure.W001",
                )
            )
        if not os.access(path.parent, os.W_OK):
            problems.append(
                Error(
                    f"The folder of the SQLite file ({path.parent}) is not writable.",
                    hint="WAL mode writes its -wal and -shm files beside the database.",
                    id="tenure.E004",
                )
            )
    return problems


@register(TAG)
def check_debug(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001
    """Debug pages show settings and data to whoever triggers an error."""
    if not settings.DEBUG:
        return []
    if getattr(settings, "HTTPS", False):
        return [
            Error(
                "TENURE_DEBUG is on while Tenure is served over HTTPS.",
                hint="HTTPS means a real server: set TENURE_DEBUG=0. Debug pages show "
                "settings and data to anyone who triggers an error.",
                id="tenure.E002",
            )
        ]
    if public_hosts():
        return [
            Warning(
                f"TENURE_DEBUG is on while serving {', '.join(public_hosts())}.",
                hint="Set TENURE_DEBUG=0 on any server people reach over a network.",
                id="tenure.W002",
            )
        ]
    return []


@register(TAG)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001
    """The secret key signs sessions and password-reset links."""
    key = str(settings.SECRET_KEY)
    problems: list[CheckMessage] = []
    weak = (
        len(key) < MIN_KEY_CHARACTERS
        or len(set(key)) < MIN_KEY_DISTINCT
        or key.lower() in WELL_KNOWN_KEYS
        or key.startswith("django-insecure-")
    )
    if weak:
        problems.append(
            Warning(
                "The secret key is short, repetitive or well known.",
                hint="Unset TENURE_SECRET_KEY to have Tenure generate one into "
                "$TENURE_HOME/secret_key, or set it to the output of "
                '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.',
                id="tenure.W003",
            )
        )
    key_file = Path(settings.HOME) / "secret_key"
    own_file = not os.environ.get("TENURE_SECRET_KEY") and key_file.is_file()
    if own_file and key_file.stat().st_mode & 0o077:
        problems.append(
            Warning(
                f"{key_file} can be read by other users.",
                hint=f"chmod 600 {key_file}",
                id="tenure.W004",
            )
        )
    return problems


@register(TAG)
def check_hosts_and_email(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001
    """A server needs host names, real email and its own address in links."""
    problems: list[CheckMessage] = []
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "TENURE_ALLOWED_HOSTS is empty: every request would be refused (400).",
                hint="Set TENURE_ALLOWED_HOSTS to the names people use, e.g. "
                "kam.example.com,127.0.0.1.",
                id="tenure.E003",
            )
        )
    public = public_hosts()
    if not public:
        return problems
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        problems.append(
            Warning(
                "Email goes to the console while Tenure serves "
                f"{', '.join(public)}: survey invitations and digests are not sent.",
                hint="Set TENURE_EMAIL_URL=smtp://user:password@host:587.",
                id="tenure.W005",
            )
        )
    base_url = str(getattr(settings, "TENURE_BASE_URL", ""))
    if is_loopback_url(base_url):
        named = [host.lstrip(".") for host in public if host != "*"]
        example = named[0] if named else "kam.example.com"
        problems.append(
            Warning(
                f"TENURE_BASE_URL is {base_url} while Tenure serves {', '.join(public)}: "
                "links in emails would point at the recipient's own machine, and survey "
                "invitations cannot be sent.",
                hint=f"Set TENURE_BASE_URL=https://{example}.",
                id="tenure.W006",
            )
        )
    if not getattr(settings, "HTTPS", True):
        problems.append(
            Warning(
                f"TENURE_HTTPS is off while Tenure serves {', '.join(public)}.",
                hint="Serve it behind a TLS proxy and set TENURE_HTTPS=1: passwords and "
                "session cookies must not cross a network in clear.",
                id="tenure.W007",
            )
        )
    return problems


@register(TAG, Tags.security, deploy=True)
def check_any_host(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001
    """A server must name its hosts: ``*`` answers whatever Host header a client sends."""
    if "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        Error(
            "TENURE_ALLOWED_HOSTS is '*': Tenure would answer requests for any host name, so "
            "a forged Host header reaches it and any link built from a request can point "
            "at someone else's site.",
            hint="List the names people use instead, e.g. "
            "TENURE_ALLOWED_HOSTS=kam.example.com,127.0.0.1 (a leading dot, .example.com, "
            "allows the subdomains of one domain).",
            id="tenure.E005",
        )
    ]


@register(TAG, Tags.database)
def check_ledger_present(
    app_configs: Any = None,  # noqa: ARG001
    databases: Any = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """Scores exist but the ledger they came from is gone: a lost or moved DuckDB file."""
    path = ledger_path()
    if not databases or path is None or path.exists():
        return []
    try:
        run = apps.get_model("scoring", "ScoringRun")
    except LookupError:
        return []
    try:
        # A savepoint: on PostgreSQL a failed query must not spoil a surrounding transaction.
        with transaction.atomic(using="default"):
            scored = run.objects.using("default").filter(status="done").exists()
    except DatabaseError:
        return []  # not migrated yet: nothing has been scored
    if not scored:
        return []
    return [
        Warning(
            f"Scoring has run, but the ledger file {path} does not exist.",
            hint="Restore it from a backup (`tenure restore`), or correct TENURE_LEDGER_URL "
            "or TENURE_HOME; the next `tenure score` would find no order lines.",
            id="tenure.W008",
        )
    ]
