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
