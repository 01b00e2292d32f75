"""The portal's job functions (see docs/jobs.md for schedules and outputs).

Each takes a JobContext plus keyword params and returns a JSON-able result. A job function only
parses its params, loads through the selectors and writes through the services; the rules live
there. All are idempotent: a summary replaces the day's summary, a reminder is recorded per task
and due date, the clean-up deletes what is still there to delete.
"""

from __future__ import annotations

import logging
import time
from datetime import date as date_type
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from portal.accounts.services import tokens_purge_expired
from portal.events.services import events_purge
from portal.jobs.files import sheet_files_purge
from portal.jobs.registry import register_job
from portal.jobs.runner import JobContext
from portal.jobs.selectors import (
    due_event_candidates,
    overdue_reminder_candidates,
    summaries_emailed_to,
    summary_recipients_by_team,
    summary_teams_due,
    summary_teams_today,
    tasks_purged_since,
)
from portal.jobs.services import (
    SummariesSent,
    daily_summaries_email,
    daily_summaries_store,
    due_events_record,
    jobs_purge_finished,
    overdue_reminders_send,
)
from portal.tasks.services import tasks_purge_archived

logger = logging.getLogger(__name__)

# Teams summarised together: the queries of a run grow with the batches, not the teams.
SUMMARY_BATCH = 100
PROBE_FAILED = "The test job was asked to fail."
SUMMARY_EMAIL_FAILED = (
    "Summaries were written, but emailing them failed for {teams} ({error}); run the job again "
    "to send the ones not sent yet."
)
REMINDERS_FAILED = (
    "{failed} reminder email(s) could not be sent ({error}); they are tried again next hour."
)


@register_job("daily_summary", label="Daily summary")
def daily_summary(
    ctx: JobContext, date: str | None = None, team: str | None = None, at: str | None = None
) -> dict:
    """Write each team's summary to SHARED_DIR, store it, email opted-in members once a day.

    With `at` (the hourly schedule's slot), the teams whose summary is due then: their
    DAILY_SUMMARY_HOUR has come in their own zone and their day's summary has not gone out
    (`summary_teams_due`). Otherwise every team (or `team`, a slug) for `date`, or for the
    team's own today without one; a day summarised again is replaced, never emailed twice.
    """
    if at:
        when = datetime.fromisoformat(at)
        plan = summary_teams_due(at=when, slug=team, sent_before=ctx.job.created_at)
    else:
        plan = summary_teams_today(slug=team, day=_parse_day(date))
    by_day: dict[date_type, list] = {}
    for team_obj, day in plan:
        by_day.setdefault(day, []).append(team_obj)
    batches = [
        (day, teams[start : start + SUMMARY_BATCH])
        for day, teams in sorted(by_day.items())
        for start in range(0, len(teams), SUMMARY_BATCH)
    ]
    files, emailed, email_errors, done = [], 0, {}, 0
    # A batch of teams costs the same few queries however many teams and tasks it holds:
    # collected, stored in one upsert, recipients in one query, emailed with two, one progress.
    for number, (day, teams) in enumerate(batches, start=1):
        records = daily_summaries_store(teams=teams, day=day)
        recipients = summary_recipients_by_team(team_ids=[t.pk for t in teams])
        try:
            sent = daily_summaries_email(summaries=records, recipients=recipients)
        except Exception as exc:  # the batch's mail problem must not stop the other batches
            logger.exception("daily summary %s: emailing a batch failed", day)
            sent = SummariesSent(failed={team.pk: exc for team in teams})
        emailed += sent.emailed
        for team_obj in teams:
            if team_obj.pk in sent.failed:
                error = sent.failed[team_obj.pk]
                logger.error("daily summary %s: emailing team %s failed", day, team_obj.key)
                email_errors[team_obj.key] = f"{type(error).__name__}: {error}"
        files += [record.path for record in records]
        done += len(teams)
        ctx.progress(100 * number / len(batches), f"{done} of {len(plan)} teams done")
    logger.info("daily summary: %s team(s), %s email(s)", done, emailed)
    if email_errors:
        raise RuntimeError(
            SUMMARY_EMAIL_FAILED.format(
                teams=", ".join(sorted(email_errors)), error=next(iter(email_errors.values()))
            )
        )
    return {
        "dates": [day.isoformat() for day in sorted(by_day)],
        "teams": done,
        "files": files,
        # A resumed attempt sends only what earlier attempts did not; the total for the teams
        # and days this run covers comes from the records, what this attempt sent is
        # "emailed_now".
        "emailed": sum(
            summaries_emailed_to(day=day, team_ids=[t.pk for t in teams])
            for day, teams in by_day.items()
        ),
        "emailed_now": emailed,
    }


