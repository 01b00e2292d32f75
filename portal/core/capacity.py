"""Database connections: how many the portal's processes may hold, and a check that they fit.

Each gunicorn thread keeps a database connection of its own (for DB_CONN_MAX_AGE seconds after
a request), so the web process may hold GUNICORN_WORKERS x GUNICORN_THREADS of them; each
django-q2 worker holds one more. PostgreSQL refuses clients beyond `max_connections`, and
some must stay free for the cluster's own processes, migrations, a psql session and the
superuser slots (DB_CONNECTIONS_HEADROOM). The check runs where Django runs the database's
checks: `manage.py migrate` and `manage.py check --database default` (docs/operations.md).

gunicorn (portal/gunicorn.conf.py) and the settings read GUNICORN_WORKERS and GUNICORN_THREADS
with the defaults below, so the check counts what the server runs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning
from django.db import DatabaseError, connections

# gunicorn's worker processes and threads per process when GUNICORN_WORKERS/THREADS are unset.
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 2

CONNECTIONS_EXCEEDED = (
    "gunicorn's {workers} workers x {threads} threads and {jobs} job workers may hold {need} "
    "database connections, more than the {limit} PostgreSQL leaves for them "
    "(max_connections {max_connections} minus DB_CONNECTIONS_HEADROOM {headroom})."
)
CONNECTIONS_HINT = (
    "Lower GUNICORN_WORKERS, GUNICORN_THREADS or Q_WORKERS, raise PostgreSQL's max_connections, "
    "or put PgBouncer in front (then DB_CONN_MAX_AGE=0). With several web replicas, each needs "
    "as many."
)


def connections_warning(
    *, workers: int, threads: int, jobs: int, max_connections: int, headroom: int
) -> Warning | None:
    need, limit = workers * threads + jobs, max_connections - headroom
    if need <= limit:
        return None
    message = CONNECTIONS_EXCEEDED.format(
        workers=workers,
        threads=threads,
        jobs=jobs,
        need=need,
        limit=limit,
        max_connections=max_connections,
        headroom=headroom,
    )
    return Warning(message, hint=CONNECTIONS_HINT, id="core.W001")


def max_connections(alias: str = "default") -> int | None:
    """PostgreSQL's `max_connections`; None for other databases or when it cannot be asked."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('max_connections')::int")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None  # a database that does not answer is reported by the commands themselves


def check_database_connections(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """Registered as a database check (portal/core/apps.py): runs only with a database."""
    if not databases or "default" not in databases:
        return []
    limit = max_connections("default")
    if limit is None:
        return []
    warning = connections_warning(
        workers=settings.GUNICORN_WORKERS,
        threads=settings.GUNICORN_THREADS,
        jobs=settings.Q_CLUSTER.get("workers", 1),
        max_connections=limit,
        headroom=settings.DB_CONNECTIONS_HEADROOM,
    )
    return [warning] if warning else []
