"""Job records: start, re-run, hand over again, fail and purge jobs; scheduled slots."""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat, Least, Substr
from django.utils import timezone

from portal.accounts.models import User
from portal.events import kinds
from portal.events.services import record_events
from portal.jobs.models import FINISHED, Job, JobStatus
from portal.jobs.registry import get_kind
from portal.jobs.schedules import RUN_SCHEDULED
from portal.tasks.events import task_due
from portal.tasks.models import Task
from portal.teams.permissions import DENIED_SUPERUSER, is_superuser

logger = logging.getLogger(__name__)
RUN_JOB = "portal.jobs.runner.run_job"
BROKER_DOWN = "Waiting for the queue: it could not be reached ({error}); the watchdog will retry."
RERUN_NOT_FINISHED = "Only finished jobs can be run again (job #{pk} is {status})."
FAILED_AFTER = "Failed after: "  # + the failed run's last step, in place of its current step
MESSAGE_MAX = Job._meta.get_field("message").max_length
SUMMARY_SUBJECT = "[{site}] {team}: daily summary for {day}"
REMINDER_SUBJECT = "[{site}] Overdue: {key} {title}"


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


def scheduled_params(kind: str, slot: datetime | None) -> dict[str, Any]:
    """Params a scheduled run of `kind` gets from its slot (the daily summary's moment).

    The daily summary runs every hour and summarises the teams whose summary is due at `at`
    (portal.jobs.selectors.summary_teams_due). A late run looks at its slot's moment; a slot
    more than an hour old (the cluster was down and catch-up is off, so it fires once) looks
    at now instead, which catches up every team whose hour passed meanwhile. Without a slot
    ("Run now") it is a run for now: the teams due now, nothing sent twice.
    """
    if kind == "daily_summary":
        now = timezone.now()
        fresh = slot is not None and now - slot < timedelta(hours=1)
        return {"at": (slot if fresh else now).isoformat()}
    return {}


def slot_dedupe_key(kind: str, slot: datetime) -> str:
    """The dedupe key of a schedule slot's job record: `<kind>@<slot time>`."""
    return f"{kind}@{slot.isoformat()}"


@transaction.atomic
def job_record_for_slot(*, kind: str, slot: datetime | None) -> tuple[Job, bool]:
    """The job record of one schedule slot, written the first time it is asked for.

    The scheduler asks as it fires the slot (in the transaction that moves `next_run` on), so
    the record exists before the broker message can be lost; the worker asks again when the
    message arrives and finds it. The dedupe key (`<kind>@<slot time>`) is unique, so a slot
    fired twice still has one record. Without a slot every call makes a new record.
    Returns the record and whether this call created it.
    """
    spec = get_kind(kind)
    key = slot_dedupe_key(kind, slot) if slot else None
    if key:
        existing = Job.objects.filter(dedupe_key=key).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                params=scheduled_params(kind, slot),
                dedupe_key=key,
                max_attempts=spec.max_attempts or settings.JOBS_MAX_ATTEMPTS,
                enqueues=1,  # the scheduler's message
            )
    except IntegrityError:  # written meanwhile by another process (waited for its commit)
        return Job.objects.get(dedupe_key=key), False
    return job, True


def schedule_arguments(schedule) -> tuple[tuple, dict[str, Any]]:
    """A schedule's stored arguments, read as django-q2's scheduler reads them."""
    args: Any = ast.literal_eval(schedule.args) if schedule.args else ()
    if not isinstance(args, tuple):
        args = (args,)
    kwargs: dict[str, Any] = {}
    if schedule.kwargs:
        try:
            kwargs = ast.literal_eval(schedule.kwargs)  # {"key": value}
        except (SyntaxError, ValueError):  # key=value, key2=value2
            call = ast.parse(f"f({schedule.kwargs})").body[0].value
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return args, kwargs


def schedule_kind(schedule) -> str | None:
    """The job kind a django-q2 schedule starts, or None for a plain function."""
    if schedule.func != RUN_SCHEDULED:
        return None
    args, _ = schedule_arguments(schedule)
    return args[0] if args else None


def schedule_run_now(*, actor: User, schedule) -> Job | None:
    """Do a schedule's work now, on an administrator's request.

    A job schedule starts a recorded job requested by `actor`, with the params a slot of now
    would get, so it shows in the job list with its result. A plain function is run as the
    scheduler runs it: with its stored arguments and options, so the watchdog runs at once
    (it does not queue) and anything else is handed to the queue. Returns the job, or None for
    a plain function.
    """
    from django_q.tasks import async_task

    if not is_superuser(actor):
        raise PermissionDenied(DENIED_SUPERUSER)
    kind = schedule_kind(schedule)
    if kind:
        return job_start(kind, requester=actor, **scheduled_params(kind, None))
    args, kwargs = schedule_arguments(schedule)
    q_options = {**kwargs.pop("q_options", {}), "group": schedule.name or schedule.func}
    async_task(schedule.func, *args, q_options=q_options, **kwargs)
    return None


def job_fail(*, job: Job, error: str, attempt: int | None = None) -> bool:
    """Mark the job failed with `error`; with `attempt`, only if that run is still current.

    A failed job is never shown complete: its progress stays where it got to but below 100%,
    and a run's last step is kept as "Failed after: <step>" (a job that never started shows
    none). Returns whether the record was changed.
    """
    rows = Job.objects.filter(pk=job.pk)
    if attempt is not None:
        rows = rows.filter(status=JobStatus.RUNNING, attempts=attempt)
    last_step = Substr(Concat(Value(FAILED_AFTER), F("message")), 1, MESSAGE_MAX)
    return bool(
        rows.update(
            status=JobStatus.FAILED,
            error=error,
            finished_at=timezone.now(),
            progress=Least(F("progress"), Value(99)),
            message=Case(
                When(status=JobStatus.RUNNING, message__gt="", then=last_step),
                default=Value(""),
            ),
        )
    )


@transaction.atomic
def jobs_purge_finished(*, before: datetime) -> int:
    """Delete finished job records that finished before `before`; returns how many."""
    deleted, _ = Job.objects.filter(status__in=FINISHED, finished_at__lt=before).delete()
    return deleted


@transaction.atomic
def due_events_record(*, due_soon: Iterable[Task], overdue: Iterable[Task]) -> int:
    """Record `task.due_soon` / `task.overdue` for these tasks (one INSERT); returns how many.

    The notifications app tells their watchers and assignees when the events are dispatched.
    """
    new = [task_due(kinds.TASK_DUE_SOON, task) for task in due_soon]
    new += [task_due(kinds.TASK_OVERDUE, task) for task in overdue]
    return len(record_events(new))
