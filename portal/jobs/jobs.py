"""The portal's job functions (see docs/jobs.md for schedules and outputs).

Each takes a JobContext plus keyword params and returns a JSON-able result. All are idempotent:
a summary replaces the day's summary, a reminder is recorded per task and due date, the clean-up
deletes what is still there to delete.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from portal.accounts.models import User
from portal.jobs.models import FINISHED, DailySummary, Job, OverdueReminder
from portal.jobs.registry import register_job
from portal.jobs.runner import JobContext
from portal.jobs.summaries import (
    build_team_summary,
    render_markdown,
    summary_relpath,
    write_shared_file,
)
from portal.tasks.models import Task
from portal.tasks.services import tasks_purge_archived
from portal.teams.models import Team

logger = logging.getLogger(__name__)

PROBE_FAILED = "The test job was asked to fail."
SUMMARY_SUBJECT = "[{site}] {team}: daily summary for {day}"
SUMMARY_EMAIL_FAILED = (
    "Summaries were written, but emailing them failed for {teams} ({error}); run the job again "
    "to send the ones not sent yet."
)
REMINDERS_FAILED = (
    "{failed} reminder email(s) could not be sent ({error}); they are tried again next hour."
)
REMINDER_SUBJECT = "[{site}] Overdue: {key} {title}"


@register_job("daily_summary", label="Daily summary")
def daily_summary(ctx: JobContext, date: str | None = None, team: str | None = None) -> dict:
    """Write each team's summary to SHARED_DIR, store it, email opted-in members once a day."""
    day = _parse_day(date)
    teams = Team.objects.order_by("name")
    if team:
        teams = teams.filter(slug=team)
    teams = list(teams)
    files, emailed, email_errors = [], 0, {}
    for index, team_obj in enumerate(teams):
        summary = build_team_summary(team_obj, day)
        body = render_markdown(summary)
        relpath = summary_relpath(team_obj, day)
        write_shared_file(relpath, body)
        record, _ = DailySummary.objects.update_or_create(
            team=team_obj,
            date=day,
            defaults={"body": body, "counts": summary.counts, "path": relpath},
        )
        try:
            emailed += _email_summary(record)
        except Exception as exc:  # one team's mail problem must not stop the other summaries
            logger.exception("daily summary %s: emailing team %s failed", day, team_obj.key)
            email_errors[team_obj.key] = f"{type(exc).__name__}: {exc}"
        files.append(relpath)
        ctx.progress(100 * (index + 1) / len(teams), f"{team_obj.key} done")
    logger.info("daily summary %s: %s team(s), %s email(s)", day, len(teams), emailed)
    if email_errors:
        raise RuntimeError(
            SUMMARY_EMAIL_FAILED.format(
                teams=", ".join(sorted(email_errors)), error=next(iter(email_errors.values()))
            )
        )
    return {"date": day.isoformat(), "teams": len(teams), "files": files, "emailed": emailed}


def _parse_day(value: str | None) -> date:
    return date.fromisoformat(value) if value else timezone.localdate()


def _email_summary(record: DailySummary) -> int:
    """Email opted-in members once per team and day; re-runs update the file, not inboxes."""
    with transaction.atomic():
        locked = DailySummary.objects.select_for_update().get(pk=record.pk)
        if locked.emailed_at:
            return 0
        people = list(
            User.objects.filter(
                memberships__team_id=record.team_id,
                receive_daily_summary=True,
                is_active=True,
            )
            .exclude(email="")
            .order_by("username")
        )
        subject = SUMMARY_SUBJECT.format(
            site=settings.SITE_NAME, team=record.team.name, day=record.date.isoformat()
        )
        messages = [EmailMessage(subject, record.body, to=[p.email]) for p in people]
        if messages:
            get_connection().send_messages(messages)
        DailySummary.objects.filter(pk=record.pk).update(
            emailed_at=timezone.now(), emailed_to=len(messages)
        )
    return len(messages)


