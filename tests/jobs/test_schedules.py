"""setup_schedules: one of each, idempotent, timed in the portal's time zone; the daily
summary runs every hour (each team's summary comes at its own hour: test_summary_zones)."""

from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from portal.jobs.schedules import (
    IN_SCHEDULER,
    RUN_SCHEDULED,
    SCHEDULE_NAMES,
    WATCHDOG,
    setup_schedules,
)

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-11-26T09:15:00+00:00")  # a Thursday


def by_name():
    return {s.name: s for s in Schedule.objects.all()}


@time_machine.travel(NOW, tick=False)
def test_twice_leaves_one_of_each_unchanged(capsys):
    call_command("setup_schedules")
    first = {name: (s.pk, s.next_run) for name, s in by_name().items()}
    call_command("setup_schedules")
    assert "daily-summary: unchanged" in capsys.readouterr().out
    assert Schedule.objects.count() == len(SCHEDULE_NAMES) == 10
    assert {name: (s.pk, s.next_run) for name, s in by_name().items()} == first


@time_machine.travel(NOW, tick=False)
def test_timing_in_the_portal_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.DAILY_SUMMARY_HOUR = 7
    setup_schedules()
    s = by_name()
    summary = timezone.localtime(s["daily-summary"].next_run)
    # The next full hour: 10:00 in Paris is 09:00 UTC, the clock is at 09:15 UTC.
    assert (summary.date().isoformat(), summary.hour, summary.minute) == ("2026-11-26", 11, 0)
    assert s["daily-summary"].schedule_type == Schedule.HOURLY
    assert s["daily-summary"].func == RUN_SCHEDULED and s["daily-summary"].args == "'daily_summary'"
    assert s["daily-summary"].intended_date_kwarg == "slot"
    cleanup = timezone.localtime(s["archive-cleanup"].next_run)
    assert (cleanup.weekday(), cleanup.hour) == (6, 3) and s["archive-cleanup"].schedule_type == "W"
    assert s["overdue-reminders"].schedule_type == Schedule.HOURLY
    assert timezone.localtime(s["overdue-reminders"].next_run).minute == 0
    assert s["token-flush"].schedule_type == Schedule.DAILY
    watchdog = s["job-watchdog"]
    assert watchdog.schedule_type == Schedule.MINUTES and watchdog.minutes == 2
    assert watchdog.intended_date_kwarg is None and watchdog.args is None
    # Run by the scheduler itself, not through the queue (see test_runner).
    assert (watchdog.func, watchdog.kwargs) == (WATCHDOG, IN_SCHEDULER)
    assert all(x.kwargs is None for x in s.values() if x.name != "job-watchdog")
    assert all(x.repeats == -1 and x.cluster is None for x in s.values())


@time_machine.travel(NOW, tick=False)
def test_a_daily_summary_of_an_earlier_release_becomes_hourly_and_duplicates_go(settings):
    setup_schedules()
    original = by_name()["daily-summary"]
    # Earlier releases ran the summary once a day at DAILY_SUMMARY_HOUR in TIME_ZONE.
    Schedule.objects.filter(pk=original.pk).update(
        schedule_type=Schedule.DAILY, next_run=datetime.fromisoformat("2026-11-27T07:00+00:00")
    )
    Schedule.objects.create(name="daily-summary", func="x.y", schedule_type=Schedule.ONCE)
    settings.DAILY_SUMMARY_HOUR = 18  # the hour no longer moves the schedule
    assert setup_schedules()["daily-summary"] == "updated"
    summary = Schedule.objects.get(name="daily-summary")
    assert (summary.pk, summary.schedule_type) == (original.pk, Schedule.HOURLY)
    assert summary.next_run == datetime.fromisoformat("2026-11-26T10:00:00+00:00")
    assert setup_schedules()["daily-summary"] == "unchanged"


@time_machine.travel(NOW, tick=False)
def test_an_edited_schedule_is_put_back():
    setup_schedules()
    Schedule.objects.filter(name="overdue-reminders").update(func="other.func", repeats=0)
    assert setup_schedules()["overdue-reminders"] == "updated"
    s = Schedule.objects.get(name="overdue-reminders")
    assert (s.func, s.repeats) == (RUN_SCHEDULED, -1)


@time_machine.travel(NOW, tick=False)
def test_a_watchdog_schedule_of_an_earlier_release_is_moved_into_the_scheduler():
    setup_schedules()
    Schedule.objects.filter(name="job-watchdog").update(
        func="portal.jobs.runner.watchdog", kwargs=None
    )
    assert setup_schedules()["job-watchdog"] == "updated"
    s = Schedule.objects.get(name="job-watchdog")
    assert (s.func, s.kwargs) == (WATCHDOG, IN_SCHEDULER)
