"""The compose topology, run as plain processes on this machine and driven over HTTP.

What compose would run, with the environment compose would give it (read from compose.yml;
only the addresses of `db` and `redis` and the /shared volume are replaced by local ones):

- `migrate`: the entrypoint, then `manage.py deploy` (migrations + schedules), run twice to
  show a second deploy changes nothing;
- `web`: the entrypoint, then gunicorn with portal/gunicorn.conf.py on a free loopback port;
- `worker`: the entrypoint, then `manage.py qcluster`.

Redis is a redis-server this test starts on a free port (and stops and starts again); the
database is a fresh PostgreSQL database on the server DATABASE_URL names (dropped afterwards),
or a SQLite file when DATABASE_URL is not set. The test plays the TLS proxy: it sends
X-Forwarded-Proto: https, as the proxy in front of `web` must.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import requests
import yaml

from tests.deploy.servers import RedisServer, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HTTPS = {"X-Forwarded-Proto": "https"}
PASSWORD = "Stack-test-pass-2026!"
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")

pytestmark = pytest.mark.cluster


def interpolate(value: str, variables: dict[str, str]) -> str:
    """compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, for the values compose.yml uses."""

    def replace(match: re.Match) -> str:
        name, kind, arg = match.groups()
        if variables.get(name):
            return variables[name]
        if kind == "?":
            raise AssertionError(f"compose would refuse to start: {arg}")
        return arg or ""

    return _INTERPOLATION.sub(replace, value)


def compose_environment(service: str, variables: dict[str, str]) -> dict[str, str]:
    compose = yaml.safe_load((ROOT / "compose.yml").read_text())
    env = compose["services"][service]["environment"]
    return {key: interpolate(str(value), variables) for key, value in env.items()}


# --- database ---------------------------------------------------------------------------------


class Database:
    """A fresh PostgreSQL database beside DATABASE_URL's, or a SQLite file without it."""

    def __init__(self, tmp: Path):
        self.base = os.environ.get("DATABASE_URL", "")
        self.name = None
        if self.base.startswith(("postgres://", "postgresql://")):
            self.name = f"portal_stack_{uuid.uuid4().hex[:10]}"
            parts = urlparse(self.base)
            self.url = urlunparse(parts._replace(path=f"/{self.name}"))
            self._admin = urlunparse(parts._replace(path="/postgres"))
        else:
            self.url = f"sqlite:///{tmp / 'portal.sqlite3'}"

    def _execute(self, sql: str) -> None:
        import psycopg

        url = self._admin.replace("postgresql://", "postgres://", 1)
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
            c.execute(sql)

    def create(self) -> Database:
        if self.name:
            self._execute(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        if self.name:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- processes --------------------------------------------------------------------------------


class Stack:
    def __init__(
        self, tmp: Path, app: Path, database: Database, redis: RedisServer, static_root: Path
    ):
        self.tmp = tmp
        self.app = app  # the image's application folder (what the Dockerfile copies)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.shared = tmp / "shared"
        self.shared.mkdir()
        self.processes: dict[str, subprocess.Popen] = {}
        variables = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "POSTGRES_PASSWORD": "not-used-here",
        }
        env = compose_environment("web", variables)
        # The worker's environment is the web's plus the heartbeat file its health check reads.
        worker = compose_environment("worker", variables)
        assert worker.pop("WORKER_HEARTBEAT_FILE").startswith("/")
        assert worker == env
        assert compose_environment("migrate", variables) == env
        # Only what names compose's own network and volume changes on this machine.
        assert urlparse(env["DATABASE_URL"]).hostname == "db"
        assert urlparse(env["REDIS_URL"]).hostname == "redis"
        assert env["SHARED_DIR"] == "/shared"
        assert env["TRUSTED_PROXIES"] == "172.30.80.0/24"  # the frontend network's subnet
        env.update(
            DATABASE_URL=database.url,
            REDIS_URL=redis.url,
            SHARED_DIR=str(self.shared),
            # The test plays the TLS proxy from loopback, where compose's proxy is on its network.
            TRUSTED_PROXIES="127.0.0.1",
        )
        self.env = {
            # A container's environment: nothing inherited from this shell but PATH basics.
            "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
            "HOME": str(tmp),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            # What the image sets (Dockerfile ENV); static files collected as the build does.
            "VAR_DIR": str(tmp / "var"),
            "STATIC_ROOT": str(static_root),
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "Q_WORKERS": "2",
            "LOG_FILE": str(tmp / "portal.log"),
        }

    def entrypoint(self, *command: str) -> list[str]:
        return ["sh", str(self.app / "portal/core/entrypoint.sh"), *command]

    def run(self, *command: str, timeout: float = 60, **extra_env) -> str:
        result = subprocess.run(
            self.entrypoint(*command),
            cwd=self.app,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def manage(self, *args: str, **extra_env) -> str:
        """A one-off command as `docker compose exec web python manage.py ...` runs it
        (exec does not go through the entrypoint)."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.app,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def shell(self, code: str, **extra_env) -> str:
        return self.manage("shell", "-c", code, **extra_env)

    def start_job(self, kind: str, *params: str) -> int:
        """What an operator types: `manage.py start_job KIND key=value` (a worker runs it)."""
        out = self.manage("start_job", kind, *params)
        match = re.search(rf"job #(\d+) \({kind}\) queued", out)
        assert match, out
        return int(match.group(1))

    def start(self, name: str, *command: str) -> None:
        log = open(self.tmp / f"{name}.out", "w")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            self.entrypoint(*command),
            cwd=self.app,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )

    def cmdline(self, name: str) -> str:
        return Path(f"/proc/{self.processes[name].pid}/cmdline").read_bytes().decode()

    def stop(self) -> None:
        """Stop like `docker compose stop`: SIGTERM to the main process (the entrypoint exec'd
        into it, so it is the pid we started), then kill what is left of its group."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # stray children of our own group

    def get(self, path: str, **kwargs) -> requests.Response:
        headers = {**HTTPS, **kwargs.pop("headers", {})}
        return requests.get(self.base_url + path, headers=headers, timeout=10, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        headers = {**HTTPS, **kwargs.pop("headers", {})}
        return requests.post(self.base_url + path, headers=headers, timeout=10, **kwargs)

    def ready(self) -> requests.Response | None:
        try:
            response = self.get("/readyz")
        except requests.RequestException:  # not up yet, or too busy to answer in time
            return None
        return response

    def wait_ready(self, timeout: float) -> dict:
        def check():
            response = self.ready()
            return response.json() if response is not None and response.status_code == 200 else None

        return wait_until(check, timeout=timeout, interval=0.3, what="/readyz to answer 200")


@pytest.fixture
def stack(tmp_path, image_root, collected_static):
    database = Database(tmp_path).create()
    redis = stack = None
    try:
        # Each part is stopped or dropped even when making the next one fails.
        redis = RedisServer(tmp_path / "redis").start()
        stack = Stack(tmp_path, image_root, database, redis, collected_static)
        stack.redis = redis
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        if redis is not None:
            redis.stop()
        database.drop()


def test_compose_topology_runs_and_survives_a_redis_restart(stack):
    started = time.monotonic()

    # migrate (one-shot): migrations and schedules; a second deploy changes nothing.
    first = stack.run("python", "manage.py", "deploy", timeout=120)
    assert "daily-summary: created" in first
    second = stack.run("python", "manage.py", "deploy")
    assert "created" not in second and "daily-summary: unchanged" in second

    stack.start("web", "gunicorn", "--config", "portal/gunicorn.conf.py")
    stack.start("worker", "python", "manage.py", "qcluster")
    report = stack.wait_ready(timeout=45)
    assert report["checks"]["cluster"]["clusters"] == 1
    assert set(report["checks"]) == {"database", "redis", "cache", "cluster"}
    # The entrypoint exec'd: the pid compose would signal is the server, not a shell.
    assert "gunicorn" in stack.cmdline("web")
    assert "qcluster" in stack.cmdline("worker")

    # The web process runs with production settings behind the "proxy".
    plain = requests.get(stack.base_url + "/admin/login/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")
    page = stack.get("/admin/login/")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "secure" in page.headers["Set-Cookie"].lower()
    # Static files: hashed names from the manifest, served compressed by whitenoise.
    css = re.search(r'href="(/static/unfold/css/styles\.[0-9a-f]{12}\.css)"', page.text)
    assert css, "the admin should link the hashed stylesheet"
    static = stack.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert static.headers["Content-Encoding"] == "gzip"
    assert "immutable" in static.headers["Cache-Control"]

    # Sign in through the API, create a team and a task.
    stack.run(
        "python",
        "manage.py",
        "createsuperuser",
        "--noinput",
        "--username",
        "ops",
        "--email",
        "ops@example.com",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    login = stack.post("/api/auth/login/", json={"username": "ops", "password": PASSWORD})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['access']}"}
    team = stack.post(
        "/api/teams/", json={"name": "Platform", "slug": "platform", "key": "PLT"}, headers=auth
    )
    assert team.status_code == 201, team.text
    task = stack.post(
        "/api/tasks/",
        json={
            "team": team.json()["id"],
            "title": "Rotate the TLS certificate",
            "due_date": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        },
        headers=auth,
    )
    assert task.status_code == 201, task.text
    assert task.json()["key"] == "PLT-1"

    # The daily summary, run by the worker, lands in the shared folder.
    today = date.today().isoformat()
    job_id = stack.start_job("daily_summary", f"date={today}")
    summary = stack.shared / "summaries" / today / "platform.md"
    wait_until(summary.exists, timeout=30, what="the daily summary file")
    # The task is overdue, so the summary lists it.
    assert "**PLT-1** Rotate the TLS certificate" in summary.read_text()

    # Redis goes away: not ready, naming what is down; reads still answer.
    stack.redis.stop()
    response = stack.ready()
    assert response.status_code == 503
    assert response.json()["down"] == ["redis", "cache", "cluster"]
    tasks = stack.get("/api/tasks/", headers=auth)
    assert tasks.status_code == 200, tasks.text
    assert [t["key"] for t in tasks.json()["results"]] == ["PLT-1"]
    # A job started now is recorded and waits: the queue cannot be reached.
    waiting_id = stack.start_job("daily_summary", "date=2026-01-02")
    assert (
        stack.shell(
            f"from portal.jobs.models import Job; print(Job.objects.get(pk={waiting_id}).status)"
        )
        == "queued"
    )

    # Redis is back: ready again once the cluster's heartbeat returns, and the waiting job runs
    # when the watchdog hands it over (its schedule does this every JOBS_WATCHDOG_MINUTES; here
    # it is run at once, counting any queued job as waiting too long).
    stack.redis.start()
    stack.wait_ready(timeout=30)
    stack.shell(
        "from portal.jobs.runner import watchdog; print(watchdog())",
        JOBS_QUEUED_STALE_SECONDS="0",
    )
    late = stack.shared / "summaries" / "2026-01-02" / "platform.md"
    wait_until(late.exists, timeout=30, what="the job queued during the outage to finish")
    statuses = stack.shell(
        "from portal.jobs.models import Job; "
        f"print(','.join(Job.objects.get(pk=p).status for p in ({job_id}, {waiting_id})))"
    )
    assert statuses == "succeeded,succeeded"

    # Logs: JSON lines in the rotating file, with request ids and the signed-in user.
    lines = [json.loads(line) for line in (stack.tmp / "portal.log").read_text().splitlines()]
    requests_logged = [line for line in lines if line["logger"] == "portal.request"]
    created = [line for line in requests_logged if line["path"] == "/api/tasks/"]
    assert created and created[0]["method"] == "POST" and created[0]["status"] == 201
    assert created[0]["user_id"] is not None and created[0]["request_id"]

    assert time.monotonic() - started < 120
