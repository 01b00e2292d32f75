"""The command-line door: start_job."""

import pytest
from django.core.management import CommandError, call_command

from portal.jobs.jobs import PROBE_FAILED
from portal.jobs.management.commands.start_job import BAD_PARAM
from portal.jobs.models import Job, JobStatus
from portal.jobs.registry import UNKNOWN_KIND

pytestmark = pytest.mark.django_db


def test_start_job_queues_a_record_with_typed_params(
    capsys, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("start_job", "probe", "seconds=0.5", "fail=false", "note=hello")
    job = Job.objects.get()
    assert job.params == {"seconds": 0.5, "fail": False, "note": "hello"}
    assert job.status == JobStatus.QUEUED and queue.queue_size() == 1
    assert f"job #{job.pk} (probe) queued" in capsys.readouterr().out


def test_start_job_here_runs_it_in_process(capsys):
    call_command("start_job", "token_flush", "--here")
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED
    assert f"job #{job.pk} (token_flush) succeeded" in capsys.readouterr().out


def test_start_job_here_reports_failure():
    with pytest.raises(CommandError, match=PROBE_FAILED):
        call_command("start_job", "probe", "fail=true", "--here")
    assert Job.objects.get().status == JobStatus.FAILED


def test_start_job_refuses_unknown_kinds_and_bad_params():
    with pytest.raises(CommandError, match=UNKNOWN_KIND.format(kind="nope")):
        call_command("start_job", "nope")
    with pytest.raises(CommandError, match=BAD_PARAM.format(arg="oops").split(" (")[0]):
        call_command("start_job", "probe", "oops")
    assert Job.objects.count() == 0
