"""What django-q2 executes: run a job record, record and run a schedule slot, watch for lost jobs.

Only job ids travel through the broker. A run *claims* the record (queued -> running, one
UPDATE), so a duplicate message (watchdog re-queue racing a slow broker) does nothing. While the
job function runs, a thread writes a heartbeat; finishing is guarded by the attempt number, so a
run that was given up on cannot overwrite the run that replaced it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from portal.core.logging import job_context
from portal.jobs.models import Job, JobStatus
from portal.jobs.queue import queue_view
from portal.jobs.registry import get_kind
from portal.jobs.schedules import RUN_SCHEDULED
from portal.jobs.services import job_fail, job_record_for_slot, job_requeue

logger = logging.getLogger(__name__)

JOB_LOST = (
    "The worker running this job stopped responding {attempts} time(s) (it was killed, timed "
    "out after Q_TIMEOUT seconds, or lost the database); giving up after {attempts} attempts."
)
JOB_NEVER_STARTED = (
    "No worker picked this job up: its queue message was lost {enqueues} time(s); check that a "
    "qcluster is running and that the broker keeps its messages, then run it again."
)
REQUEUED_STALE = "Re-queued by the watchdog: the previous run stopped sending heartbeats."
REQUEUED_WAITING = "Re-queued by the watchdog: the queue had lost it."
WAITING = "Waiting for a free worker: the job is still in the queue."
SUPERSEDED = "This run was replaced by a newer attempt."


class JobSuperseded(Exception):
    """The watchdog gave up on this run and queued another one: stop quietly."""


TOTALS = "totals"  # the key of Job.result holding figures that add up across attempts


def add_figures(totals: dict, figures: dict) -> dict:
    """`totals` plus `figures`: numbers are added, dicts of numbers added key by key."""
    merged = dict(totals)
    for key, value in figures.items():
        if isinstance(value, dict):
            merged[key] = add_figures(merged.get(key) or {}, value)
        else:
            merged[key] = (merged.get(key) or 0) + value
    return merged


class JobContext:
    """Handed to job functions: report progress (which also proves the run is alive) and add
    up figures across attempts."""

    def __init__(self, job: Job):
        self.job = job

    def _mine(self):
        return Job.objects.filter(
            pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts
        )

    def progress(self, percent: float, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        updated = self._mine().update(
            progress=percent, message=message[:200], heartbeat_at=timezone.now()
        )
        if not updated:
            raise JobSuperseded(SUPERSEDED)
        self.job.progress = percent

    def add(self, **figures: int | dict[str, int]) -> dict:
        """Add figures to the job's totals; returns the totals of every attempt so far.

        Call it in the transaction that does the counted work: the figures are kept with the
        work or not at all, so an attempt that is killed later still counts what it did, and
        the next attempt adds to it. Work of a superseded attempt happened too: it counts.
        """
        with transaction.atomic(savepoint=False):  # joins the caller's transaction
            result = (
                Job.objects.select_for_update().values_list("result", flat=True).get(pk=self.job.pk)
            ) or {}
            totals = add_figures(result.get(TOTALS) or {}, figures)
            Job.objects.filter(pk=self.job.pk).update(result={**result, TOTALS: totals})
        return totals

    def totals(self) -> dict:
        """The figures every attempt added so far (see `add`)."""
        result = Job.objects.values_list("result", flat=True).get(pk=self.job.pk) or {}
        return result.get(TOTALS) or {}


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def _heartbeat(job: Job):
    """Beat every JOBS_HEARTBEAT_SECONDS from a thread while the job function runs."""
    stop = threading.Event()
    interval = float(settings.JOBS_HEARTBEAT_SECONDS)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    Job.objects.filter(
                        pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # a missed beat is not fatal; a stale one is the signal
                    logger.exception("job %s: heartbeat failed", job.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    if interval > 0:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=5)


def run_job(job_id: int) -> str:
    """Claim and run one job record (the django-q2 task for every job)."""
    with job_context(job_id):  # every log line of the run carries the job id
        return _run_job(job_id)


def _run_job(job_id: int) -> str:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress=0,
        message="",
        error="",
        worker=_worker_name(),
    )
    if not claimed:
        logger.info("job %s: not queued any more, nothing to do", job_id)
        return "skipped"
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
    logger.info("job %s (%s): attempt %s started", job.pk, job.kind, job.attempts)
    try:
        with _heartbeat(job):
            result = get_kind(job.kind).func(JobContext(job), **job.params) or {}
    except JobSuperseded:
        logger.warning("job %s: attempt %s was superseded", job.pk, job.attempts)
        return "superseded"
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        job_fail(job=job, error=error, attempt=job.attempts)
        return "failed"
    updated = mine.update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        message="",
        result=result,
        finished_at=timezone.now(),
    )
    if not updated:
        logger.warning("job %s: attempt %s finished after being superseded", job.pk, job.attempts)
        return "superseded"
    logger.info("job %s (%s): succeeded %s", job.pk, job.kind, result)
    return "succeeded"


def run_scheduled(kind: str, slot: str | None = None) -> str:
    """Called by a django-q2 Schedule: run the slot's job record (once) here.

    `slot` is the schedule's intended time (django-q2 passes it via `intended_date_kwarg`). The
    record was normally written when the slot fired (`record_scheduled_slot`); a second message
    for the same slot (two clusters, or a hand-over by the watchdog) finds it taken and does
    nothing.
    """
    when = datetime.fromisoformat(slot) if slot else None
    job, created = job_record_for_slot(kind=kind, slot=when)
    if not created and job.status != JobStatus.QUEUED:
        logger.info("schedule %s: slot %s already ran, skipping", kind, slot)
        return "duplicate"
    return run_job(job.pk)


def record_scheduled_slot(sender, task: dict, **kwargs) -> None:
    """django-q2 `pre_enqueue` receiver: write a schedule slot's job record as it fires.

    The scheduler moves `next_run` on and sends `run_scheduled(kind, slot)` in one transaction;
    the record is written in that same transaction. If the broker then loses the message
    (Redis restarted empty, the cluster holding it killed), the record waits `queued` and the
    watchdog hands it over again, as it does for any lost job; the slot is never silently
    skipped to its next turn.
    """
    slot = (task.get("kwargs") or {}).get("slot")
    if task.get("func") != RUN_SCHEDULED or not slot or not task.get("args"):
        return
    kind = task["args"][0]
    try:
        job, created = job_record_for_slot(kind=kind, slot=datetime.fromisoformat(slot))
    except Exception:  # never break the scheduler: the worker writes the record instead
        logger.exception("schedule %s: could not record slot %s", kind, slot)
        return
    if created:
        logger.info("schedule %s: slot %s recorded as job %s", kind, slot, job.pk)


def watchdog() -> dict[str, int]:
    """Re-queue jobs whose run went silent or whose queue message was lost; fail hopeless ones.

    Rows are locked with SKIP LOCKED, so two clusters running the watchdog at once never
    re-queue the same job twice. A job queued for long is sent again only when its message is
    lost (portal.jobs.queue): one still in the broker's queue, or possibly held by a live
    cluster for its next free worker, is waiting, never re-sent nor failed.
    """
    now = timezone.now()
    stale_run = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    stale_wait = now - timedelta(seconds=settings.JOBS_QUEUED_STALE_SECONDS)
    counts = {"requeued": 0, "failed": 0, "waiting": 0}
    with transaction.atomic():
        silent = Job.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.RUNNING, heartbeat_at__lt=stale_run
        )
        for job in silent:
            if job.attempts >= job.max_attempts:
                job_fail(job=job, error=JOB_LOST.format(attempts=job.attempts))
                counts["failed"] += 1
                logger.error("job %s (%s): lost %s times, failed", job.pk, job.kind, job.attempts)
            else:
                job_requeue(job=job, reason=REQUEUED_STALE)
                counts["requeued"] += 1
                logger.warning("job %s (%s): heartbeat stale, re-queued", job.pk, job.kind)
        waiting = list(
            Job.objects.select_for_update(skip_locked=True).filter(
                status=JobStatus.QUEUED, queued_at__lt=stale_wait
            )
        )
        # Looked at once the rows are locked: a worker's claim of one of them waits meanwhile.
        try:
            view = queue_view() if waiting else None
        except Exception:  # the broker is unreachable: nothing can be sent now either
            logger.warning("watchdog: could not look into the queue", exc_info=True)
            waiting = []
        still_waiting = []
        for job in waiting:
            if view is not None and (view.in_queue(job) or view.clusters_holding):
                still_waiting.append(job.pk)
            elif job.enqueues >= settings.JOBS_MAX_ENQUEUES:
                job_fail(job=job, error=JOB_NEVER_STARTED.format(enqueues=job.enqueues))
                counts["failed"] += 1
                logger.error("job %s (%s): never started, failed", job.pk, job.kind)
            else:
                job_requeue(job=job, reason=REQUEUED_WAITING)
                counts["requeued"] += 1
                logger.warning("job %s (%s): message lost, handed over again", job.pk, job.kind)
        if still_waiting:
            Job.objects.filter(pk__in=still_waiting).exclude(message=WAITING).update(
                message=WAITING
            )
            counts["waiting"] = len(still_waiting)
            logger.info("%s job(s) still waiting for a free worker", len(still_waiting))
    return counts


def scheduled_watchdog() -> dict[str, int | str]:
    """The job-watchdog schedule's function: `watchdog()`, logging instead of raising.

    It runs inside the scheduler's pass, in the cluster's guard process (see
    portal.jobs.schedules.IN_SCHEDULER), so it never waits behind queued jobs or for a free
    worker. An error must not undo that pass (the other schedules' slots), so it is logged
    and returned.
    """
    try:
        return watchdog()
    except Exception as exc:
        logger.exception("watchdog failed")
        return {"error": f"{type(exc).__name__}: {exc}"}
