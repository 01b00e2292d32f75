"""Fault tests with real `manage.py qcluster` processes on a real Redis.

Each test starts its own throwaway redis-server on a free port (so it may kill it) and its own
clusters, sharing the test database (PostgreSQL) with them. Timings are shortened through the
environment (heartbeat 0.5 s, stale after 3 s); waits are bounded.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM as ORMBroker
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule
from django_q.models import Task as QTask
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage

from portal.jobs import runner
from portal.jobs.jobs import PROBE_FAILED
from portal.jobs.models import FINISHED, Job, JobStatus
from portal.jobs.schedules import setup_schedules
from portal.jobs.services import BROKER_DOWN, job_start
from portal.tasks import services as ts
from portal.tasks.models import Task

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True),
]
# The real-cluster tests run where PostgreSQL does (CI); there a missing redis-server is a
# broken machine, said as a failure, not a silent skip.
NO_REDIS_SERVER = (
    "redis-server is not on PATH: the real-cluster tests start their own throwaway Redis "
    "(install Debian's redis-server)"
)


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("qcluster processes share the test database: set DATABASE_URL to PostgreSQL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    def __init__(self, port: int, log: Path):
        self.port, self.log, self.proc = port, log, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: self._ping(client), 10, "redis-server to answer")

    @staticmethod
    def _ping(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Cluster:
    """One `manage.py qcluster` in its own process group (the sentinel, workers and all)."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill9(self) -> None:
        """What a crashed machine does: every process of the cluster dies at once."""
        with _suppress_lookup():
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        with _suppress_lookup():
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill9()


def _suppress_lookup():
    import contextlib

    return contextlib.suppress(ProcessLookupError)


