"""tasks_purge_archived: the system clean-up of long-archived tasks."""

from datetime import datetime, timedelta

import pytest
import time_machine

from portal.tasks import services as ts
from portal.tasks.models import Comment, Task
from tests.factories import TagFactory

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


def test_each_purged_task_and_comment_leaves_the_deletion_record_simple_history_would(
    team, lead, member
):
    """The records are written in bulk, so compare them with the one a plain delete writes."""
    tag = TagFactory(name="ops")

    def make(title):
        task = archived(lead, team, 40, title)
        task = ts.task_update(actor=lead, task=task, assignees=[lead, member], tags=[tag])
        ts.comment_add(actor=lead, task=task, body=f"about {title}")
        return task

    plain, purged = make("deleted one by one"), make("purged")
    plain_comment = plain.comments.get()
    Comment.objects.get(pk=plain_comment.pk).delete()
    Task.objects.get(pk=plain.pk).delete()
    ts.tasks_purge_archived(before=NOW - timedelta(days=30))

    def deletion(model, pk):
        return model.history.get(id=pk, history_type="-")

    expected, got = deletion(Task, plain.pk), deletion(Task, purged.pk)
    assert got.history_user is None and got.title == "purged"
    assert got.is_archived and got.team_id == team.pk
    assert sorted(got.assignees.values_list("user_id", flat=True)) == sorted([lead.pk, member.pk])
    assert list(got.tags.values_list("tag_id", flat=True)) == [tag.pk]
    fields = [
        f.attname for f in Task.history.model._meta.fields if not f.name.startswith("history")
    ]
    skip = {"id", "title", "number", "created_at"}
    assert {f: getattr(got, f) for f in fields if f not in skip} == {
        f: getattr(expected, f) for f in fields if f not in skip
    }
    # A plain delete removes the links before simple-history reads them, so its record says
    # "nobody, no tags"; the bulk record keeps them as they were when the task went.
    assert not expected.assignees.exists() and not expected.tags.exists()
    purged_comment = Comment.history.get(task_id=purged.pk, history_type="-")
    assert purged_comment.body == "about purged" and purged_comment.history_user is None
    assert Comment.history.filter(id=plain_comment.pk, history_type="-").count() == 1
