"""System checks for the job settings: refuse to start with timings that cannot work.

Django runs them before `qcluster`, `runserver`, `migrate` and `check` (including
`check --deploy`), so a cluster never starts with them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

STALE_NOT_ABOVE_HEARTBEAT = (
    "JOBS_STALE_SECONDS ({stale}) must be larger than JOBS_HEARTBEAT_SECONDS ({heartbeat})."
)
STALE_HINT = (
    "A running job proves it is alive every JOBS_HEARTBEAT_SECONDS; with a stale limit not "
    "above that, the watchdog takes live runs for dead ones and starts them again. Keep "
    "JOBS_STALE_SECONDS several heartbeats long (defaults: 10 and 60)."
)


@register()
def check_job_timings(app_configs=None, **kwargs) -> list[Error]:
    stale, heartbeat = settings.JOBS_STALE_SECONDS, settings.JOBS_HEARTBEAT_SECONDS
    if stale <= heartbeat:
        return [
            Error(
                STALE_NOT_ABOVE_HEARTBEAT.format(stale=stale, heartbeat=heartbeat),
                hint=STALE_HINT,
                id="jobs.E001",
            )
        ]
    return []


SUMMARY_HOUR_RANGE = "DAILY_SUMMARY_HOUR ({hour}) must be an hour of the day, from 0 to 23."
SUMMARY_HOUR_HINT = (
    "The daily summary of each team is made when this hour comes in the team's own time zone "
    "(default 7)."
)


@register()
def check_summary_hour(app_configs=None, **kwargs) -> list[Error]:
    hour = settings.DAILY_SUMMARY_HOUR
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        return [Error(SUMMARY_HOUR_RANGE.format(hour=hour), hint=SUMMARY_HOUR_HINT, id="jobs.E002")]
    return []
