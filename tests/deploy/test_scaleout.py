"""Scaling out: two web servers and two job clusters against one PostgreSQL and one Redis.

Two gunicorn servers (portal/gunicorn.conf.py, 2 workers each, DEBUG off, started as the load
test starts its server) and two `manage.py qcluster` processes run on 127.0.0.1 against the
test database and one Redis (REDIS_URL's, or a private redis-server without it), with one
secret key and one shared folder, as several machines behind one proxy would. While the load
test's mix (locust) runs through both servers at once, the test checks what must hold when a
person's requests land on either machine:

- no request fails, and neither server logs an error;
- background jobs started through one server run exactly once, on either cluster, and their
  progress and result are read through the other;
- a session made by signing in on one server is valid on the other, and signing out there
  ends it everywhere;
- rate limits are counted once for all servers: sign-ins on A and on B add up, and the limit
  reached is enforced by both.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.models import Task as QTask

from portal.accounts.models import User
from portal.jobs.models import Job, JobStatus
from portal.settings.accounts import PASSWORD_HASHERS as SERVER_HASHERS
from tests.deploy.servers import RedisServer, free_port, wait_until
from tests.jobs.test_cluster import Cluster, needs_postgresql, shared_database_url  # noqa: F401
from tests.load import mix, run

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

PROXY = {"X-Forwarded-Proto": "https"}
LOGIN_LIMIT = 4  # sign-ins per minute per address on the API, for this test
EXPORT_JOBS = 8
LOAD_SECONDS = 10
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def redis_url(tmp_path):
    """REDIS_URL's Redis (CI sets it), or a private redis-server on this machine."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def farm(tmp_path, redis_url, monkeypatch):
    """Two web servers and two clusters sharing the database, Redis, secret key and files."""
    name = f"portal-scaleout-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        # Cache entries (throttle counters) and the job queue apart from any other run's.
        "CACHE_KEY_PREFIX": name,
        "Q_CLUSTER_NAME": name,
        "Q_WORKERS": "2",
        # One folder for uploads and job files, as a shared volume or object storage gives.
        "VAR_DIR": str(tmp_path / "var"),
        # Every export becomes a background job; the API's sign-in limit is reached quickly.
        "SPREADSHEET_BACKGROUND_ROWS": "0",
        "API_THROTTLE_LOGIN": f"{LOGIN_LIMIT}/min",
        "LOG_LEVEL": "WARNING",
    }
    # Settings the load test's users read (their waits), in this process's environment.
    monkeypatch.setenv("LOAD_WAIT", "0.05,0.2")
    began = time.monotonic()
    servers: list[run.Server] = []
    clusters: list[Cluster] = []
    try:
        servers += [run.Server(free_port(), 2, tmp_path / f"web-{n}.log", env=env) for n in "ab"]
        clusters += [Cluster(env, tmp_path / f"cluster-{n}.log") for n in "ab"]
        # The data, while the processes start (they need none to start).
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        hash_as_the_servers_do()
        print(f"demo data: {time.monotonic() - began:.1f} s")
        for server in servers:
            wait_until(lambda s=server: clusters_seen(s) == 2, timeout=60, what="2 clusters")
        print(f"servers and clusters ready: {time.monotonic() - began:.1f} s")
        yield servers, clusters
    finally:
        for server in servers:
            server.stop()
        for cluster in clusters:
            cluster.stop()
        for log in sorted(tmp_path.glob("*.log")):  # shown by pytest only when the test failed
            print(f"==== {log.name}\n{log.read_text(errors='replace')[-3000:]}")


def hash_as_the_servers_do() -> None:
    """The demo people's passwords hashed with the servers' first hasher (this process hashes
    with the tests' fast one): a sign-in would upgrade the hash, and a new hash ends the
    person's other sessions, so the load's users signing the same people in on both servers at
    once would sign each other out."""
    hasher = import_string(SERVER_HASHERS[0])()
    people = list(User.objects.exclude(username="admin"))
    for person in people:
        person.password = make_password(mix.DEMO_PASSWORD, hasher=hasher)
    User.objects.bulk_update(people, ["password"])


def clusters_seen(server: run.Server) -> int:
    """How many clusters /readyz sees (0 while the server is not up or not ready)."""
    with contextlib.suppress(requests.RequestException, ValueError, KeyError):
        response = requests.get(f"{server.url}/readyz", timeout=3)
        if response.status_code == 200:
            return response.json()["checks"]["cluster"]["clusters"]
    return 0


