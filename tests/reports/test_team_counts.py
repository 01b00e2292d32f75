"""The team list's counts per team: open tasks only, and mine counted once per task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.reports.selectors import team_counts
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db


def test_counts_per_team_read_open_tasks_and_count_mine_once(
    team, other_team, member, member2, outsider
):
    now = timezone.now()
    late = now - timedelta(days=1)
    # Two assignees on one task must not count it twice, for "open" or for "mine".
    task_create(actor=member, team=team, title="Late", assignees=[member, member2], due_date=late)
    task_create(actor=member, team=team, title="Soon", due_date=now + timedelta(days=3))
    task_create(actor=member, team=team, title="Others'", assignees=[member2])
    task_create(actor=member, team=team, title="Done", status="done", assignees=[member])
    task_create(actor=member, team=team, title="Away", is_archived=True, assignees=[member])
    task_create(actor=outsider, team=other_team, title="Not mine to see", assignees=[outsider])

    counts = team_counts(member, now)

    assert counts == {team.pk: {"open": 3, "overdue": 1, "due_soon": 1, "mine": 1}}


def test_a_team_with_only_finished_tasks_is_left_out(team, member):
    task_create(actor=member, team=team, title="Done", status="done", assignees=[member])
    assert team_counts(member) == {}


def test_someone_else_sees_their_own_mine(team, member, member2):
    task_create(actor=member, team=team, title="Mine", assignees=[member])
    task_create(actor=member, team=team, title="Theirs", assignees=[member2])
    task_create(actor=member, team=team, title="Both", assignees=[member, member2])
    assert team_counts(member)[team.pk]["mine"] == 2
    assert team_counts(member2)[team.pk]["mine"] == 2
    assert team_counts(member2)[team.pk]["open"] == 3