def _parse_day(value: str | None) -> date_type | None:
    return date_type.fromisoformat(value) if value else None


# Who deleted a task, in the feeds, when the weekly clean-up did.
CLEANUP_BY = "clean-up (archived {days} days)"


@register_job("archive_cleanup", label="Archive clean-up")
def archive_cleanup(ctx: JobContext, days: int | None = None, batch_size: int = 500) -> dict:
    """Delete tasks archived more than ARCHIVE_RETENTION_DAYS ago and old job records.

    The figures add up across attempts: a run killed half-way and resumed by the watchdog
    reports everything it deleted, not only what its last attempt did.
    """
    days = settings.ARCHIVE_RETENTION_DAYS if days is None else int(days)
    before = timezone.now() - timedelta(days=days)
    by = CLEANUP_BY.format(days=days)
    deleted_now = tasks_purge_archived(before=before, batch_size=batch_size, by=by)
    # Each batch commits on its own inside the service: the records it leaves count them all.
    per_team = tasks_purged_since(since=ctx.job.created_at)
    for key, count in sorted(per_team.items()):
        logger.info("archive clean-up: deleted %s task(s) of team %s", count, key)
    ctx.progress(80, "tasks deleted")
    keep = timezone.now() - timedelta(days=settings.JOBS_RECORD_RETENTION_DAYS)
    with transaction.atomic():
        ctx.add(job_records_deleted=jobs_purge_finished(before=keep))
    # The event log (dispatched events) past EVENTS_KEEP_DAYS.
    old_events = timezone.now() - timedelta(days=settings.EVENTS_KEEP_DAYS)
    with transaction.atomic():
        ctx.add(events_deleted=events_purge(before=old_events))
    # Spreadsheet uploads and exports past SPREADSHEET_EXPORT_RETENTION_DAYS.
    totals = ctx.add(sheet_files_deleted=sheet_files_purge())
    total = sum(per_team.values())
    logger.info("archive clean-up: %s task(s) archived before %s deleted", total, before)
    return {
        "before": before.isoformat(),
        "deleted": total,
        "per_team": per_team,
        "deleted_now": sum(deleted_now.values()),
        "job_records_deleted": totals["job_records_deleted"],
        "sheet_files_deleted": totals["sheet_files_deleted"],
        "events_deleted": totals["events_deleted"],
    }


@register_job("overdue_reminders", label="Overdue reminders")
def overdue_reminders(ctx: JobContext) -> dict:
    """Email the assignees of each task that became overdue, once per task and due date.

    "sent" counts every attempt's reminders (each batch adds its count as it commits);
    "sent_now" is this attempt's.
    """
    # The due-soon and overdue events (once per task and day), told by the notifications app.
    due_soon, overdue = due_event_candidates(now=timezone.now())
    with transaction.atomic():
        ctx.add(due_events=due_events_record(due_soon=due_soon, overdue=overdue))
    reminders = [
        (task, [person.email for person in task.recipients])
        for task in overdue_reminder_candidates(now=timezone.now())
        if task.recipients
    ]
    outcome = overdue_reminders_send(
        reminders=reminders,
        connection=get_connection(),
        on_batch=lambda sent: ctx.add(reminders_sent=sent),
    )
    for task, exc in outcome.failed:
        logger.error("overdue reminder for %s could not be sent", task.key, exc_info=exc)
    logger.info("overdue reminders: %s sent, %s failed", outcome.sent, len(outcome.failed))
    if outcome.failed:
        _, last = outcome.failed[-1]
        error = f"{type(last).__name__}: {last}"
        raise RuntimeError(REMINDERS_FAILED.format(failed=len(outcome.failed), error=error))
    totals = ctx.totals()
    return {
        "sent": totals.get("reminders_sent", 0),
        "sent_now": outcome.sent,
        "due_events": totals.get("due_events", 0),
    }


@register_job("token_flush", label="Expired token flush")
def token_flush(ctx: JobContext) -> dict:
    """Remove expired JWT outstanding tokens (their blacklist rows go with them)."""
    deleted, by_model = tokens_purge_expired()
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
