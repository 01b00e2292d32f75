"""The outbox: every change records its event in its own transaction, and only then."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.events import kinds
from portal.events.models import Event
from portal.events.services import (
    UNKNOWN_KIND,
    event_value,
    events_dispatch,
    events_dispatching,
    mentions_in,
    on_dispatch,
    record_event,
)
from portal.tasks import services as ts
from portal.tasks.models import Task
from portal.tasks.services import TaskWrite, tasks_write_bulk
from portal.teams import services as team_services
from portal.teams.models import Membership, Role
from tests.factories import TagFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def only(kind):
    events = list(Event.objects.filter(kind=kind))
    assert len(events) == 1, [e.kind for e in Event.objects.all()]
    return events[0]


def test_a_new_task_records_its_event_with_who_and_what(team, lead, member):
    task = ts.task_create(
        actor=lead,
        team=team,
        title="Ship it",
        description="Over to you @member and @member.",
        assignees=[member],
        due_date=date(2026, 12, 24),
    )
    event = only(kinds.TASK_CREATED)
    assert (event.team_id, event.task_id, event.actor_id) == (team.pk, task.pk, lead.pk)
    assert event.payload["key"] == task.key
    assert event.payload["assignees"] == [member.pk]
    assert event.payload["due_date"] == "2026-12-24"
    assert event.payload["mentions"] == ["member"]
    assert event.dispatched_at is None


def test_a_change_records_old_and_new_and_the_links_added_and_removed(team, lead, member, member2):
    task = ts.task_create(actor=lead, team=team, title="Old", assignees=[member])
    tag = TagFactory()
    ts.task_update(
        actor=lead, task=task, title="New", status="done", assignees=[member2], tags=[tag]
    )
    event = only(kinds.TASK_UPDATED)
    assert event.payload["changes"] == {"title": ["Old", "New"], "status": ["todo", "done"]}
    assert event.payload["assignees"] == {"added": [member2.pk], "removed": [member.pk]}
    assert event.payload["tags"] == {"added": [tag.pk], "removed": []}


def test_a_change_that_changes_nothing_records_nothing(team, lead):
    task = ts.task_create(actor=lead, team=team, title="Same")
    ts.task_update(actor=lead, task=task, title="Same")
    assert not Event.objects.filter(kind=kinds.TASK_UPDATED).exists()


def test_due_day_changes_read_as_days_and_descriptions_only_say_they_changed(team, lead):
    task = ts.task_create(actor=lead, team=team, title="Due", description="@lead look")
    ts.task_update(
        actor=lead,
        task=task,
        due_date=date(2026, 12, 24),
        description="@lead look, and @member too",
    )
    changes = only(kinds.TASK_UPDATED).payload
    assert changes["changes"]["due_date"] == [None, "2026-12-24"]
    assert changes["changes"]["description"] == [None, None]
    # A mention is news once: @lead was already in the text.
    assert changes["mentions"] == ["member"]


def test_archiving_and_deleting_are_events(team, lead):
    task = ts.task_create(actor=lead, team=team, title="Old news")
    ts.task_archive(actor=lead, task=task)
    assert only(kinds.TASK_UPDATED).payload["changes"] == {"is_archived": [False, True]}
    pk, key = task.pk, task.key
    ts.task_delete(actor=lead, task=task)
    deleted = only(kinds.TASK_DELETED)
    assert (deleted.task_id, deleted.payload["key"]) == (pk, key)


def test_a_failing_service_leaves_no_event(team, lead, outsider):
    with pytest.raises(ValidationError):
        ts.task_create(actor=lead, team=team, title="Nope", assignees=[outsider])
    task = ts.task_create(actor=lead, team=team, title="Kept")
    with pytest.raises(ValidationError):
        ts.task_update(actor=lead, task=task, title="", status="done")
    assert list(Event.objects.values_list("kind", flat=True)) == [kinds.TASK_CREATED]


def test_an_event_rolls_back_with_the_transaction_around_the_change(team, lead):
    with pytest.raises(RuntimeError), transaction.atomic():
        ts.task_create(actor=lead, team=team, title="Rolled back")
        raise RuntimeError
    assert not Task.objects.exists() and not Event.objects.exists()


def test_comments_record_events_and_only_new_mentions(team, lead, member):
    task = ts.task_create(actor=lead, team=team, title="Talk")
    comment = ts.comment_add(actor=member, task=task, body="@lead see this, mail a@b.example")
    assert only(kinds.COMMENT_CREATED).payload["mentions"] == ["lead"]
    ts.comment_update(actor=member, comment=comment, body="@lead see this, and @member2.")
    assert only(kinds.COMMENT_UPDATED).payload["mentions"] == ["member2"]
    ts.comment_update(actor=member, comment=comment, body="@lead see this, and @member2.")
    assert Event.objects.filter(kind=kinds.COMMENT_UPDATED).count() == 1  # nothing changed
    pk = comment.pk
    ts.comment_delete(actor=member, comment=comment)
    assert only(kinds.COMMENT_DELETED).payload["comment"] == pk


def test_memberships_and_teams_record_events(team, lead):
    person = UserFactory()
    membership = team_services.membership_add(actor=lead, team=team, user=person)
    assert only(kinds.MEMBERSHIP_ADDED).payload["user"] == person.pk
    team_services.membership_change_role(actor=lead, membership=membership, role=Role.VIEWER)
    changed = only(kinds.MEMBERSHIP_CHANGED).payload
    assert (changed["old_role"], changed["role"]) == (Role.MEMBER, Role.VIEWER)
    team_services.membership_delete(actor=lead, membership=Membership.objects.get(pk=membership.pk))
    assert only(kinds.MEMBERSHIP_REMOVED).payload["username"] == person.username
    team_services.team_update(actor=lead, team=team, description="We ship.")
    assert only(kinds.TEAM_UPDATED).payload["changes"] == {"description": ["", "We ship."]}


def test_bulk_writes_record_one_event_per_task_at_a_constant_cost(team, lead):
    def write(n, prefix):
        rows = [TaskWrite(team=team, fields={"title": f"{prefix} {i}"}) for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            tasks_write_bulk(actor=lead, rows=rows)
        inserts = [q for q in queries.captured_queries if 'INTO "events_event"' in q["sql"]]
        return len(queries), len(inserts)

    write(2, "warm")
    small, small_inserts = write(5, "small")
    large, large_inserts = write(200, "large")
    # One INSERT for the batch, or as many as the database's parameter limit needs (SQLite).
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [Event()] * 200) or 200
    assert small_inserts == 1 and large_inserts == -(-200 // min(per_insert, 1000))
    if connection.vendor == "postgresql":
        assert large == small
    assert Event.objects.filter(kind=kinds.TASK_CREATED).count() == 207

    tasks = list(
        Task.objects.filter(title__startswith="large").prefetch_related("assignees", "tags")
    )
    rows = [
        TaskWrite(team=team, task=t, fields={"title": t.title + "!", "status": "done"})
        for t in tasks
    ]
    tasks_write_bulk(actor=lead, rows=rows)
    updated = list(Event.objects.filter(kind=kinds.TASK_UPDATED))
    assert len(updated) == 200
    assert updated[0].payload["changes"]["status"] == ["todo", "done"]


def test_dispatch_hands_events_over_in_order_and_marks_them(team, lead):
    seen = []

    def listener(events, **kwargs):
        seen.extend(e.pk for e in events)

    on_dispatch(listener)
    try:
        for i in range(5):
            TaskFactory(team=team)
            record_event(kinds.TASK_CREATED, actor=lead, team_id=team.pk, payload={"i": i})
        assert events_dispatch(batch=2) == 5
        assert seen == sorted(seen) and len(seen) == 5
        assert not Event.objects.filter(dispatched_at__isnull=True).exists()
        assert events_dispatch() == 0
    finally:
        events_dispatching._listeners.remove(listener)


def test_a_failing_listener_leaves_the_batch_for_the_next_run(team, lead):
    record_event(kinds.TASK_CREATED, actor=lead, team_id=team.pk)

    def broken(events, **kwargs):
        raise RuntimeError("receiver down")

    on_dispatch(broken)
    try:
        with pytest.raises(RuntimeError):
            events_dispatch()
    finally:
        events_dispatching._listeners.remove(broken)
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 1
    assert events_dispatch() == 1


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match=UNKNOWN_KIND.format(kind="task.exploded")):
        record_event("task.exploded")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@marcus please", ["marcus"]),
        ("thanks @marcus.", ["marcus"]),
        ("mail marcus@example.com", []),
        ("@a.b-c_d+e@x ok", ["a.b-c_d+e@x"]),
        ("@priya @priya @Priya", ["priya", "Priya"]),
        ("(@olivia), @", ["olivia"]),
        ("nul \x00@x", ["x"]),
        ("", []),
        (None, []),
    ],
)
def test_mentions_are_read_as_people_write_them(text, names):
    assert mentions_in(text) == names


def test_payload_values_are_json():
    assert event_value({"when": date(2026, 1, 2), "ids": {3, 1}}) == {
        "when": "2026-01-02",
        "ids": [1, 3],
    }


def test_purge_deletes_only_old_dispatched_events(team, lead):
    from datetime import timedelta

    from django.utils import timezone

    from portal.events.services import events_purge

    old, waiting, recent = (record_event(kinds.TEAM_UPDATED, team_id=team.pk) for _ in range(3))
    long_ago = timezone.now() - timedelta(days=100)
    Event.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=long_ago)
    Event.objects.filter(pk__in=[old.pk, recent.pk]).update(dispatched_at=timezone.now())
    assert events_purge(before=timezone.now() - timedelta(days=90)) == 1
    assert set(Event.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
