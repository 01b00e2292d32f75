"""Starting jobs: the record first, the broker message on commit, the broker being down."""

import re

import pytest
from django.db import transaction

from portal.jobs import services
from portal.jobs.models import Job, JobStatus
from portal.jobs.registry import UNKNOWN_KIND, UnknownJobKind
from portal.jobs.runner import run_job

pytestmark = pytest.mark.django_db


def test_job_start_records_then_enqueues_on_commit(
    superuser, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_start("probe", requester=superuser, seconds=0)
        # Nothing reaches the broker before the transaction commits.
        assert queue.queue_size() == 0
    assert job.status == JobStatus.QUEUED and job.params == {"seconds": 0}
    assert job.requester == superuser and job.max_attempts == 2  # the kind's own limit
    assert len(callbacks) == 1
    callbacks[0]()
    assert queue.queue_size() == 1
    job.refresh_from_db()
    assert job.enqueues == 1


def test_job_start_rolled_back_enqueues_nothing(queue, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.job_start("probe", requester=None)
        raise RuntimeError("boom")
    assert callbacks == [] and Job.objects.count() == 0
    assert queue.queue_size() == 0


def test_unknown_kind_is_refused():
    with pytest.raises(UnknownJobKind, match=UNKNOWN_KIND.format(kind="nope")):
        services.job_start("nope", requester=None)
    assert Job.objects.count() == 0


class DownBroker:
    list_key = "down"

    def enqueue(self, pack):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def test_broker_down_leaves_job_queued_with_a_note(monkeypatch, django_capture_on_commit_callbacks):
    # Fault injection: the broker object itself refuses, as redis-py does when Redis is down.
    monkeypatch.setattr("django_q.tasks.get_broker", lambda *a, **k: DownBroker())
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start("probe", requester=None)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.enqueues == 0
    assert job.message == services.BROKER_DOWN.format(error="ConnectionError")


def test_rerun_starts_a_new_job_with_the_same_params(superuser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start("probe", requester=None, seconds=0)
    run_job(job.pk)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.job_rerun(job=job, requester=superuser)
    assert again.pk != job.pk and again.params == job.params and again.requester == superuser
    assert again.status == JobStatus.QUEUED


def test_rerun_refuses_unfinished_jobs():
    job = Job.objects.create(kind="probe")
    message = services.RERUN_NOT_FINISHED.format(pk=job.pk, status="queued")
    with pytest.raises(ValueError, match=re.escape(message)):
        services.job_rerun(job=job, requester=None)
