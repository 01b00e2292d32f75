"""Each kind of notification reaches exactly the people who should hear of it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.events import kinds as ek
from portal.events.services import record_events
from portal.notifications import services as ns
from portal.notifications.kinds import Delivery, Kind
from portal.notifications.models import Notification, Watch
from portal.notifications.selectors import is_watching, notifications_of, unread_count
from portal.tasks import services as ts
from portal.tasks.choices import Status
from portal.tasks.events import task_due
from portal.teams.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


def watchers(task):
    return set(Watch.objects.filter(task=task).values_list("user__username", flat=True))


@pytest.fixture
def task(team, lead, member):
    task = ts.task_create(actor=lead, team=team, title="Ship it", assignees=[member])
    return task


def test_assigning_tells_the_assignee_not_the_actor(team, lead, member, member2, dispatch):
    task = ts.task_create(actor=lead, team=team, title="Ship it", assignees=[member, lead])
    dispatch()
    assert told() == {"member": Kind.ASSIGNED}
    # Creator and assignees watch the task.
    assert watchers(task) == {"lead", "member"}
    ts.task_update(actor=lead, task=task, assignees=[member, member2])
    dispatch()
    assert told() == {"member": Kind.ASSIGNED, "member2": Kind.ASSIGNED}
    assert watchers(task) == {"lead", "member", "member2"}


def test_a_mention_tells_people_who_see_the_task_only(
    team, lead, member, viewer, outsider, superuser, dispatch
):
    ts.task_create(
        actor=lead,
        team=team,
        title="Look",
        description="@viewer @outsider @lead @nobody @ROOT please look",
    )
    dispatch()
    # The actor and the outsider (another team) hear nothing; administrators see every team.
    assert told() == {"viewer": Kind.MENTIONED, "root": Kind.MENTIONED}


def test_a_mention_of_an_outsider_alone_tells_no_one(task, member, outsider, dispatch):
    dispatch()
    Notification.objects.all().delete()
    ts.comment_add(actor=member, task=task, body="cc @outsider")
    dispatch()
    # The lead watches (created it) and hears of the comment; the outsider hears nothing.
    assert told() == {"lead": Kind.COMMENTED}


def test_a_comment_tells_the_watchers_but_not_its_author(
    task, lead, member, member2, viewer, dispatch
):
    dispatch()
    ns.watch_add(actor=viewer, task=task)
    Notification.objects.all().delete()
    comment = ts.comment_add(actor=member2, task=task, body="Done?")
    dispatch()
    assert told() == {"lead": Kind.COMMENTED, "member": Kind.COMMENTED, "viewer": Kind.COMMENTED}
    assert set(Notification.objects.values_list("comment_id", flat=True)) == {comment.pk}
    # The commenter watches now.
    assert "member2" in watchers(task)


def test_a_mention_in_a_comment_is_one_notification_for_a_watcher(task, lead, member, dispatch):
    dispatch()
    Notification.objects.all().delete()
    ts.comment_add(actor=lead, task=task, body="@member see this")
    dispatch()
    assert told() == {"member": Kind.MENTIONED}


def test_a_status_change_tells_the_watchers(task, lead, member, viewer, dispatch):
    dispatch()
    Notification.objects.all().delete()
    ts.task_update(actor=member, task=task, title="Ship it now")
    dispatch()
    assert told() == {}  # not a status change
    ts.task_update(actor=member, task=task, status=Status.IN_PROGRESS)
    dispatch()
    assert told() == {"lead": Kind.STATUS}


def test_someone_who_left_the_team_is_not_told(task, lead, member, dispatch):
    dispatch()
    Notification.objects.all().delete()
    member.memberships.all().delete()
    ts.task_update(actor=lead, task=task, status=Status.BLOCKED)
    dispatch()
    assert told() == {}


def test_due_soon_and_overdue_tell_assignees_and_watchers(task, lead, member, dispatch):
    dispatch()
    Notification.objects.all().delete()
    record_events([task_due(ek.TASK_DUE_SOON, task)])
    dispatch()
    assert told() == {"lead": Kind.DUE_SOON, "member": Kind.DUE_SOON}
    Notification.objects.all().delete()
    record_events([task_due(ek.TASK_OVERDUE, task)])
    dispatch()
    assert told() == {"lead": Kind.OVERDUE, "member": Kind.OVERDUE}


def test_a_repeated_dispatch_adds_nothing(task, dispatch):
    from portal.events.models import Event
    from portal.notifications.services import notify_events

    dispatch()
    events = list(Event.objects.all())
    before = Notification.objects.count()
    notify_events(events=events)
    assert Notification.objects.count() == before == 1


def test_a_batch_costs_the_same_queries_for_1_and_20_tasks(team, lead, member, member2, dispatch):
    def run(n):
        for i in range(n):
            task = ts.task_create(
                actor=lead, team=team, title=f"T{i}", assignees=[member], description="@member2"
            )
            ts.comment_add(actor=member, task=task, body="@lead hi")
            ts.task_update(actor=member, task=task, status=Status.DONE)
        with CaptureQueriesContext(connection) as captured:
            dispatch()
        sql = [q["sql"] for q in captured.captured_queries]
        inserts = [q for q in sql if "INSERT" in q and "notifications_notification" in q]
        return len(sql) - len(inserts), len(inserts)

    small, _ = run(1)
    large, inserts = run(20)
    assert large == small
    # One INSERT of notifications, which SQLite splits at its parameter limit (13 per row).
    limit = connection.features.max_query_params or 10**9
    assert inserts == -(-(20 * 4 * 13) // limit)
    assert Notification.objects.count() == 21 * 4  # member, member2, lead (x2) per task


def test_watching_needs_sight_of_the_task(task, viewer, outsider):
    assert ns.watch_add(actor=viewer, task=task) is True
    assert ns.watch_add(actor=viewer, task=task) is False
    assert is_watching(viewer, task)
    assert ns.watch_remove(actor=viewer, task=task) is True
    assert not is_watching(viewer, task)
    with pytest.raises(PermissionDenied):
        ns.watch_add(actor=outsider, task=task)


def test_reading_and_the_unread_count(task, member, dispatch):
    dispatch()
    assert unread_count(member) == 1
    note = notifications_of(fetched_by=member).get()
    ns.notification_read(user=member, notification=note)
    assert unread_count(member) == 0
    assert ns.notifications_read_all(user=member) == 0


def test_someone_elses_notification_cannot_be_read(task, lead, member, dispatch):
    dispatch()
    note = Notification.objects.get(user=member)
    with pytest.raises(PermissionDenied):
        ns.notification_read(user=lead, notification=note)


def test_the_purge_deletes_only_old_read_ones(task, member, dispatch):
    dispatch()
    note = Notification.objects.get()
    assert ns.notifications_purge(before=timezone.now()) == 0
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now() - timedelta(days=61))
    assert ns.notifications_purge(before=timezone.now() - timedelta(days=60)) == 1


def test_email_choices_are_kept_with_the_notification(task, team, lead, dispatch):
    person = UserFactory(username="pat")
    MembershipFactory(user=person, team=team, role=Role.MEMBER)
    ns.preferences_set(actor=person, user=person, choices={Kind.ASSIGNED: Delivery.NEVER})
    ts.task_update(actor=lead, task=task, assignees=[person])
    ts.comment_add(actor=lead, task=task, body="@member hello")
    dispatch()
    deliveries = dict(Notification.objects.values_list("user__username", "delivery"))
    assert deliveries == {"pat": Delivery.NEVER, "member": Delivery.IMMEDIATELY}
