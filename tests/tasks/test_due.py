"""Due dates: a day means the whole day in the team's time zone; a time, where given, counts."""

from datetime import UTC, date, datetime, timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from portal.tasks import services as ts
from portal.tasks.due import DUE_OUT_OF_RANGE, due_text
from portal.tasks.models import Task
from portal.tasks.services import TaskWrite, tasks_write_bulk
from portal.teams.services import team_update

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def overdue_at(moment: datetime) -> list[str]:
    return list(Task.objects.overdue(moment).values_list("title", flat=True))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("zone", "last_moment"),
    [
        ("UTC", datetime(2026, 12, 24, 23, 59, 59, tzinfo=UTC)),
        # 23:59 in Los Angeles is 07:59 the next morning in UTC; in Tokyo 14:59 the same day.
        ("America/Los_Angeles", datetime(2026, 12, 25, 7, 59, 59, tzinfo=UTC)),
        ("Asia/Tokyo", datetime(2026, 12, 24, 14, 59, 59, tzinfo=UTC)),
    ],
)
def test_a_day_is_overdue_once_it_has_ended_in_the_teams_zone(team, lead, zone, last_moment):
    team_update(actor=lead, team=team, time_zone=zone)
    task = ts.task_create(actor=lead, team=team, title="Wrap presents", due_date=date(2026, 12, 24))
    assert task.due_day == date(2026, 12, 24)
    assert overdue_at(last_moment) == []
    assert overdue_at(last_moment + timedelta(seconds=1)) == ["Wrap presents"]
    # The day is what people read, wherever they are.
    assert due_text(task.due_date, task.due_day) == "Dec 24"


def test_a_time_given_counts_to_the_second(team, lead):
    due = datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    task = ts.task_create(actor=lead, team=team, title="Call", due_date=due)
    assert (task.due_date, task.due_day) == (due, None)
    assert overdue_at(due) == []
    assert overdue_at(due + timedelta(seconds=1)) == ["Call"]
    assert due_text(task.due_date, task.due_day) == "Dec 24, 17:00"


def test_a_new_team_zone_moves_day_deadlines_and_keeps_the_days(team, lead):
    day_task = ts.task_create(actor=lead, team=team, title="Day", due_date=date(2026, 12, 24))
    moment = datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    timed = ts.task_create(actor=lead, team=team, title="Timed", due_date=moment)
    team_update(actor=lead, team=team, time_zone="Asia/Tokyo")
    day_task.refresh_from_db()
    timed.refresh_from_db()
    assert day_task.due_day == date(2026, 12, 24)
    assert day_task.due_date == datetime(2026, 12, 24, 14, 59, 59, 999999, tzinfo=UTC)
    assert timed.due_date == moment  # a moment stays the moment it was


def test_changing_a_day_to_a_moment_and_back(team, lead):
    task = ts.task_create(actor=lead, team=team, title="t", due_date=date(2026, 12, 24))
    moment = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)
    task = ts.task_update(actor=lead, task=task, due_date=moment)
    assert (task.due_date, task.due_day) == (moment, None)
    task = ts.task_update(actor=lead, task=task, due_date=None)
    assert (task.due_date, task.due_day) == (None, None)


@pytest.mark.parametrize(
    "given",
    [date(1900, 1, 1), date(2016, 12, 1), date(2076, 12, 31), datetime(9999, 1, 1, tzinfo=UTC)],
)
def test_due_dates_far_from_today_are_refused_at_the_service(team, lead, given):
    with pytest.raises(ValidationError) as refused:
        ts.task_create(actor=lead, team=team, title="typo", due_date=given)
    assert refused.value.message_dict == {"due_date": [DUE_OUT_OF_RANGE]}
    assert not Task.objects.exists()


@pytest.mark.parametrize("given", [date(2016, 12, 7), date(2076, 12, 5)])
def test_the_range_takes_its_edges(team, lead, given):
    task = ts.task_create(actor=lead, team=team, title="edge", due_date=given)
    assert task.due_day == given


def test_a_bulk_write_names_the_row_with_a_bad_due_date(team, lead):
    rows = [
        TaskWrite(team=team, fields={"title": "fine", "due_date": date(2026, 12, 24)}),
        TaskWrite(team=team, fields={"title": "typo", "due_date": date(1900, 1, 1)}),
    ]
    outcome = tasks_write_bulk(actor=lead, rows=rows)
    assert outcome.errors == {1: {"due_date": [DUE_OUT_OF_RANGE]}}
    assert not Task.objects.exists()


def test_midnights_stored_before_become_days(team, lead, settings):
    # What a day without a time used to be: midnight in the portal's time zone.
    settings.TIME_ZONE = "UTC"
    midnight = datetime(2026, 12, 24, tzinfo=UTC)
    afternoon = datetime(2026, 12, 24, 15, 30, tzinfo=UTC)
    old_day = ts.task_create(actor=lead, team=team, title="day", due_date=afternoon)
    timed = ts.task_create(actor=lead, team=team, title="timed", due_date=afternoon)
    Task.objects.filter(pk=old_day.pk).update(due_date=midnight)
    migration = import_module("portal.tasks.migrations.0006_due_day")
    migration.forwards(django_apps, None)
    old_day.refresh_from_db()
    timed.refresh_from_db()
    assert old_day.due_day == date(2026, 12, 24)
    assert old_day.due_date == datetime(2026, 12, 24, 23, 59, 59, 999999, tzinfo=UTC)
    assert (timed.due_day, timed.due_date) == (None, afternoon)
