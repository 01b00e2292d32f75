"""Writes of the jobs app: job records, daily summaries, overdue reminders.

Starting a job is the one-line helper other features use:

    from portal.jobs.services import job_start
    job = job_start("daily_summary", requester=request.user, date="2026-11-26")

The record is written first and the django-q2 task is enqueued only when the surrounding
transaction commits, so a worker never looks for a job that does not exist yet. If the broker
cannot be reached the job stays queued and the watchdog hands it over again later.

The job functions (portal/jobs/jobs.py) load what they need through the selectors and write
through the services below, so each rule (who gets a summary, when a reminder counts as sent,
which records are old enough to purge) lives in one place.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat, Least, Substr
from django.utils import timezone

from portal.accounts.models import User
from portal.jobs.models import FINISHED, DailySummary, Job, JobStatus, OverdueReminder
from portal.jobs.registry import get_kind
from portal.jobs.schedules import RUN_SCHEDULED
from portal.jobs.selectors import summary_recipients, teams_summaries
from portal.jobs.summaries import render_markdown, summary_relpath, write_shared_file
from portal.tasks.models import Task
from portal.teams.models import Team
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
    """Params a scheduled run of `kind` gets from its slot (the daily summary's date).

    A late run summarises its slot's day; a slot more than a day old (the cluster was down and
    catch-up is off, so it fires once) summarises today instead, which is what people need.
    Without a slot ("Run now") it is a run for now.
    """
    if kind == "daily_summary":
        now = timezone.now()
        fresh = slot is not None and now - slot < timedelta(days=1)
        return {"date": timezone.localdate(slot if fresh else now).isoformat()}
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


# --- emails -------------------------------------------------------------------------------


def single_line(text: str) -> str:
    """Collapse line breaks and runs of white space into single spaces.

    Email headers must be one line (Django raises BadHeaderError otherwise); subjects are built
    from task titles and team names, which people may type with line breaks.
    """
    return " ".join(text.split())


# --- daily summaries ----------------------------------------------------------------------


def daily_summaries_store(*, teams: list[Team], day: date) -> list[DailySummary]:
    """Collect, render and store the summaries of `teams` for `day`: the files and records.

    Collected in a constant number of queries (`teams_summaries`) and recorded in one upsert,
    so a run costs the same few queries for one team or a hundred. Files and records are
    replaced when the day is summarised again (each file atomically), never duplicated.
    The records returned carry their ids; read `emailed_at` from the database (the emailing
    service locks and re-reads the row anyway).
    """
    records = []
    for summary in teams_summaries(teams=teams, day=day):
        body = render_markdown(summary)
        relpath = summary_relpath(summary.team, day)
        write_shared_file(relpath, body)
        records.append(
            DailySummary(
                team=summary.team, date=day, body=body, counts=summary.counts, path=relpath
            )
        )
    return DailySummary.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["team", "date"],
        update_fields=["body", "counts", "path", "updated_at"],
    )


def daily_summary_store(*, team: Team, day: date) -> DailySummary:
    """Collect, render and store one team's summary of `day` (see `daily_summaries_store`)."""
    return daily_summaries_store(teams=[team], day=day)[0]


@transaction.atomic
def daily_summary_email(*, summary: DailySummary, recipients: list[User] | None = None) -> int:
    """Email the summary to the team's opted-in members once; returns how many were emailed.

    The record is locked while the emails go out, so two runs never both send; once it has
    `emailed_at`, re-runs update the file and the record but not inboxes. If sending fails,
    nothing is marked and the next run tries again. A run over many teams passes each team's
    `recipients` (from `summary_recipients_by_team`, one query for all teams).
    """
    # Only the summary row is locked (not its team: task numbering locks teams).
    locked = DailySummary.objects.select_for_update().get(pk=summary.pk)
    if locked.emailed_at:
        return 0
    if recipients is None:
        recipients = list(summary_recipients(team_id=locked.team_id))
    subject = single_line(
        SUMMARY_SUBJECT.format(
            site=settings.SITE_NAME, team=summary.team.name, day=locked.date.isoformat()
        )
    )
    messages = [EmailMessage(subject, locked.body, to=[p.email]) for p in recipients]
    if messages:
        get_connection().send_messages(messages)
    DailySummary.objects.filter(pk=locked.pk).update(
        emailed_at=timezone.now(), emailed_to=len(messages)
    )
    return len(messages)


