"""A team's activity: task changes and comments of one team, newest first, paged by cursor."""

import pytest
from django.utils import timezone

from portal.tasks.models import Comment, Task
from portal.tasks.selectors import team_activity, team_history_entries, team_task_history
from portal.tasks.services import (
    comment_add,
    comment_delete,
    comment_update,
    task_create,
    task_delete,
    task_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(team, other_team, lead, member, member2, outsider):
    first = task_create(actor=member, team=team, title="First")
    second = task_create(actor=member2, team=team, title="Second", assignees=[member2])
    task_update(actor=member, task=first, status="done", assignees=[member])
    note = comment_add(actor=member2, task=first, body="Nice")
    comment_update(actor=member2, comment=note, body="Nice work")
    gone = task_create(actor=lead, team=team, title="Gone soon")
    task_delete(actor=lead, task=gone)
    comment_delete(actor=lead, comment=comment_add(actor=lead, task=second, body="oops"))
    task_create(actor=outsider, team=other_team, title="Secret plan")
    comment_add(actor=outsider, task=Task.objects.get(title="Secret plan"), body="secret")
    return {"first": first, "second": second}


def describe(entries):
    return [(e["kind"], e["type"], e["task_key"], e["user"].username) for e in entries]


def test_the_feed_holds_the_teams_changes_and_comments_newest_first(story, member):
    entries, cursor = team_activity(fetched_by=member, team=story["first"].team)
    assert cursor is None
    assert describe(entries) == [
        ("comment", "deleted", "OPS-2", "lead"),
        ("comment", "created", "OPS-2", "lead"),
        ("task", "deleted", "OPS-3", "lead"),
        ("task", "created", "OPS-3", "lead"),
        ("comment", "changed", "OPS-1", "member2"),
        ("comment", "created", "OPS-1", "member2"),
        ("task", "changed", "OPS-1", "member"),
        ("task", "created", "OPS-2", "member2"),
        ("task", "created", "OPS-1", "member"),
    ]
    change = entries[6]
    assert {(r["field"], r["old"], r["new"]) for r in change["rows"]} == {
        ("status", "To do", "Done"),
        ("assignees", "—", "member"),
    }
    edited = entries[4]
    assert (edited["old_body"], edited["body"]) == ("Nice", "Nice work")
    assert all("Secret" not in e["task_title"] for e in entries)


def test_outsiders_get_nothing_of_the_team(story, outsider):
    assert team_activity(fetched_by=outsider, team=story["first"].team) == ([], None)


def test_pages_follow_each_other_without_gaps_even_at_the_same_moment(story, member):
    team = story["first"].team
    # Everything at one moment: only the kind and the id order the records.
    moment = timezone.now()
    Task.history.model.objects.update(history_date=moment)
    Comment.history.model.objects.update(history_date=moment)
    everything, _ = team_activity(fetched_by=member, team=team, size=100)
    seen, cursor = [], None
    while True:
        page, cursor = team_activity(fetched_by=member, team=team, before=cursor, size=2)
        seen += page
        if cursor is None:
            break
    assert [(e["kind"], e["id"]) for e in seen] == [(e["kind"], e["id"]) for e in everything]
    assert len(seen) == 9


def test_each_record_is_compared_with_the_previous_record_of_its_own_task(story, member):
    records = list(team_task_history(fetched_by=member, team=story["first"].team))
    entries = team_history_entries(records)
    by_title = {(e["record"].title, e["type"]): e["changes"] for e in entries}
    assert by_title[("First", "created")] == []
    assert {c["field"] for c in by_title[("First", "changed")]} == {"status", "assignees"}


def test_the_feed_costs_the_same_however_long_the_history(
    story, team, member, member2, django_assert_max_num_queries
):
    def queries():
        with django_assert_max_num_queries(20) as captured:
            entries, _ = team_activity(fetched_by=member, team=team, size=10)
        return len(captured), len(entries)

    def grow(count):
        for number in range(count):
            task = task_create(actor=member, team=team, title=f"Task {number}", assignees=[member])
            task_update(actor=member2, task=task, status="blocked", assignees=[member2])
            comment_add(actor=member, task=task, body=f"note {number}")

    grow(5)
    small = queries()
    grow(60)
    assert queries() == small