@register_job("archive_cleanup", label="Archive clean-up")
def archive_cleanup(ctx: JobContext, days: int | None = None, batch_size: int = 500) -> dict:
    """Delete tasks archived more than ARCHIVE_RETENTION_DAYS ago and old job records."""
    days = settings.ARCHIVE_RETENTION_DAYS if days is None else int(days)
    before = timezone.now() - timedelta(days=days)
    per_team = tasks_purge_archived(before=before, batch_size=batch_size)
    for key, count in sorted(per_team.items()):
        logger.info("archive clean-up: deleted %s task(s) of team %s", count, key)
    ctx.progress(80, "tasks deleted")
    keep = timezone.now() - timedelta(days=settings.JOBS_RECORD_RETENTION_DAYS)
    old_jobs, _ = Job.objects.filter(status__in=FINISHED, finished_at__lt=keep).delete()
    total = sum(per_team.values())
    logger.info("archive clean-up: %s task(s) archived before %s deleted", total, before)
    return {
        "before": before.isoformat(),
        "deleted": total,
        "per_team": per_team,
        "job_records_deleted": old_jobs,
    }


@register_job("overdue_reminders", label="Overdue reminders")
def overdue_reminders(ctx: JobContext) -> dict:
    """Email the assignees of each task that became overdue, once per task and due date."""
    now = timezone.now()
    since = now - timedelta(days=settings.OVERDUE_REMINDER_LOOKBACK_DAYS)
    already = OverdueReminder.objects.filter(task=OuterRef("pk"), due_date=OuterRef("due_date"))
    people = User.objects.filter(is_active=True).exclude(email="").order_by("username")
    candidates = (
        Task.objects.filter(due_date__gte=since)
        .overdue(now)
        .filter(~Exists(already), assignees__isnull=False)
        .distinct()
        .select_related("team")
        .prefetch_related(Prefetch("assignees", people, to_attr="recipients"))
        .order_by("due_date", "pk")
    )
    sent, failed, last_error = 0, 0, ""
    connection = get_connection()
    for task in candidates:
        if not task.recipients:
            continue
        emails = [u.email for u in task.recipients]
        try:
            # The row and the email succeed or fail together: a failed send is retried on
            # the next run; a concurrent run hits the unique constraint and skips the task.
            with transaction.atomic():
                OverdueReminder.objects.create(task=task, due_date=task.due_date, recipients=emails)
                _email_reminder(connection, task, emails)
        except IntegrityError:
            continue
        except Exception as exc:  # rolled back with its row: tried again on the next run
            logger.exception("overdue reminder for %s could not be sent", task.key)
            failed, last_error = failed + 1, f"{type(exc).__name__}: {exc}"
            continue
        sent += 1
    logger.info("overdue reminders: %s sent, %s failed", sent, failed)
    if failed:
        raise RuntimeError(REMINDERS_FAILED.format(failed=failed, error=last_error))
    return {"sent": sent}


def _email_reminder(connection, task: Task, emails: list[str]) -> None:
    due = timezone.localtime(task.due_date)
    body = (
        f"{task.key} {task.title} (team {task.team.name}) was due {due:%Y-%m-%d %H:%M %Z} "
        f"and is not done yet.\n\nStatus: {task.get_status_display()}; "
        f"priority: {task.get_priority_display()}.\n"
    )
    subject = REMINDER_SUBJECT.format(site=settings.SITE_NAME, key=task.key, title=task.title)
    EmailMessage(subject, body, to=emails, connection=connection).send()


@register_job("token_flush", label="Expired token flush")
def token_flush(ctx: JobContext) -> dict:
    """Remove expired JWT outstanding tokens (their blacklist rows go with them)."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    deleted, by_model = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return {"deleted": deleted, "by_model": by_model}


@register_job("probe", label="Test job (cluster check)", max_attempts=2)
def probe(ctx: JobContext, seconds: float = 0, fail: bool = False, quiet: bool = False) -> dict:
    """Sleep `seconds` reporting progress: checks that workers and the watchdog work.

    With `quiet` it reports nothing while it sleeps, so only the heartbeat thread shows that
    it is alive.
    """
    started = time.monotonic()
    steps = 1 if quiet else max(1, int(seconds * 4))
    for step in range(steps):
        time.sleep(seconds / steps)
        ctx.progress(100 * (step + 1) / steps, f"step {step + 1} of {steps}")
    if fail:
        raise RuntimeError(PROBE_FAILED)
    return {"slept": round(time.monotonic() - started, 2), "attempt": ctx.job.attempts}
