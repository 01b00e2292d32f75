"""The job settings' system checks: a cluster refuses to start with timings that cannot work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal.jobs.checks import STALE_NOT_ABOVE_HEARTBEAT, check_job_timings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("stale", "heartbeat"), [(10, 10), (5, 10)])
def test_a_stale_limit_not_above_the_heartbeat_is_an_error(settings, stale, heartbeat):
    settings.JOBS_STALE_SECONDS, settings.JOBS_HEARTBEAT_SECONDS = stale, heartbeat
    [error] = check_job_timings()
    assert error.id == "jobs.E001"
    assert error.msg == STALE_NOT_ABOVE_HEARTBEAT.format(stale=stale, heartbeat=heartbeat)
    with pytest.raises(SystemCheckError, match=r"jobs\.E001"):
        call_command("check")


def test_the_defaults_pass(settings):
    settings.JOBS_STALE_SECONDS, settings.JOBS_HEARTBEAT_SECONDS = 60, 10
    assert check_job_timings() == []
    call_command("check")


def test_qcluster_refuses_to_start(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"}  # nothing it could touch if it did start
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        VAR_DIR=str(tmp_path),
        JOBS_HEARTBEAT_SECONDS="10",
        JOBS_STALE_SECONDS="10",
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # it started after all: stop the whole cluster
            os.killpg(proc.pid, 9)
            proc.wait(10)
    assert proc.returncode != 0
    assert "jobs.E001" in err
    assert STALE_NOT_ABOVE_HEARTBEAT.format(stale=10.0, heartbeat=10.0) in err
