"""tasks_purge_archived: the system clean-up of long-archived tasks."""

from datetime import datetime, timedelta

import pytest
import time_machine

from portal.tasks import services as ts
from portal.tasks.models import Comment, Task

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-11-26T08:00:00+00:00")


def archived(actor, team, days_ago, title="t"):
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        task = ts.task_create(actor=actor, team=team, title=title)
        return ts.task_archive(actor=actor, task=task)


def test_purges_in_batches_counts_per_team_and_a_rerun_is_a_no_op(team, other_team, lead, outsider):
    for i in range(5):
        archived(lead, team, 40, f"ops {i}")
    archived(outsider, other_team, 40)
    ts.comment_add(actor=lead, task=Task.objects.filter(team=team).first(), body="bye")
    counts = ts.tasks_purge_archived(before=NOW - timedelta(days=30), batch_size=2)
    assert counts == {"OPS": 5, "DES": 1}
    assert Task.objects.count() == 0 and Comment.objects.count() == 0
    assert ts.tasks_purge_archived(before=NOW, batch_size=2) == {}


def test_cut_off_is_strict_and_unarchived_tasks_stay(team, lead):
    old = archived(lead, team, 30)
    newer = archived(lead, team, 29)
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        active = ts.task_create(actor=lead, team=team, title="still open")
    assert ts.tasks_purge_archived(before=old.archived_at) == {}
    assert ts.tasks_purge_archived(before=NOW - timedelta(days=30) + timedelta(seconds=1)) == {
        "OPS": 1
    }
    assert set(Task.objects.values_list("pk", flat=True)) == {newer.pk, active.pk}
