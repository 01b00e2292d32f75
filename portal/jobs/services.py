"""Starting jobs: the one-line helper other features use, and the hand-off to django-q2.

    from portal.jobs.services import job_start
    job = job_start("daily_summary", requester=request.user, date="2026-11-26")

The record is written first and the django-q2 task is enqueued only when the surrounding
transaction commits, so a worker never looks for a job that does not exist yet. If the broker
cannot be reached the job stays queued and the watchdog hands it over again later.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.jobs.models import FINISHED, Job, JobStatus
from portal.jobs.registry import get_kind

logger = logging.getLogger(__name__)

RUN_JOB = "portal.jobs.runner.run_job"
BROKER_DOWN = "Waiting for the queue: it could not be reached ({error}); the watchdog will retry."
RERUN_NOT_FINISHED = "Only finished jobs can be run again (job #{pk} is {status})."


def enqueue(job_id: int) -> bool:
    """Hand the job to django-q2; returns False (and leaves the job queued) if that fails."""
    from django_q.tasks import async_task

    try:
        async_task(RUN_JOB, job_id, q_options={"task_name": f"job-{job_id}", "group": "jobs"})
    except Exception as exc:  # the broker is down or unreachable: the watchdog retries
        logger.warning("job %s: could not enqueue: %s", job_id, exc)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            message=BROKER_DOWN.format(error=type(exc).__name__)[:200]
        )
        return False
    Job.objects.filter(pk=job_id).update(enqueues=F("enqueues") + 1)
    return True


@transaction.atomic
def job_start(kind: str, *, requester: User | None, **params: Any) -> Job:
    """Record a job and enqueue it when the current transaction commits.

    `params` must be JSON-serialisable (ids, dates as strings); the job function receives them
    as keyword arguments. Raises UnknownJobKind for a kind nobody registered.
    """
    spec = get_kind(kind)
    job = Job.objects.create(
        kind=kind,
        params=params,
        requester=requester,
        max_attempts=spec.max_attempts or settings.JOBS_MAX_ATTEMPTS,
    )
    transaction.on_commit(lambda: enqueue(job.pk))
    logger.info("job %s (%s) queued by %s", job.pk, kind, requester or "the scheduler")
    return job


def job_rerun(*, job: Job, requester: User | None) -> Job:
    """Start a new job with the same kind and params (the old record stays as it was)."""
    if job.status not in FINISHED:
        raise ValueError(RERUN_NOT_FINISHED.format(pk=job.pk, status=job.status))
    return job_start(job.kind, requester=requester, **job.params)


def job_requeue(*, job: Job, reason: str) -> None:
    """Put a job back in the queue (used by the watchdog); enqueued on commit."""
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, queued_at=timezone.now(), message=reason[:200]
    )
    transaction.on_commit(lambda: enqueue(job.pk))


def job_fail(*, job: Job, error: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=error, finished_at=now, message=""
    )
