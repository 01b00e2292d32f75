"""Liveness (/healthz), readiness (/readyz) and the container health/wait commands.

Redis here is a throwaway redis-server per test module (never the shared one), so "Redis is
down" is a real stopped server, and a cluster heartbeat is written the way django-q2 writes it.
"""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.status import Stat, Status

from portal.core import health
from portal.core.management.commands.healthcheck import NO_LOCAL_CLUSTER
from portal.core.management.commands.wait_for_services import TIMED_OUT
from tests.deploy.servers import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def _use_redis(settings, monkeypatch, port: int) -> None:
    """Point the cache, the readiness ping and django-q2's broker at 127.0.0.1:`port`."""
    url = f"redis://127.0.0.1:{port}/0"
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"health-test-{uuid.uuid4().hex[:8]}",
        }
    }
    # django-q2 reads its settings once at import; switch its broker to this Redis.
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", {"host": "127.0.0.1", "port": port, "db": 0})


def _heartbeat(host: str | None = None, status: str | None = None) -> str:
    """Write a cluster heartbeat exactly as a running cluster does (3 s expiry)."""
    stat = Status(pid=os.getpid(), cluster_id=uuid.uuid4())
    stat.status = status or Conf.IDLE
    stat.workers = [101, 102]
    if host:
        stat.host = host
    get_broker().set_stat(Stat.get_key(stat.cluster_id), SignedPackage.dumps(stat, True), 3)
    return str(stat.cluster_id)


@pytest.fixture
def clean_redis(redis_server):
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()  # our own throwaway server, not a shared one
    yield redis_server
    client.close()


# --- /healthz --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_answers_any_host_without_https_redirect(client, settings, path):
    # Production settings: a container probe on 127.0.0.1:8000 must still get a 200.
    settings.ALLOWED_HOSTS = ["tasks.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/healthz/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_probes_carry_the_security_headers(client, settings, path, method):
    # Answered before the security middlewares run, but with their headers all the same.
    settings.ALLOWED_HOSTS = ["tasks.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    response = getattr(client, method)(path, HTTP_HOST="172.18.0.5:8000", secure=True)
    assert response.status_code in (200, 405, 503)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=3600")


def test_health_endpoints_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- /readyz ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_ready_on_embedded_defaults(client, settings, monkeypatch):
    # SQLite/PostgreSQL, no Redis, local-memory cache, ORM broker: nothing to be down but the
    # database; the cluster heartbeat cannot be seen across processes and is skipped.
    settings.REDIS_URL = ""
    settings.CACHES = LOCMEM
    monkeypatch.setattr(Conf, "ORM", "default")
    response = client.get("/readyz", HTTP_HOST="10.0.0.1")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "skipped"
    assert body["checks"]["cluster"] == {
        "status": "skipped",
        "detail": health.CLUSTER_NOT_VISIBLE,
        "ms": body["checks"]["cluster"]["ms"],
    }


@pytest.mark.django_db
def test_readyz_needs_a_fresh_cluster_heartbeat(client, settings, monkeypatch, clean_redis):
    _use_redis(settings, monkeypatch, clean_redis.port)

    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["cluster"]
    assert body["checks"]["cluster"]["error"] == health.NO_CLUSTER
    for name in ("database", "redis", "cache"):
        assert body["checks"][name]["status"] == "ok"

    _heartbeat(status=Conf.STOPPED)  # a cluster that is shutting down does not count
    assert client.get("/readyz").status_code == 503

    _heartbeat()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["cluster"]["clusters"] == 1
    assert response.json()["checks"]["cluster"]["workers"] == 2


@pytest.mark.django_db
def test_readyz_names_everything_that_needs_redis_when_it_is_down(client, settings, monkeypatch):
    _use_redis(settings, monkeypatch, free_port())  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["redis", "cache", "cluster"]
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    # Error class names only: no host names or passwords in a public answer.
    assert "127.0.0.1" not in response.content.decode()


# --- commands --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_worker_healthcheck_sees_only_this_hosts_cluster(settings, monkeypatch, clean_redis):
    _use_redis(settings, monkeypatch, clean_redis.port)
    _heartbeat(host="another-container")
    with pytest.raises(CommandError) as excinfo:
        call_command("healthcheck", "--worker")
    assert str(excinfo.value) == NO_LOCAL_CLUSTER.format(host=socket.gethostname())

    _heartbeat()
    call_command("healthcheck", "--worker")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environ.update({"DJANGO_SETTINGS_MODULE": "portal.settings.base", "DEBUG": "true", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_healthcheck_and_wait_command_report_an_unreachable_database():
    dead_db = f"postgres://portal@127.0.0.1:{free_port()}/portal"
    result = _manage("healthcheck", DATABASE_URL=dead_db)
    assert result.returncode == 1
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["down"] == ["database"]
    assert "not ready: database" in result.stderr

    result = _manage(
        "wait_for_services", "--timeout", "1", "--interval", "0.3", DATABASE_URL=dead_db
    )
    assert result.returncode == 1
    expected = TIMED_OUT.split("{error}")[0].format(timeout=1.0, waiting="database")
    # Log lines (on stdout, like every other log line), not a traceback or CommandError text.
    assert expected in result.stdout
    assert "waiting for database" in result.stdout
    assert "CommandError" not in result.stderr


def test_wait_command_returns_once_services_answer(redis_server, tmp_path):
    result = _manage(
        "wait_for_services",
        "--timeout",
        "10",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=redis_server.url,
    )
    assert result.returncode == 0, result.stderr
    assert "database and redis are reachable" in result.stdout
