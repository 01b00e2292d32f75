"""The services the portal talks to: database, cache (and Redis), email, their health checks.

Each has an embedded default that runs on one machine (a SQLite file under VAR_DIR, a
local-memory cache, console email) and switches to the real service when its variable is
set (DATABASE_URL, REDIS_URL, EMAIL_URL).
"""

import sys
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from portal.core import capacity
from portal.env import env
from portal.settings.core import VAR_DIR


def url_with_password(url: str, password: str) -> str:
    """`redis://user@host:6379/0` with `password` put in (quoted), replacing any it had."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    user = quote(parts.username or "", safe="")
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def _sqlite_folder(name: str) -> None:
    """SQLite creates its file but not the folder it goes in: make the folder, so that
    `manage.py migrate` works on a fresh clone (no var/ yet) without `make`."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    # A folder that cannot be made (read-only file system) shows up as SQLite's own error.
    with suppress(OSError):
        Path(name).parent.mkdir(parents=True, exist_ok=True)


# --- Database ---------------------------------------------------------------------------
# No DATABASE_URL: a SQLite file under var/. DATABASE_URL=postgres://... -> PostgreSQL (psycopg 3).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
}
# The password on its own (DATABASE_PASSWORD or DATABASE_PASSWORD_FILE, portal/env.py) wins over
# one in the URL: no URL escaping, and it can come from a secret file.
if env.str("DATABASE_PASSWORD", default=""):
    DATABASES["default"]["PASSWORD"] = env.str("DATABASE_PASSWORD")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode (docs/operations.md, "Connection budget"): a cursor kept
# open across transactions (`.iterator()` outside one) would meet another server connection.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
if sys.argv[1:2] == ["runserver"]:
    # The development server answers each request in a new thread, so a kept connection is
    # never used again, only left open: PostgreSQL ran out of clients that way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# gunicorn's concurrency as portal/gunicorn.conf.py reads it, and the connections that must
# stay free of it and the job workers (portal/core/capacity.py checks that they fit).
GUNICORN_WORKERS = env.int("GUNICORN_WORKERS", default=capacity.GUNICORN_WORKERS)
GUNICORN_THREADS = env.int("GUNICORN_THREADS", default=capacity.GUNICORN_THREADS)
DB_CONNECTIONS_HEADROOM = env.int("DB_CONNECTIONS_HEADROOM", default=10)
# How many web servers (containers, machines) and job clusters share the database, and its
# client limit when the server's own max_connections is not the one that counts (PgBouncer's
# max_client_conn, a managed plan's share); 0 = ask the server.
WEB_INSTANCES = env.int("WEB_INSTANCES", default=1)
WORKER_INSTANCES = env.int("WORKER_INSTANCES", default=1)
DB_MAX_CONNECTIONS = env.int("DB_MAX_CONNECTIONS", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web workers, qcluster) share the file: wait for locks instead of
    # failing, and take the write lock when a transaction starts (a transaction that read
    # first and then writes cannot wait for the lock: SQLite answers "database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    _sqlite_folder(str(DATABASES["default"].get("NAME") or ""))
# A read replica (docs/operations.md, "Read replica"): reports, exports and the daily summary
# read from it, through the router (portal/core/replica.py); writes, migrations and a person's
# reads for DATABASE_REPLICA_PIN_SECONDS after they wrote stay on the primary. Tests use the
# primary's test database for it (TEST MIRROR): the suite runs with one database.
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"][
        "DISABLE_SERVER_SIDE_CURSORS"
    ]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and env.str("REDIS_PASSWORD", default=""):
    # REDIS_PASSWORD (or REDIS_PASSWORD_FILE) wins over a password in the URL, as for the database.
    REDIS_URL = url_with_password(REDIS_URL, env.str("REDIS_PASSWORD"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis being away means cache misses, not errors (portal/core/cache.py).
            "BACKEND": "portal.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
            # Fail fast when Redis is unreachable rather than hold a request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
if env.str("EMAIL_HOST_PASSWORD", default=""):
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD")

# --- Health checks (/readyz) ------------------------------------------------------------
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)
