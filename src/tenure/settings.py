"""Tenure's one settings module, configured by ``TENURE_*`` environment variables.

The table in README.md lists every variable; ``tests/test_docs.py`` keeps it current.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "tenure"


#: Every setting Tenure reads from the environment, with its default and meaning.
ENVIRONMENT = {
    "TENURE_HOME": ("~/.local/share/tenure", "Data folder: SQLite file, secret key, ledger."),
    "TENURE_DATABASE_URL": (
        "sqlite:///$TENURE_HOME/tenure.sqlite3",
        "CRM store; `postgres://user:pass@host:port/db` for PostgreSQL.",
    ),
    "TENURE_LEDGER_URL": (
        "duckdb://$TENURE_HOME/ledger.duckdb",
        "Order-line ledger; any Ibis connection URL.",
    ),
    "TENURE_SECRET_KEY": ("generated into $TENURE_HOME/secret_key", "Django secret key."),
    "TENURE_DEBUG": ("false", "Debug pages and tracebacks; never on a server."),
    "TENURE_ALLOWED_HOSTS": (
        "127.0.0.1,localhost",
        "Comma-separated host names served; never `*` on a server (`tenure check --deploy` fails).",
    ),
    "TENURE_HTTPS": (
        "true unless TENURE_DEBUG",
        "Served over HTTPS: secure cookies, HSTS, redirect to https.",
    ),
    "TENURE_TIME_ZONE": ("UTC", "Time zone for dates shown and computed."),
    "TENURE_EMAIL_URL": ("console", "`console` or `smtp://user:pass@host:port`."),
    "TENURE_FROM_EMAIL": ("tenure@localhost", "Sender address of survey invitations and digests."),
    "TENURE_SUPPLIER_NAME": (
        "Your supplier",
        "Your company's name, shown to customers on survey pages and emails.",
    ),
    "TENURE_BASE_URL": (
        "http://127.0.0.1:8000",
        "Public address of this server, for every link in emails (surveys, digests).",
    ),
    "TENURE_SURVEY_MIN_GROUP": ("3", "Smallest group of anonymous answers shown (at least 2)."),
    "TENURE_KAM_SEES_ALL": (
        "true",
        "Key account managers read accounts outside their teams (read-only); false hides them.",
    ),
    "TENURE_ANALYST_PERSONAL_DATA": (
        "false",
        "Analysts see people's emails, phones, birthdays, interaction notes and names.",
    ),
    "TENURE_TRUSTED_PROXIES": (
        "0",
        "Reverse proxies in front of Tenure (for the client address used in rate limits).",
    ),
    "TENURE_RISK_MIN_HISTORY_DAYS": (
        "180",
        "Days of orders before a churn-model training cut-off; a shorter ledger gets less "
        "(down to 90) and `tenure score` / `tenure backtest` say so.",
    ),
    "TENURE_CACHE_URL": (
        "the CRM store's `tenure_throttle_cache` table",
        "Where log-in, token and survey limits are counted, shared by every server process; "
        "`redis://host:6379/0` or `memcached://host:11211`.",
    ),
}

HOME = Path(os.environ.get("TENURE_HOME") or _default_home()).expanduser().resolve()
DEBUG = _flag("TENURE_DEBUG", False)
HTTPS = _flag("TENURE_HTTPS", not DEBUG)


def _secret_key() -> str:
    configured = os.environ.get("TENURE_SECRET_KEY")
    if configured:
        return configured
    key_file = HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Created owner-only: the key signs sessions and password-reset links.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("TENURE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "tenure.core",
    "tenure.accounts",
    "tenure.engagement",
    "tenure.planning",
    "tenure.feedback",
    "tenure.scoring",
    "tenure.health",
    "tenure.audit",
    "tenure.access",
    "tenure.api",
    "tenure.growth",
    "tenure.alerts",
    "tenure.ledger",
    "tenure.web",
    "tenure.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenure.audit.middleware.AuditActorMiddleware",
    # Every page needs a login unless its view says otherwise (survey links, login).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tenure.urls"
WSGI_APPLICATION = "tenure.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenure.scoring.context_processors.reporting_currency",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("TENURE_DATABASE_URL") or f"sqlite:///{HOME / 'tenure.sqlite3'}"
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        # WAL lets readers go on while the scoring run writes; IMMEDIATE avoids
        # "database is locked" upgrades from read to write transactions.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
            " PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not Django's in-memory default: the browser tests' live server answers
    # requests on several threads, and an in-memory database shared between threads locks
    # whole tables instead of waiting (htmx requests overlapping a form post failed).
    _database["TEST"] = {"NAME": str(HOME / "test.sqlite3")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LEDGER_URL = os.environ.get("TENURE_LEDGER_URL") or f"duckdb://{HOME / 'ledger.duckdb'}"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TENURE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Served by WhiteNoise straight from the apps' static folders, so `tenure serve`
# works without a collectstatic step; production runs collectstatic first.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = HOME / "uploads"

_email = os.environ.get("TENURE_EMAIL_URL", "console")
if _email == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email.startswith(("smtp://", "smtps://")):
    from urllib.parse import unquote, urlsplit

    _smtp = urlsplit(_email)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    EMAIL_USE_TLS = _smtp.scheme == "smtp"
else:
    raise ValueError(f"TENURE_EMAIL_URL must be 'console' or an smtp:// URL, not {_email!r}")
DEFAULT_FROM_EMAIL = os.environ.get("TENURE_FROM_EMAIL", "tenure@localhost")
TENURE_SUPPLIER_NAME = os.environ.get("TENURE_SUPPLIER_NAME", "Your supplier")
TENURE_BASE_URL = os.environ.get("TENURE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
TENURE_SURVEY_MIN_GROUP = int(os.environ.get("TENURE_SURVEY_MIN_GROUP", "3"))
TENURE_TRUSTED_PROXIES = int(os.environ.get("TENURE_TRUSTED_PROXIES", "0"))
TENURE_RISK_MIN_HISTORY_DAYS = int(os.environ.get("TENURE_RISK_MIN_HISTORY_DAYS", "180"))
TENURE_KAM_SEES_ALL = _flag("TENURE_KAM_SEES_ALL", True)
TENURE_ANALYST_PERSONAL_DATA = _flag("TENURE_ANALYST_PERSONAL_DATA", False)

#: The cache alias the rate limits count in, and the table the database cache keeps them in.
THROTTLE_CACHE = "throttles"
THROTTLE_CACHE_TABLE = "tenure_throttle_cache"


def _throttle_cache(url: str) -> dict[str, object]:
    """The rate limits' store: shared by every process that serves, so each limit is exact.

    A per-process cache would let each worker of ``serve --production`` allow its own
    failures, and forget them when it is recycled. The default is a table of the CRM store
    (created by the ``access`` migrations), which every process already shares.
    """
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": THROTTLE_CACHE_TABLE,
            # Django's default of 300 entries would cull live counters on a busy day; expired
            # ones are deleted once this many rows (a few megabytes) have piled up.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    scheme = url.split("://", 1)[0].lower()
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "memcached":
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": url.split("://", 1)[1],
        }
    if scheme == "locmem":
        # One process only (tests, a single-process server): not shared.
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tenure"}
    raise ValueError(
        f"TENURE_CACHE_URL must be redis://, rediss://, memcached:// or locmem://, not {url!r}"
    )


CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    THROTTLE_CACHE: _throttle_cache(os.environ.get("TENURE_CACHE_URL", "").strip()),
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy, the proxy says the request was https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # WeasyPrint warns about every font it subsets with fontTools; PDFs are fine.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
