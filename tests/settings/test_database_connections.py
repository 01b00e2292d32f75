"""Database connections: none kept under the development server, and a check that gunicorn's
workers x threads (with the job workers) fit in what PostgreSQL accepts."""

import json
import runpy
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from portal.core.capacity import (
    CONNECTIONS_EXCEEDED,
    Processes,
    check_database_connections,
    connections_warning,
    max_connections,
)
from tests.settings.conftest import ROOT, clean_env, load_settings

POSTGRES = "postgres://portal:secret@db.invalid:5432/portal"


def _conn_max_age(argv: list[str], **env: str) -> int:
    """CONN_MAX_AGE as settings loaded by `manage.py <argv>` (nothing connects) set it."""
    code = (
        f"import sys; sys.argv = {['manage.py', *argv]!r}; import json; "
        "import portal.settings as s; print(json.dumps(s.DATABASES['default']['CONN_MAX_AGE']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "url", [POSTGRES, f"{POSTGRES}?conn_max_age=120"], ids=["variable", "in-the-url"]
)
def test_the_development_server_keeps_no_connection(url):
    assert _conn_max_age(["runserver"], DATABASE_URL=url, DB_CONN_MAX_AGE="60") == 0
    assert _conn_max_age(["runserver", "0:8000"], DATABASE_URL=url, DB_CONN_MAX_AGE="60") == 0


def test_other_processes_keep_their_connections():
    for argv in (["migrate"], ["qcluster"], ["shell"]):
        assert _conn_max_age(argv, DATABASE_URL=POSTGRES, DB_CONN_MAX_AGE="60") == 60


@pytest.mark.parametrize(
    ("processes", "warns"),
    [
        (Processes(workers=3, threads=2, jobs=2), False),  # 6 + (2 x 2 + 2) = 12
        (Processes(workers=41, threads=2, jobs=2), False),  # 82 + 6 = 88
        (Processes(workers=41, threads=2, jobs=2, orm_broker=True), False),  # 89
        (Processes(workers=42, threads=2, jobs=3), True),  # 84 + 8 = 92 > 100 - 10
        (Processes(workers=3, threads=4, jobs=2, web=8), True),  # 96 + 6
        (Processes(workers=3, threads=2, jobs=4, clusters=9), True),  # 6 + 9 x 10
        (Processes(workers=1, threads=80, jobs=0, clusters=1), False),  # 80 + 2
    ],
)
def test_every_web_thread_and_two_per_job_worker_must_leave_the_headroom(processes, warns):
    found = connections_warning(processes, max_connections=100, headroom=10)
    assert (found is not None) is warns
    if warns:
        assert found.id == "core.W001"
        assert found.msg == CONNECTIONS_EXCEEDED.format(
            web=processes.web,
            workers=processes.workers,
            threads=processes.threads,
            clusters=processes.clusters,
            jobs=processes.jobs,
            need=processes.need,
            alias="default",
            limit=90,
            source="max_connections",
            max_connections=100,
            headroom=10,
        )


@pytest.mark.parametrize("given", [{}, {"GUNICORN_WORKERS": "7", "GUNICORN_THREADS": "1"}])
def test_gunicorn_runs_what_the_check_counts(monkeypatch, given):
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(ROOT / "portal/gunicorn.conf.py"))
    counted = load_settings("GUNICORN_WORKERS", "GUNICORN_THREADS", env=clean_env(**given))
    assert (config["workers"], config["threads"]) == (
        counted["GUNICORN_WORKERS"],
        counted["GUNICORN_THREADS"],
    )


def _too_many(settings, limit: int) -> None:
    """gunicorn configured for exactly one connection more than `limit` leaves."""
    settings.DB_CONNECTIONS_HEADROOM = 10
    settings.Q_CLUSTER = {
        **{k: v for k, v in settings.Q_CLUSTER.items() if k != "orm"},
        "workers": 0,
    }
    settings.GUNICORN_WORKERS, settings.GUNICORN_THREADS = limit - 10 - 1, 1


@pytest.mark.django_db
def test_the_check_reads_the_databases_own_limit(settings):
    """PostgreSQL has max_connections, which the check reads; SQLite has no client limit, so
    there is nothing to warn about however many workers there are."""
    if connection.vendor != "postgresql":
        _too_many(settings, 100)
        assert max_connections() is None
        assert check_database_connections(databases=["default"]) == []
        return
    limit = max_connections()
    assert limit and limit > 10
    settings.GUNICORN_WORKERS, settings.GUNICORN_THREADS = 3, 2
    assert check_database_connections(databases=["default"]) == []
    _too_many(settings, limit)
    [warning] = check_database_connections(databases=["default"])
    assert warning.id == "core.W001" and f"max_connections {limit}" in warning.msg
    # Only where Django runs the database's checks, and there it can stop a deploy.
    assert check_database_connections(databases=None) == []
    with pytest.raises(SystemCheckError, match=r"core\.W001"):
        call_command("check", "--database", "default", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_a_configured_limit_wins_over_the_servers(settings):
    """Behind PgBouncer the server's max_connections is not the limit: DB_MAX_CONNECTIONS is
    (its max_client_conn), and it is used on SQLite too, where nothing can be asked."""
    settings.DB_MAX_CONNECTIONS, settings.DB_CONNECTIONS_HEADROOM = 30, 5
    settings.WEB_INSTANCES, settings.WORKER_INSTANCES = 2, 1
    settings.GUNICORN_WORKERS, settings.GUNICORN_THREADS = 3, 2
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    assert check_database_connections(databases=["default"]) == []  # 12 + 6 or 7 <= 25
    settings.WEB_INSTANCES = 4  # 24 + 6 or 7 > 25
    [warning] = check_database_connections(databases=["default"])
    assert "4 web server(s)" in warning.msg and "DB_MAX_CONNECTIONS 30" in warning.msg