class Browser(requests.Session):
    """A browser behind the TLS proxy: it keeps the portal's Secure cookies on plain HTTP."""

    def request(self, method, url, **kwargs):
        kwargs["headers"] = {**PROXY, **(kwargs.get("headers") or {})}
        kwargs.setdefault("timeout", 30)
        kwargs["allow_redirects"] = False  # Session.get() asks to follow them: a browser's
        # redirects are what the test looks at
        response = super().request(method, url, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response

    def sign_in(self, base: str, username: str) -> None:
        form = self.get(f"{base}/accounts/login/")
        token = _CSRF_INPUT.search(form.text)[1]
        response = self.post(
            f"{base}/accounts/login/",
            data={"login": username, "password": mix.DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base.replace('http:', 'https:')}/accounts/login/"},
        )
        assert response.status_code == 302, response.text[:500]

    def sign_out(self, base: str) -> None:
        response = self.post(
            f"{base}/accounts/logout/",
            headers={
                "X-CSRFToken": self.cookies["csrftoken"],
                "Referer": f"{base.replace('http:', 'https:')}/teams/",
            },
        )
        assert response.status_code == 302, response.text[:500]


def api_sign_in(base: str, username: str, address: str) -> requests.Response:
    return requests.post(
        f"{base}/api/auth/login/",
        json={"username": username, "password": mix.DEMO_PASSWORD},
        headers={**PROXY, "X-Forwarded-For": address},
        timeout=30,
    )


def load(server: run.Server, prefix: Path, results: dict) -> None:
    """The load test's mix through one server (locust, as `make loadtest` runs it)."""
    code = run.run_locust(server.url, 4, 4, LOAD_SECONDS, prefix)
    results[server.url] = (code, run.read_stats(prefix))


def cluster_of(pid: int, clusters: list[Cluster]) -> int:
    """Which cluster (0 or 1) a job worker's process belongs to."""
    for number, cluster in enumerate(clusters):
        family = psutil.Process(cluster.proc.pid).children(recursive=True)
        if pid in {p.pid for p in family}:
            return number
    raise AssertionError(f"process {pid} belongs to neither cluster")


def test_two_servers_and_two_clusters_share_jobs_sessions_and_limits(farm, tmp_path):
    (a, b), clusters = farm
    started = time.monotonic()
    results: dict = {}
    loads = [
        threading.Thread(target=load, args=(s, tmp_path / f"locust-{n}", results))
        for n, s in zip("ab", (a, b), strict=True)
    ]
    for thread in loads:
        thread.start()

    # A session made on A is valid on B; signing out on B ends it on A too.
    browser = Browser()
    browser.sign_in(a.url, "olivia")
    board = browser.get(f"{b.url}/teams/")
    assert board.status_code == 200, board.headers.get("Location")
    browser.sign_out(b.url)
    after = browser.get(f"{a.url}/teams/")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/accounts/login/")

    # Sign-ins from one address count against one limit, whichever server answers them.
    answers = [api_sign_in((a, b)[n % 2].url, "marcus", "10.99.0.1") for n in range(LOGIN_LIMIT)]
    assert [r.status_code for r in answers] == [200] * LOGIN_LIMIT
    assert api_sign_in(a.url, "marcus", "10.99.0.1").status_code == 429
    assert api_sign_in(b.url, "marcus", "10.99.0.1").status_code == 429
    # Another address still signs in: the limit is per client, not global.
    token = api_sign_in(b.url, "olivia", "10.99.0.2").json()["access"]
    auth = {**PROXY, "Authorization": f"Bearer {token}"}

    # Exports started through A run as jobs on the clusters; B reports them and serves files.
    ids = []
    for _ in range(EXPORT_JOBS):
        response = requests.get(
            f"{a.url}/api/tasks/export/?file_format=csv", headers=auth, timeout=30
        )
        assert response.status_code == 202, response.text[:500]
        ids.append(response.json()["id"])

    def finished():
        bodies = [
            requests.get(f"{b.url}/api/spreadsheet-jobs/{pk}/", headers=auth, timeout=30).json()
            for pk in ids
        ]
        return all(body["status"] in {"succeeded", "failed"} for body in bodies) and bodies

    bodies = wait_until(finished, timeout=60, interval=0.5, what="the export jobs to finish")
    assert [body["status"] for body in bodies] == ["succeeded"] * EXPORT_JOBS, bodies
    download = requests.get(bodies[0]["download"].replace("https:", "http:"), headers=auth)
    assert download.status_code == 200 and download.text.lstrip("\ufeff").startswith("key,")

    # Each job ran exactly once (one claim, one message, one run recorded by django-q2),
    # and the two clusters shared the work.
    jobs = list(Job.objects.filter(pk__in=ids))
    assert {(j.status, j.attempts, j.enqueues) for j in jobs} == {(JobStatus.SUCCEEDED, 1, 1)}
    runs = wait_until(
        lambda: (
            (r := list(QTask.objects.filter(name__in=[f"job-{pk}" for pk in ids])))
            and len(r) >= EXPORT_JOBS
            and r
        ),
        timeout=10,
        what="django-q2 to record the runs",
    )
    assert sorted(r.name for r in runs) == sorted(f"job-{pk}" for pk in ids)
    ran_on = {cluster_of(int(j.worker.rsplit(":", 1)[1]), clusters) for j in jobs}
    assert ran_on == {0, 1}

    # The load through both servers: every request succeeded. (How far into the mix a short
    # run gets depends on the machine's speed: tests/load/test_load.py checks that the mix runs
    # whole; here each server must have signed its users in and answered them all.)
    for thread in loads:
        thread.join(timeout=LOAD_SECONDS + 90)
    assert len(results) == 2
    for url, (code, stats) in results.items():
        total = stats["total"]
        print(f"{url}: {total['requests']} requests, {total['rps']:.1f} req/s, p95 {total['p95']}")
        assert total["failures"] == 0 and not stats["failures"], stats["failures"]
        assert not stats["exceptions"], stats["exceptions"]
        assert code == 0, url
        ran = {row["name"] for row in stats["endpoints"] if row["requests"]}
        assert mix.LOGIN in ran and total["requests"] >= 8, ran
    for server in (a, b):
        log = server.log.read_text().splitlines()
        # /readyz answers 503 (logged as an error) until the cache and clusters answer.
        errors = [line for line in log if "ERROR" in line and "/readyz" not in line]
        assert errors == [], errors[:5]
    print(f"checks and load took {time.monotonic() - started:.1f} s")
