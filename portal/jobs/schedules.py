"""The named schedules, defined once and created or updated idempotently.

`manage.py setup_schedules` (run by `make run` and the container entrypoint) calls
`setup_schedules()`. Schedule names are not unique in django-q2, so set-up looks them up by name,
removes duplicates and keeps `next_run` unless the timing itself changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

RUN_SCHEDULED = "portal.jobs.runner.run_scheduled"
WATCHDOG = "portal.jobs.runner.scheduled_watchdog"
EVENTS_DISPATCH = "portal.jobs.outbox.dispatch_events"
NOTIFICATIONS_DIGEST = "portal.notifications.jobs.send_digest"
NOTIFICATIONS_PURGE = "portal.notifications.jobs.purge"
WEBHOOKS_DELIVER = "portal.webhooks.jobs.deliver_due"
# The watchdog runs inside the scheduler's pass (django-q2's `sync` task option) instead of
# through the queue: recovery must not wait behind the jobs it recovers, nor for a free worker.
# No timeout: django-q2 would arm SIGALRM in the cluster's guard process.
IN_SCHEDULER = repr({"q_options": {"sync": True, "timeout": -1}})


@dataclass(frozen=True)
class Spec:
    name: str
    func: str
    kind: str | None  # the job kind for run_scheduled; None for plain functions
    schedule_type: str
    minutes: int | None = None
    at: time | None = None  # local time of day for daily/weekly schedules
    weekday: int | None = None  # 0 = Monday, for weekly schedules
    kwargs: str | None = None  # django-q2's stored keyword arguments (q_options)

    def first_run(self, now: datetime) -> datetime:
        local = timezone.localtime(now)
        if self.schedule_type == Schedule.MINUTES:
            return now + timedelta(minutes=self.minutes or 1)
        if self.schedule_type == Schedule.HOURLY:
            return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        candidate = timezone.make_aware(datetime.combine(local.date(), self.at))
        if self.weekday is not None:
            candidate += timedelta(days=(self.weekday - local.weekday()) % 7)
        step = timedelta(weeks=1) if self.weekday is not None else timedelta(days=1)
        while candidate <= now:
            candidate = timezone.make_aware(datetime.combine((candidate + step).date(), self.at))
        return candidate

    def aligned(self, next_run: datetime | None) -> bool:
        """Does an existing next_run still match this timing?"""
        if next_run is None:
            return False
        if self.at is None:
            return True
        local = timezone.localtime(next_run)
        if (local.hour, local.minute) != (self.at.hour, self.at.minute):
            return False
        return self.weekday is None or local.weekday() == self.weekday


def specs() -> list[Spec]:
    return [
        # Every hour: each run summarises the teams whose DAILY_SUMMARY_HOUR has come in their
        # own time zone (portal.jobs.selectors.summary_teams_due).
        Spec("daily-summary", RUN_SCHEDULED, "daily_summary", Schedule.HOURLY),
        Spec(
            "archive-cleanup",
            RUN_SCHEDULED,
            "archive_cleanup",
            Schedule.WEEKLY,
            at=time(3, 0),
            weekday=6,
        ),
        # Stored attachment files that no attachment names any more (docs/attachments.md).
        Spec(
            "attachments-cleanup",
            RUN_SCHEDULED,
            "attachments_cleanup",
            Schedule.WEEKLY,
            at=time(3, 15),
            weekday=6,
        ),
        Spec("overdue-reminders", RUN_SCHEDULED, "overdue_reminders", Schedule.HOURLY),
        Spec("token-flush", RUN_SCHEDULED, "token_flush", Schedule.DAILY, at=time(3, 30)),
        # The backstop of the dispatch each write starts (portal/jobs/outbox.py).
        Spec("events-dispatch", EVENTS_DISPATCH, None, Schedule.MINUTES, minutes=1),
        # Notifications (docs/events.md): the daily email digest, and read ones purged.
        Spec(
            "notifications-digest",
            NOTIFICATIONS_DIGEST,
            None,
            Schedule.DAILY,
            at=time(settings.NOTIFICATIONS_DIGEST_HOUR, 0),
        ),
        Spec("notifications-purge", NOTIFICATIONS_PURGE, None, Schedule.DAILY, at=time(3, 45)),
        # Webhook retries that fell due, and deliveries whose message was lost (docs/events.md).
        Spec("webhooks-deliver", WEBHOOKS_DELIVER, None, Schedule.MINUTES, minutes=1),
        Spec(
            "job-watchdog",
            WATCHDOG,
            None,
            Schedule.MINUTES,
            minutes=settings.JOBS_WATCHDOG_MINUTES,
            kwargs=IN_SCHEDULER,
        ),
    ]


SCHEDULE_NAMES = [s.name for s in specs()]


@transaction.atomic
def setup_schedules(now: datetime | None = None) -> dict[str, str]:
    """Create or update every named schedule; returns name -> "created" / "updated" / "unchanged"."""
    now = now or timezone.now()
    outcome = {}
    for spec in specs():
        existing = list(Schedule.objects.select_for_update().filter(name=spec.name).order_by("pk"))
        for extra in existing[1:]:
            extra.delete()
        wanted = {
            "func": spec.func,
            "args": repr(spec.kind) if spec.kind else None,
            "kwargs": spec.kwargs,
            "hook": None,
            "schedule_type": spec.schedule_type,
            "minutes": spec.minutes,
            "repeats": -1,
            "cluster": None,
            "intended_date_kwarg": "slot" if spec.kind else None,
        }
        if not existing:
            Schedule.objects.create(name=spec.name, next_run=spec.first_run(now), **wanted)
            outcome[spec.name] = "created"
            continue
        schedule = existing[0]
        changed = {k: v for k, v in wanted.items() if getattr(schedule, k) != v}
        timing_changed = "schedule_type" in changed or "minutes" in changed
        if timing_changed or not spec.aligned(schedule.next_run):
            changed["next_run"] = spec.first_run(now)
        for key, value in changed.items():
            setattr(schedule, key, value)
        if changed:
            schedule.save()
        outcome[spec.name] = "updated" if changed or len(existing) > 1 else "unchanged"
    return outcome
