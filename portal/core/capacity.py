"""Database connections: how many the portal's processes may hold, and a check that they fit.

Each gunicorn thread keeps a database connection of its own (for DB_CONN_MAX_AGE seconds after
a request), so one web server may hold GUNICORN_WORKERS x GUNICORN_THREADS of them. A job
cluster holds two per busy worker (the job's and its heartbeat thread's) and two of its own
(sentinel and monitor; a third for the ORM broker's pusher): measured with `pg_stat_activity`
while probe jobs ran (docs/operations.md, "Connection budget"). WEB_INSTANCES and
WORKER_INSTANCES say how many web servers and clusters share the database. PostgreSQL refuses
clients beyond `max_connections`, and some must stay free for the cluster's own processes,
migrations, a psql session and the superuser slots (DB_CONNECTIONS_HEADROOM). With a read
replica, every process may hold one connection to it as well, so the replica is checked too.

The limit is DB_MAX_CONNECTIONS when set (a pooler's `max_client_conn`, a managed database's
share), else the server's own `max_connections`. The check runs where Django runs the
database's checks: `manage.py migrate` and `manage.py check --database default`.

gunicorn (portal/gunicorn.conf.py) and the settings read GUNICORN_WORKERS and GUNICORN_THREADS
with the defaults below, so the check counts what the server runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.checks import Warning
from django.db import DatabaseError, connections

# gunicorn's worker processes and threads per process when GUNICORN_WORKERS/THREADS are unset.
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 2

# Connections a job cluster holds besides two per worker (sentinel and monitor; the pusher too
# with the ORM broker).
CLUSTER_OWN_CONNECTIONS = 2

CONNECTIONS_EXCEEDED = (
    "{web} web server(s) x {workers} gunicorn workers x {threads} threads and {clusters} job "
    "cluster(s) of {jobs} workers may hold {need} connections to the database `{alias}`, more "
    "than the {limit} it leaves for them ({source} {max_connections} minus "
    "DB_CONNECTIONS_HEADROOM {headroom})."
)
CONNECTIONS_HINT = (
    "Lower GUNICORN_WORKERS, GUNICORN_THREADS or Q_WORKERS, raise PostgreSQL's max_connections, "
    'or put PgBouncer in front (docs/operations.md, "Connection budget").'
)


@dataclass(frozen=True)
class Processes:
    """What connects to the database: web servers x gunicorn workers x threads, and clusters."""

    workers: int
    threads: int
    jobs: int  # Q_WORKERS of each cluster
    web: int = 1
    clusters: int = 1
    orm_broker: bool = False

    @property
    def need(self) -> int:
        per_cluster = 2 * self.jobs + CLUSTER_OWN_CONNECTIONS + int(self.orm_broker)
        return self.web * self.workers * self.threads + self.clusters * per_cluster


def configured_processes() -> Processes:
    return Processes(
        workers=settings.GUNICORN_WORKERS,
        threads=settings.GUNICORN_THREADS,
        jobs=settings.Q_CLUSTER.get("workers", 1),
        web=settings.WEB_INSTANCES,
        clusters=settings.WORKER_INSTANCES,
        orm_broker="orm" in settings.Q_CLUSTER,
    )


def connections_warning(
    processes: Processes,
    *,
    max_connections: int,
    headroom: int,
    alias: str = "default",
    source: str = "max_connections",
) -> Warning | None:
    need, limit = processes.need, max_connections - headroom
    if need <= limit:
        return None
    message = CONNECTIONS_EXCEEDED.format(
        web=processes.web,
        workers=processes.workers,
        threads=processes.threads,
        clusters=processes.clusters,
        jobs=processes.jobs,
        need=need,
        alias=alias,
        limit=limit,
        source=source,
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


def _limit(alias: str) -> tuple[int | None, str]:
    if settings.DB_MAX_CONNECTIONS:
        return settings.DB_MAX_CONNECTIONS, "DB_MAX_CONNECTIONS"
    return max_connections(alias), "max_connections"


def check_database_connections(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """Registered as a database check (portal/core/apps.py): runs only with a database. The
    primary and, when there is one, the read replica (every process may hold one to each)."""
    if not databases or "default" not in databases:
        return []
    found = []
    for alias in [a for a in ("default", "replica") if a in settings.DATABASES]:
        limit, source = _limit(alias)
        if limit is None:
            continue
        warning = connections_warning(
            configured_processes(),
            max_connections=limit,
            headroom=settings.DB_CONNECTIONS_HEADROOM,
            alias=alias,
            source=source,
        )
        if warning:
            found.append(warning)
    return found
