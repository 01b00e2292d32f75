"""A team's report counts its days and weeks in the team's time zone: a task done at 23:30 UTC
on a Sunday is done on Monday morning in Tokyo, in the next week."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.reports import selectors as rep
from portal.tasks.models import Task
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db

SUNDAY_LATE = datetime.fromisoformat("2026-03-08T23:30:00+00:00")  # Mon 08:30 in Tokyo
MONDAY_EARLY_LA = datetime.fromisoformat("2026-03-09T06:30:00+00:00")  # Sun 23:30 in LA (PDT)
WEEK1, WEEK2 = date(2026, 3, 2), date(2026, 3, 9)


@pytest.fixture
def done_tasks(team, member):
    def done(title, moment):
        row = task_create(actor=member, team=team, title=title)
        Task.objects.filter(pk=row.pk).update(
            created_at=datetime.fromisoformat("2026-03-02T12:00:00+00:00"),
            status="done",
            completed_at=moment,
        )

    done("late sunday", SUNDAY_LATE)
    done("early monday", MONDAY_EARLY_LA)


def set_zone(team, name):
    team.time_zone = name
    team.save(update_fields=["time_zone"])


@pytest.mark.parametrize(
    ("name", "weeks"),
    [
        ("UTC", {WEEK1: 1, WEEK2: 1}),
        ("Asia/Tokyo", {WEEK1: 0, WEEK2: 2}),
        # 06:30 UTC on Monday is still Sunday night (23:30, summer time) in Los Angeles.
        ("America/Los_Angeles", {WEEK1: 2, WEEK2: 0}),
    ],
)
def test_weeks_are_the_teams(done_tasks, team, member, name, weeks):
    set_zone(team, name)
    span = rep.team_range(team, first=date(2026, 3, 2), last=date(2026, 3, 15))
    assert span.start == datetime(2026, 3, 2, tzinfo=rep.team_zone(team))
    flow = rep.created_and_done_per_week(fetched_by=member, team=team, span=span)
    assert {row["week"]: row["done"] for row in flow} == weeks
    cycle = rep.cycle_time_per_week(fetched_by=member, team=team, span=span)
    assert {row["week"]: row["n"] for row in cycle} == weeks


def test_a_range_ending_on_sunday_in_tokyo_leaves_out_its_monday(done_tasks, team, member):
    set_zone(team, "Asia/Tokyo")
    span = rep.team_range(team, first=date(2026, 3, 2), last=date(2026, 3, 8))
    flow = rep.created_and_done_per_week(fetched_by=member, team=team, span=span)
    assert flow == [{"week": WEEK1, "created": 2, "done": 0}]


@time_machine.travel("2026-03-08T23:30:00+00:00", tick=False)
def test_the_default_range_ends_on_the_teams_today(team, settings):
    settings.TIME_ZONE = "UTC"
    set_zone(team, "Asia/Tokyo")
    assert rep.team_range(team, days=30).last == date(2026, 3, 9)
    set_zone(team, "America/Los_Angeles")
    assert rep.team_range(team, days=30).last == date(2026, 3, 8)


def test_the_report_page_shows_the_tokyo_week(done_tasks, team, member, client):
    set_zone(team, "Asia/Tokyo")
    client.force_login(member)
    url = reverse("pages:reports", args=[team.slug])
    response = client.get(url, {"start": "2026-03-02", "end": "2026-03-15"})
    assert response.status_code == 200
    flow = next(s for s in response.context["sections"] if s.slug == "flow")
    assert [row[-1] for row in flow.sheet.rows][:2] == [0, 2]
    assert response.context["span"].zone == rep.team_zone(team)


def test_several_teams_count_in_the_viewers_zone(done_tasks, member):
    # The dashboard's chart spans teams: its days are the viewer's (the current zone).
    now = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
    with timezone.override("Asia/Tokyo"):
        tokyo = rep.created_vs_done(fetched_by=member, days=7, now=now)
    with timezone.override("UTC"):
        utc = rep.created_vs_done(fetched_by=member, days=7, now=now)
    # Days 4..10 March; the done tasks fall on the 9th (Tokyo) or the 8th and 9th (UTC).
    assert tokyo["done"][-2] == 2 and utc["done"][-3:-1] == [1, 1]