@pytest.fixture
def redis_server(tmp_path):
    if REDIS_SERVER is None:
        pytest.fail(NO_REDIS_SERVER)
    server = RedisServer(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def clusters(redis_server, own_queue, monkeypatch, settings, tmp_path):
    """Start clusters on the throwaway Redis; this process enqueues to the same queue."""
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", {"host": "127.0.0.1", "port": redis_server.port, "db": 0})
    yield from _clusters(
        {"REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0"}, own_queue, settings, tmp_path
    )


@pytest.fixture
def orm_clusters(own_queue, monkeypatch, settings, tmp_path):
    """Start clusters on the ORM broker (the embedded default), in the test database."""
    monkeypatch.setattr(Conf, "ORM", "default")
    monkeypatch.setattr(Conf, "REDIS", None)
    yield from _clusters({"REDIS_URL": ""}, own_queue, settings, tmp_path)


def shared_database_url() -> str:
    """The URL of the test database (PostgreSQL), for processes that share it with the test."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _clusters(broker_env: dict, own_queue: str, settings, tmp_path):
    timings = {
        "JOBS_HEARTBEAT_SECONDS": "0.5",
        "JOBS_STALE_SECONDS": "3",
        "JOBS_QUEUED_STALE_SECONDS": "3",
    }
    for key, value in timings.items():
        setattr(settings, key, float(value))
    # Every team's summary hour has come whenever the test runs (the hour is each team's own).
    settings.DAILY_SUMMARY_HOUR = 0
    env = {
        **os.environ,
        **timings,
        "DAILY_SUMMARY_HOUR": "0",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": shared_database_url(),
        **broker_env,
        "Q_CLUSTER_NAME": own_queue,
        "Q_WORKERS": "2",
        "Q_TIMEOUT": "30",
        "Q_RETRY": "40",
        "SHARED_DIR": str(django_settings.SHARED_DIR),
        "LOG_LEVEL": "INFO",
    }
    started: list[Cluster] = []

    def start(name: str = "a", **extra) -> Cluster:
        cluster = Cluster({**env, **extra}, tmp_path / f"cluster-{name}.log")
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:  # no need to be gentle: the test is over
        cluster.kill9()
    for log in sorted(tmp_path.glob("cluster-*.log")):
        # Shown by pytest only when the test failed.
        print(f"==== {log.name}\n{log.read_text()[-4000:]}")


def job_state(pk: int) -> Job:
    return Job.objects.get(pk=pk)


def test_kill_9_while_a_job_runs_then_the_watchdog_requeues_and_it_succeeds_once(clusters):
    first = clusters("a")
    # A quiet job: only the heartbeat thread shows that it is alive.
    job = job_start("probe", requester=None, seconds=6, quiet=True)
    wait_for(lambda: job_state(job.pk).status == JobStatus.RUNNING, 30, "the job to start")
    started = job_state(job.pk).heartbeat_at
    # Longer than JOBS_STALE_SECONDS: a live run is never taken for a dead one.
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:
        assert runner.watchdog() == {"requeued": 0, "failed": 0, "waiting": 0}
        time.sleep(0.5)
    before = job_state(job.pk)
    assert before.status == JobStatus.RUNNING and before.heartbeat_at > started
    first.kill9()
    assert before.attempts == 1 and before.progress == 0

    second = clusters("b")
    # The heartbeat stops with the worker; after JOBS_STALE_SECONDS the watchdog re-queues.
    wait_for(lambda: runner.watchdog()["requeued"], 15, "the watchdog to re-queue the job", 0.5)
    done = wait_for(
        lambda: (j := job_state(job.pk)).is_finished and j, 30, "the job to finish on cluster b"
    )
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.attempts == 2 and done.result["attempt"] == 2
    assert done.enqueues == 2 and done.worker != before.worker
    # django-q2 saw exactly one completed run of this job: the killed one left nothing.
    runs = wait_for(lambda: list(QTask.objects.filter(name=f"job-{job.pk}")), 10, "q2 result")
    assert [(r.success, r.result) for r in runs] == [(True, "succeeded")]
    assert second.proc.poll() is None


def test_redis_lost_while_jobs_are_queued_every_job_ends_with_an_outcome(clusters, redis_server):
    cluster = clusters("a", Q_WORKERS="1")
    busy = job_start("probe", requester=None, seconds=3)
    wait_for(lambda: job_state(busy.pk).status == JobStatus.RUNNING, 30, "the worker to be busy")
    queued = [job_start("probe", requester=None) for _ in range(4)]
    failing = job_start("probe", requester=None, fail=True)
    # Redis dies with messages still in its list (nothing is saved to disk).
    redis_server.kill()
    while_down = job_start("probe", requester=None)
    assert job_state(while_down.pk).message == BROKER_DOWN.format(error="ConnectionError")
    redis_server.start()  # empty: the queued messages are gone

    jobs = [busy, *queued, failing, while_down]

    def settled():
        runner.watchdog()
        states = [job_state(j.pk) for j in jobs]
        return all(s.is_finished for s in states) and states

    states = wait_for(settled, 60, "every job to finish", interval=1)
    outcome = {s.pk: (s.status, s.error.splitlines()[0] if s.error else "") for s in states}
    expected_ok = {j.pk for j in jobs} - {failing.pk}
    assert {pk for pk, (status, _) in outcome.items() if status == JobStatus.SUCCEEDED} == (
        expected_ok
    )
    assert outcome[failing.pk] == (JobStatus.FAILED, f"RuntimeError: {PROBE_FAILED}")
    assert not Job.objects.filter(status=JobStatus.QUEUED).exists()
    # Messages Redis lost were handed over again by the watchdog (one worker, a queue limit
    # of one: at least the last queued jobs were still in Redis when it died).
    assert any(s.enqueues >= 2 for s in states if s.pk in {j.pk for j in queued})
    assert job_state(while_down.pk).enqueues >= 1
    assert cluster.proc.poll() is None  # the cluster rode out the outage


def test_two_clusters_fire_each_schedule_slot_once(clusters, team):
    setup_schedules()
    slot = timezone.now().replace(microsecond=0) - timezone.timedelta(minutes=1)
    Schedule.objects.update(next_run=slot)
    # The scheduler of each cluster first runs about 30 s after it starts.
    clusters("a")
    clusters("b")
    kinds = [
        "daily_summary",
        "archive_cleanup",
        "attachments_cleanup",
        "overdue_reminders",
        "token_flush",
    ]

    def all_fired():
        moved = not Schedule.objects.filter(next_run__lte=timezone.now()).exists()
        done = Job.objects.filter(kind__in=kinds, status=JobStatus.SUCCEEDED).count() >= len(kinds)
        watchdog_ran = QTask.objects.filter(group="job-watchdog").exists()
        return moved and done and watchdog_ran

    wait_for(all_fired, 75, "every schedule to fire", interval=1)
    time.sleep(4)  # let the other cluster's scheduler pass come and go
    assert Counter(Job.objects.values_list("kind", flat=True)) == dict.fromkeys(kinds, 1)
    assert set(Job.objects.values_list("dedupe_key", flat=True)) == {
        f"{kind}@{slot.isoformat()}" for kind in kinds
    }
    groups = Counter(QTask.objects.values_list("group", flat=True))
    # The events' dispatch runs every minute (and after writes, as group "events"), so it may
    # have had its next slot within the wait; the once-per-slot rule is shown by the others.
    assert 1 <= groups.pop("events-dispatch", 0) <= 2
    groups.pop("events", None)
    groups.pop("notify", None)  # emails of notifications a dispatch made, if any
    # So do webhook deliveries (group "webhooks" after a dispatch that created some).
    assert 1 <= groups.pop("webhooks-deliver", 0) <= 2
    groups.pop("webhooks", None)
    assert groups == {
        "daily-summary": 1,
        "notifications-digest": 1,
        "notifications-purge": 1,
        "archive-cleanup": 1,
        "attachments-cleanup": 1,
        "overdue-reminders": 1,
        "token-flush": 1,
        "job-watchdog": 1,
    }
    day = timezone.localdate(slot).isoformat()
    assert Path(django_settings.SHARED_DIR, f"summaries/{day}/operations.md").is_file()


def fire(name: str) -> datetime:
    """Make the named schedule due a minute ago and run a scheduler pass, as a cluster does.

    The clusters' own scheduler first runs about 30 s after they start; this is the same
    function, run now, sending to the same Redis. Returns the slot that fired.
    """
    slot = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    Schedule.objects.filter(name=name).update(next_run=slot)
    scheduler(broker=get_broker())
    assert Schedule.objects.get(name=name).next_run > timezone.now()
    return slot


def test_a_summary_slot_fired_while_workers_are_busy_runs_after_redis_restarts_empty(
    clusters, redis_server, team
):
    setup_schedules()
    clusters("a", Q_WORKERS="1")
    busy = job_start("probe", requester=None, seconds=6)
    wait_for(lambda: job_state(busy.pk).status == JobStatus.RUNNING, 30, "the worker to be busy")
    # One waits in the cluster's task queue, one in its pusher's hand: the rest stay in Redis.
    fillers = [job_start("probe", requester=None) for _ in range(2)]
    broker = get_broker()
    wait_for(lambda: broker.queue_size() == 0, 10, "the cluster to take the fillers")
    slot = fire("daily-summary")
    assert broker.queue_size() == 1  # the summary's message, waiting behind the busy worker
    redis_server.kill()
    redis_server.start()  # empty: the summary's message is gone

    def summary_done():
        runner.watchdog()
        return Job.objects.filter(kind="daily_summary", status__in=FINISHED).first()

    summary = wait_for(summary_done, 60, "the lost summary to run", interval=1)
    assert summary.status == JobStatus.SUCCEEDED, summary.error
    assert summary.dedupe_key == f"daily_summary@{slot.isoformat()}" and summary.enqueues >= 2
    assert summary.params == {"at": slot.isoformat()}
    day = summary.result["dates"][0]
    assert Path(django_settings.SHARED_DIR, f"summaries/{day}/operations.md").is_file()
    for job in (busy, *fillers):
        wait_for(lambda j=job: job_state(j.pk).is_finished, 30, "the other jobs to finish")
    assert Job.objects.filter(kind="daily_summary").count() == 1


def test_a_cleanup_slot_held_by_a_killed_cluster_runs_on_the_next_one(clusters, team, lead):
    setup_schedules()
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        old = ts.task_archive(
            actor=lead, task=ts.task_create(actor=lead, team=team, title="archived long ago")
        )
    first = clusters("a", Q_WORKERS="1")
    busy = job_start("probe", requester=None, seconds=30, quiet=True)
    wait_for(lambda: job_state(busy.pk).status == JobStatus.RUNNING, 30, "the worker to be busy")
    slot = fire("archive-cleanup")
    broker = get_broker()
    # The cluster takes the clean-up's message out of Redis and holds it for its busy worker.
    wait_for(lambda: broker.queue_size() == 0, 10, "the cluster to take the clean-up")
    first.kill9()
    cleanup = Job.objects.get(kind="archive_cleanup")
    assert cleanup.status == JobStatus.QUEUED

    clusters("b")

    def cleanup_done():
        runner.watchdog()
        return (j := job_state(cleanup.pk)).is_finished and j

    done = wait_for(cleanup_done, 60, "the clean-up to run on cluster b", interval=1)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.dedupe_key == f"archive_cleanup@{slot.isoformat()}"
    assert done.attempts == 1 and done.enqueues >= 2 and done.result["deleted"] == 1
    assert not Task.objects.filter(pk=old.pk).exists()
    # It ran this week, from its own slot: the schedule's next turn is still a week away.
    next_run = Schedule.objects.get(name="archive-cleanup").next_run
    assert next_run - slot > timedelta(days=6)
    assert Job.objects.filter(kind="archive_cleanup").count() == 1


def test_the_watchdog_recovers_while_every_worker_is_busy_and_jobs_are_queued(clusters):
    setup_schedules()
    Schedule.objects.filter(name="job-watchdog").update(next_run=timezone.now())
    # Waiting jobs are not "lost" yet: only the dead run is to be recovered.
    clusters("a", Q_WORKERS="1", JOBS_QUEUED_STALE_SECONDS="600")
    busy = job_start("probe", requester=None, seconds=90, quiet=True)
    wait_for(lambda: job_state(busy.pk).status == JobStatus.RUNNING, 30, "the worker to be busy")
    waiting = [job_start("probe", requester=None, seconds=6) for _ in range(5)]
    # A run whose worker died an hour ago (as if killed with its machine).
    lost = Job.objects.create(
        kind="probe",
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    # The cluster's scheduler runs about 30 s after it starts and fires the watchdog then.
    recovered = wait_for(
        lambda: (j := job_state(lost.pk)).status == JobStatus.QUEUED and j,
        60,
        "the cluster's watchdog to hand the lost job over",
    )
    assert recovered.message == runner.REQUEUED_STALE
    # ...while the only worker was still busy and the other jobs still waited.
    assert job_state(busy.pk).status == JobStatus.RUNNING
    assert all(job_state(j.pk).status == JobStatus.QUEUED for j in waiting)
    outcome = QTask.objects.get(group="job-watchdog").result
    assert outcome == {"requeued": 1, "failed": 0, "waiting": 0}


def jobs_in_queue(broker) -> list[int]:
    """The job ids of the messages waiting in the broker's queue (one entry per message)."""
    if isinstance(broker, ORMBroker):
        payloads = OrmQ.objects.filter(key=broker.list_key).values_list("payload", flat=True)
    else:
        payloads = broker.connection.lrange(broker.list_key, 0, -1)
    return [SignedPackage.loads(p)["args"][0] for p in payloads]


@pytest.mark.parametrize("broker_name", ["redis", "orm"])
def test_jobs_waiting_behind_busy_workers_are_neither_sent_again_nor_failed(
    request, broker_name, settings
):
    start = request.getfixturevalue("clusters" if broker_name == "redis" else "orm_clusters")
    settings.JOBS_QUEUED_STALE_SECONDS = 0.5
    settings.JOBS_MAX_ENQUEUES = 2
    start("a")  # two workers
    busy = [job_start("probe", requester=None, seconds=5, quiet=True) for _ in range(2)]
    for job in busy:
        wait_for(lambda j=job: job_state(j.pk).status == JobStatus.RUNNING, 30, "busy workers")
    # More than the cluster takes into its own queue (workers ** 2, and one in the pusher's
    # hand): some messages wait in the cluster, the rest in the broker.
    waiting = [job_start("probe", requester=None) for _ in range(8)]
    broker = get_broker()
    time.sleep(1)  # the cluster takes its share
    turns = 0
    while any(job_state(j.pk).status == JobStatus.RUNNING for j in busy):
        outcome = runner.watchdog()
        assert (outcome["requeued"], outcome["failed"]) == (0, 0), outcome
        turns += outcome["waiting"] > 0
        in_queue = jobs_in_queue(broker)
        assert len(in_queue) == len(set(in_queue)), "a message was put in the queue twice"
        time.sleep(0.5)
    assert turns >= 3  # the watchdog did look at them, long after they counted as stale
    for job in waiting:
        done = wait_for(lambda j=job: (s := job_state(j.pk)).is_finished and s, 30, "the jobs")
        assert done.status == JobStatus.SUCCEEDED, done.error
        assert (done.attempts, done.enqueues) == (1, 1)
    # Each job's message ran once: nothing was left over to be skipped as a duplicate.
    runs = wait_for(
        lambda: (r := list(QTask.objects.filter(group="jobs"))) and len(r) >= 10 and r,
        10,
        "the cluster to record the runs",
    )
    assert sorted(r.result for r in runs) == ["succeeded"] * 10
    assert jobs_in_queue(broker) == []
