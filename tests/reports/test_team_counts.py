"""The team list's numbers per team: open tasks only, and my open tasks counted once each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.reports.selectors import team_counts
from portal.tasks.selectors import open_tasks_assigned_by_team
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(team, other_team, member, member2, outsider):
    now = timezone.now()
    late = now - timedelta(days=1)
    # Two assignees on one task must not count it twice, for "open" or for "mine".
    task_create(actor=member, team=team, title="Late", assignees=[member, member2], due_date=late)
    task_create(actor=member, team=team, title="Soon", due_date=now + timedelta(days=3))
    task_create(actor=member, team=team, title="Others'", assignees=[member2])
    task_create(actor=member, team=team, title="Done", status="done", assignees=[member])
    task_create(actor=member, team=team, title="Away", is_archived=True, assignees=[member])
    task_create(actor=outsider, team=other_team, title="Not mine to see", assignees=[outsider])
    return now


def test_counts_per_team_read_open_tasks_only(mixed, team, member):
    assert team_counts(fetched_by=member, now=mixed) == {
        team.pk: {"open": 3, "overdue": 1, "due_soon": 1}
    }


def test_a_team_with_only_finished_tasks_is_left_out(team, member):
    task_create(actor=member, team=team, title="Done", status="done", assignees=[member])
    assert team_counts(fetched_by=member) == {}
    assert open_tasks_assigned_by_team(fetched_by=member) == {}


def test_my_open_tasks_per_team_count_each_task_once(mixed, team, member, member2):
    mine = open_tasks_assigned_by_team(fetched_by=member)
    assert list(mine) == [team.pk] and mine[team.pk]["count"] == 1
    assert [task.title for task in mine[team.pk]["tasks"]] == ["Late"]
    assert mine[team.pk]["tasks"][0].is_overdue and mine[team.pk]["tasks"][0].key == "OPS-1"
    theirs = open_tasks_assigned_by_team(fetched_by=member2)[team.pk]
    assert theirs["count"] == 2 and [t.title for t in theirs["tasks"]] == ["Late", "Others'"]


def test_the_count_covers_more_tasks_than_are_listed(team, member):
    for number in range(4):
        task_create(actor=member, team=team, title=f"T{number}", assignees=[member])
    mine = open_tasks_assigned_by_team(fetched_by=member, per_team=3)[team.pk]
    assert mine["count"] == 4 and len(mine["tasks"]) == 3
