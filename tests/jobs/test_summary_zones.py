"""The daily summary and the overdue reminders in each team's own time zone.

Three teams: UTC, America/Los_Angeles (UTC-8 in November) and Asia/Tokyo (UTC+9). With
DAILY_SUMMARY_HOUR 7, their summaries are due at 07:00 UTC, 15:00 UTC and 22:00 UTC (07:00 the
next day in Tokyo).
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal.jobs.checks import SUMMARY_HOUR_RANGE, check_summary_hour
from portal.jobs.models import DailySummary, Job, JobStatus, OverdueReminder
from portal.jobs.runner import run_job, run_scheduled
from portal.jobs.selectors import summary_teams_due
from portal.jobs.services import job_start
from portal.jobs.summaries import summary_day
from portal.tasks import services as ts
from portal.tasks.models import Status, Task
from portal.teams.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(autouse=True)
def hour(settings):
    settings.DAILY_SUMMARY_HOUR = 7
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def teams():
    made = {}
    for key, name in [("UTC", "UTC"), ("LAX", "America/Los_Angeles"), ("TYO", "Asia/Tokyo")]:
        team = TeamFactory(name=f"Team {key}", slug=key.lower(), key=key, time_zone=name)
        reader = UserFactory(username=f"reader-{key.lower()}", receive_daily_summary=True)
        MembershipFactory(team=team, user=reader, role=Role.LEAD)
        made[key] = team
    return made


def due_keys(moment: str) -> dict[str, str]:
    return {team.key: day.isoformat() for team, day in summary_teams_due(at=at(moment))}


@pytest.mark.parametrize(
    ("key", "before", "on_the_hour", "day"),
    [
        ("UTC", "2026-11-26T06:59:59+00:00", "2026-11-26T07:00:00+00:00", date(2026, 11, 26)),
        ("LAX", "2026-11-26T14:59:59+00:00", "2026-11-26T15:00:00+00:00", date(2026, 11, 26)),
        # 07:00 on the 27th in Tokyo is still the 26th in UTC.
        ("TYO", "2026-11-26T21:59:59+00:00", "2026-11-26T22:00:00+00:00", date(2026, 11, 27)),
    ],
)
def test_a_team_is_due_when_the_hour_comes_in_its_zone(teams, key, before, on_the_hour, day):
    team = teams[key]
    assert summary_day(team, at(before)) is None
    assert summary_day(team, at(on_the_hour)) == day


def test_the_hour_a_clock_change_skips_comes_at_the_first_moment_after_it(teams, settings):
    settings.DAILY_SUMMARY_HOUR = 2  # 02:00 does not exist in Los Angeles on 2027-03-14
    la = teams["LAX"]
    assert summary_day(la, at("2027-03-14T09:59:59+00:00")) is None  # 01:59:59 PST
    assert summary_day(la, at("2027-03-14T10:00:00+00:00")) == date(2027, 3, 14)  # 03:00 PDT


def test_hourly_runs_over_a_day_summarise_each_team_once_at_its_own_hour(teams):
    made: dict[str, list[tuple[str, str]]] = {}
    for hour in range(24):
        slot = at("2026-11-26T00:00:00+00:00") + timedelta(hours=hour)
        for second_run in (20, 40):  # a second run in the same hour sends nothing again
            with time_machine.travel(slot + timedelta(seconds=second_run), tick=False):
                if second_run == 20:
                    run_scheduled("daily_summary", slot=slot.isoformat())
                else:
                    run_job(job_start("daily_summary", requester=None, at=slot.isoformat()).pk)
        for job in Job.objects.filter(kind="daily_summary", params__at=slot.isoformat()):
            assert job.status == JobStatus.SUCCEEDED, job.error
            if job.result["teams"]:
                made.setdefault(f"{slot:%H:%M}", []).append(
                    (job.result["dates"], sorted(f.split("/")[-1] for f in job.result["files"]))
                )
    assert made == {
        # The first run ever: Los Angeles' 25th and Tokyo's 26th had passed 07:00 already,
        # with no summary sent: caught up at once.
        "00:00": [(["2026-11-25", "2026-11-26"], ["lax.md", "tyo.md"])],
        "07:00": [(["2026-11-26"], ["utc.md"])],
        "15:00": [(["2026-11-26"], ["lax.md"])],
        "22:00": [(["2026-11-27"], ["tyo.md"])],
    }
    sent = sorted((m.to[0], m.subject.rsplit(" ", 1)[-1]) for m in mail.outbox)
    assert sent == [
        ("reader-lax@example.com", "2026-11-25"),
        ("reader-lax@example.com", "2026-11-26"),
        ("reader-tyo@example.com", "2026-11-26"),
        ("reader-tyo@example.com", "2026-11-27"),
        ("reader-utc@example.com", "2026-11-26"),
    ]


def test_a_missed_hour_is_caught_up_by_the_next_run(teams):
    # The cluster was down from 06:30 to 16:10 UTC: the slot that fires is stale, so the run
    # looks at now and makes both the UTC and the Los Angeles summary. In Tokyo it is 01:10 on
    # the 27th, before its hour: a day already over is not summarised afterwards.
    with time_machine.travel("2026-11-26T16:10:00+00:00", tick=False):
        run_scheduled("daily_summary", slot="2026-11-26T07:00:00+00:00")
    job = Job.objects.get(kind="daily_summary")
    assert job.params == {"at": "2026-11-26T16:10:00+00:00"}
    assert set(DailySummary.objects.values_list("team__key", "date")) == {
        ("UTC", date(2026, 11, 26)),
        ("LAX", date(2026, 11, 26)),
    }


def test_today_overdue_and_yesterday_are_the_teams_days(teams):
    lead = teams["TYO"].memberships.get().user
    utc_lead = teams["UTC"].memberships.get().user
    la_lead = teams["LAX"].memberships.get().user
    with time_machine.travel("2026-11-20T00:00:00+00:00", tick=False):
        # 23:00 on the 26th in Tokyo: overdue on Tokyo's 27th; due today for UTC's 26th.
        late = ts.task_create(
            actor=lead, team=teams["TYO"], title="Late", due_date=at("2026-11-26T14:00+00:00")
        )
        today = ts.task_create(
            actor=lead, team=teams["TYO"], title="Today", due_date=date(2026, 11, 27)
        )
        done = ts.task_create(actor=lead, team=teams["TYO"], title="Done")
        utc_today = ts.task_create(
            actor=utc_lead, team=teams["UTC"], title="UTC", due_date=at("2026-11-26T14:00+00:00")
        )
        # 23:30 on the 25th in Los Angeles: overdue on its 26th.
        la_late = ts.task_create(
            actor=la_lead, team=teams["LAX"], title="LA", due_date=at("2026-11-26T07:30+00:00")
        )
    with time_machine.travel("2026-11-26T14:30:00+00:00", tick=False):  # 23:30 in Tokyo
        ts.task_update(actor=lead, task=done, status=Status.DONE)
    with time_machine.travel("2026-11-26T22:00:00+00:00", tick=False):
        run_job(job_start("daily_summary", requester=None, at="2026-11-26T22:00:00+00:00").pk)
        run_job(job_start("daily_summary", requester=None, date="2026-11-26", team="utc").pk)
        run_job(job_start("daily_summary", requester=None, date="2026-11-26", team="lax").pk)
    tokyo = DailySummary.objects.get(team=teams["TYO"], date=date(2026, 11, 27))
    assert tokyo.counts["due_today"] == 1 and tokyo.counts["overdue"] == 1
    assert tokyo.counts["done_yesterday"] == 1
    sections = tokyo.body.split("## ")
    assert today.key in sections[1] and late.key in sections[2] and done.key in sections[3]
    # Times in the summary are the team's: 14:00 UTC is 23:00 in Tokyo.
    assert "due Nov 26, 23:00" in tokyo.body and "JST_" in tokyo.body.replace(" by", "_")
    utc = DailySummary.objects.get(team=teams["UTC"], date=date(2026, 11, 26))
    assert utc.counts["due_today"] == 1 and utc.counts["overdue"] == 0
    assert utc_today.key in utc.body.split("## ")[1]
    la = DailySummary.objects.get(team=teams["LAX"], date=date(2026, 11, 26))
    assert la.counts["overdue"] == 1 and la_late.key in la.body.split("## ")[2]


@pytest.mark.parametrize(
    ("key", "day_ends"),
    [
        ("UTC", "2026-11-27T00:00:00+00:00"),
        ("LAX", "2026-11-27T08:00:00+00:00"),
        ("TYO", "2026-11-26T15:00:00+00:00"),
    ],
)
def test_a_reminder_goes_once_the_due_day_has_ended_in_the_teams_zone(teams, key, day_ends):
    team = teams[key]
    lead = team.memberships.get().user
    with time_machine.travel("2026-11-20T00:00:00+00:00", tick=False):
        task = ts.task_create(actor=lead, team=team, title="Due", due_date=date(2026, 11, 26))
        ts.task_assign(actor=lead, task=task, assignees=[lead])
    with time_machine.travel(at(day_ends) - timedelta(seconds=1), tick=False):
        run_scheduled("overdue_reminders")
    assert not OverdueReminder.objects.exists() and mail.outbox == []
    with time_machine.travel(at(day_ends), tick=False):
        run_scheduled("overdue_reminders")
    assert list(OverdueReminder.objects.values_list("task", flat=True)) == [task.pk]
    assert "was due Nov 26 and is not done yet" in mail.outbox[0].body


def test_a_reminder_shows_a_due_time_in_the_teams_zone(teams):
    team = teams["LAX"]
    lead = team.memberships.get().user
    with time_machine.travel("2026-11-20T00:00:00+00:00", tick=False):
        task = ts.task_create(
            actor=lead, team=team, title="Call", due_date=at("2026-11-26T17:00+00:00")
        )
        ts.task_assign(actor=lead, task=task, assignees=[lead])
    with time_machine.travel("2026-11-26T18:00:00+00:00", tick=False):
        run_scheduled("overdue_reminders")
    assert "was due Nov 26, 09:00 (America/Los_Angeles)" in mail.outbox[0].body
    assert Task.objects.get(pk=task.pk).due_day is None


@pytest.mark.parametrize("hour", [-1, 24, "7"])
def test_a_summary_hour_outside_the_day_is_an_error(settings, hour):
    settings.DAILY_SUMMARY_HOUR = hour
    [error] = check_summary_hour()
    assert (error.id, error.msg) == ("jobs.E002", SUMMARY_HOUR_RANGE.format(hour=hour))
    with pytest.raises(SystemCheckError, match=r"jobs\.E002"):
        call_command("check")


@pytest.mark.parametrize("hour", [0, 23])
def test_the_edges_of_the_day_pass(settings, hour):
    settings.DAILY_SUMMARY_HOUR = hour
    assert check_summary_hour() == []
