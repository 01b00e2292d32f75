"""The worker's health check: a heartbeat file the cluster touches, checked without Django."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django_q.brokers import get_broker
from django_q.conf import Conf

from portal.jobs.brokers import HeartbeatORM, HeartbeatRedis
from tests.deploy.servers import RedisServer, wait_until

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "portal/core/heartbeat.py"


def check(path: Path, max_age: float = 30) -> subprocess.CompletedProcess:
    # -I -S: no site-packages, so the check cannot be importing Django (or anything else).
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT)],
        env={"WORKER_HEARTBEAT_FILE": str(path), "WORKER_HEARTBEAT_MAX_AGE": str(max_age)},
        capture_output=True,
        text=True,
        timeout=10,
    )


def test_the_check_fails_without_a_file_and_on_an_old_one(tmp_path):
    beat = tmp_path / "heartbeat"
    result = check(beat)
    assert result.returncode == 1
    assert "no heartbeat file" in result.stderr
    beat.touch()
    assert check(beat).returncode == 0
    os.utime(beat, (time.time() - 60, time.time() - 60))
    result = check(beat)
    assert result.returncode == 1
    assert "60 s old (more than 30 s)" in result.stderr


def test_the_broker_is_django_q2s_own_choice(monkeypatch, settings, db):
    """ORM or Redis as Q_CLUSTER says (tests switch it at run time, as django-q2 allows)."""
    assert settings.Q_CLUSTER["broker_class"] == "portal.jobs.brokers.broker"
    monkeypatch.setattr(Conf, "ORM", "default")
    assert type(get_broker()) is HeartbeatORM
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", {"host": "127.0.0.1", "port": 6379, "db": 4})
    assert type(get_broker()) is HeartbeatRedis


def test_a_status_save_touches_the_file(tmp_path, db):
    beat = tmp_path / "heartbeat"
    with override_settings(WORKER_HEARTBEAT_FILE=str(beat)):
        HeartbeatORM().set_stat("portal-test:stat", "x", 3)
    assert beat.is_file()
    with override_settings(WORKER_HEARTBEAT_FILE=""):
        beat.unlink()
        HeartbeatORM().set_stat("portal-test:stat", "x", 3)
    assert not beat.exists()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def test_a_running_cluster_keeps_the_heartbeat_fresh_and_a_stopped_one_does_not(
    tmp_path, redis_server
):
    beat = tmp_path / "heartbeat"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DEBUG="true",
        LOG_LEVEL="WARNING",
        VAR_DIR=str(tmp_path / "var"),
        REDIS_URL=redis_server.url,
        WORKER_HEARTBEAT_FILE=str(beat),
    )
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: check(beat, 2).returncode == 0, timeout=60, what="a heartbeat")
        first = beat.stat().st_mtime
        wait_until(lambda: beat.stat().st_mtime > first, timeout=5, what="the next heartbeat")
    finally:
        cluster.send_signal(signal.SIGTERM)
        cluster.wait(timeout=30)
    time.sleep(2.5)
    result = check(beat, 2)
    assert result.returncode == 1
    assert "more than 2 s" in result.stderr
