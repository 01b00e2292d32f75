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

Records in `records`, what is sent in `mail`; import them from `portal.jobs.services`.
"""

from portal.jobs.services.mail import (
    REMINDER_BATCH,
    RemindersSent,
    SummariesSent,
    daily_summaries_email,
    daily_summaries_store,
    daily_summary_email,
    daily_summary_store,
    overdue_reminder_send,
    overdue_reminders_send,
    single_line,
)
from portal.jobs.services.records import (
    BROKER_DOWN,
    FAILED_AFTER,
    MESSAGE_MAX,
    REMINDER_SUBJECT,
    RERUN_NOT_FINISHED,
    RUN_JOB,
    SUMMARY_SUBJECT,
    due_events_record,
    enqueue,
    job_fail,
    job_record_for_slot,
    job_requeue,
    job_rerun,
    job_start,
    jobs_purge_finished,
    logger,
    schedule_arguments,
    schedule_kind,
    schedule_run_now,
    scheduled_params,
    slot_dedupe_key,
)

__all__ = [
    "BROKER_DOWN",
    "FAILED_AFTER",
    "MESSAGE_MAX",
    "REMINDER_BATCH",
    "REMINDER_SUBJECT",
    "RERUN_NOT_FINISHED",
    "RUN_JOB",
    "SUMMARY_SUBJECT",
    "RemindersSent",
    "SummariesSent",
    "daily_summaries_email",
    "daily_summaries_store",
    "daily_summary_email",
    "daily_summary_store",
    "due_events_record",
    "enqueue",
    "job_fail",
    "job_record_for_slot",
    "job_requeue",
    "job_rerun",
    "job_start",
    "jobs_purge_finished",
    "logger",
    "overdue_reminder_send",
    "overdue_reminders_send",
    "schedule_arguments",
    "schedule_kind",
    "schedule_run_now",
    "scheduled_params",
    "single_line",
    "slot_dedupe_key",
]