# --- overdue reminders --------------------------------------------------------------------


REMINDER_BATCH = 100


@dataclass
class RemindersSent:
    """What `overdue_reminders_send` did: sent, left to a concurrent run, failed (with why)."""

    sent: int = 0
    skipped: int = 0
    failed: list[tuple[Task, Exception]] = field(default_factory=list)


def overdue_reminders_send(
    *,
    reminders: Sequence[tuple[Task, list[str]]],
    connection=None,
    batch_size: int = REMINDER_BATCH,
    on_batch: Callable[[int], object] | None = None,
) -> RemindersSent:
    """Record and send the reminder of each (task, addresses) for the task's current due date.

    A batch is one transaction with a constant number of queries, however many tasks it holds:
    its rows are inserted together (a task a concurrent run already holds is skipped: the unique
    row makes that insert wait for the other run, then do nothing), the emails go out, and the
    rows of the emails that failed are deleted together, so those are tried again next hour.
    A row and its email still succeed or fail together; if the process dies mid-batch, the
    batch's rows roll back and its emails may go out once more on the next run.
    `on_batch(sent)` is called in each batch's transaction with what the batch sent (a job
    counts it there, so its figure survives the process dying after the batch).
    """
    outcome = RemindersSent()
    for start in range(0, len(reminders), batch_size):
        _reminder_batch_send(reminders[start : start + batch_size], connection, outcome, on_batch)
    return outcome


@transaction.atomic
def _reminder_batch_send(batch, connection, outcome: RemindersSent, on_batch=None) -> None:
    # The batch's own rows carry this run's time, which tells them apart from rows a concurrent
    # run inserted (an insert that ignores conflicts does not say which rows it wrote).
    stamp = timezone.now()
    sent_before = outcome.sent
    OverdueReminder.objects.bulk_create(
        [
            OverdueReminder(task=task, due_date=task.due_date, recipients=to, sent_at=stamp)
            for task, to in batch
        ],
        ignore_conflicts=True,
    )
    rows = OverdueReminder.objects.filter(task_id__in=[task.pk for task, _ in batch])
    ours = set(rows.filter(sent_at=stamp).values_list("task_id", flat=True))
    failed = []
    for task, to in batch:
        if task.pk not in ours:
            outcome.skipped += 1
            continue
        try:
            _reminder_message(task, to, connection).send()
        except Exception as exc:  # its row goes below: tried again on the next run
            failed.append(task.pk)
            outcome.failed.append((task, exc))
            continue
        outcome.sent += 1
    if failed:
        rows.filter(task_id__in=failed, sent_at=stamp).delete()
    if on_batch:
        on_batch(outcome.sent - sent_before)


def _reminder_message(task: Task, recipients: list[str], connection) -> EmailMessage:
    due = timezone.localtime(task.due_date)
    body = (
        f"{task.key} {task.title} (team {task.team.name}) was due "
        f"{due:%Y-%m-%d %H:%M %Z} and is not done yet.\n\n"
        f"Status: {task.get_status_display()}; "
        f"priority: {task.get_priority_display()}.\n"
    )
    subject = single_line(
        REMINDER_SUBJECT.format(site=settings.SITE_NAME, key=task.key, title=task.title)
    )
    return EmailMessage(subject, body, to=recipients, connection=connection)


def overdue_reminder_send(*, task: Task, recipients: list[str], connection=None) -> bool:
    """Record and send one task's reminder (see `overdue_reminders_send`); False if one exists.

    A failed send leaves no row and raises its error.
    """
    outcome = overdue_reminders_send(reminders=[(task, recipients)], connection=connection)
    if outcome.failed:
        raise outcome.failed[0][1]
    return bool(outcome.sent)
