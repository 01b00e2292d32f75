"""Every write, from real threads at once on PostgreSQL, and the state it leaves behind.

Each test races requests through a door (API, team pages) and then checks what is stored: no
deleted row came back, a team still has a lead, links are unique, every applied change has
exactly one history record, and every answer is a 2xx or a 4xx (never a 500). SQLite runs one
writing transaction at a time; the same code paths (a stale instance meeting a deleted row) are
tested on both databases in tests/tasks/test_services_stale.py.
"""

from __future__ import annotations

from functools import partial
from itertools import pairwise

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.tasks import services as task_services
from portal.tasks.models import Comment, Status, Tag, Task
from portal.teams.models import Membership, Role
from portal.teams.services import LAST_LEAD
from tests.factories import MembershipFactory, TagFactory, UserFactory
from tests.hostile.racing import race, statuses
from tests.sheets import make_csv

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every write, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True),
]
ROUNDS = 6
DEMOTE = {"role": "member"}
OK = {200, 201, 204, 302}


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _no_server_errors(results) -> list:
    codes = statuses(results)
    assert all(isinstance(c, int) and c < 500 for c in codes), codes
    return codes


def _history_is_honest(task: Task) -> None:
    """Every record differs from the one before it (one record per applied change), and the
    newest record is what is stored now, links included."""
    records = list(task.history.order_by("history_date", "history_id"))
    fields = ["title", "status", "priority", "is_archived"]

    def shape(record):
        return (
            tuple(getattr(record, f) for f in fields),
            frozenset(record.assignees.values_list("user_id", flat=True)),
            frozenset(record.tags.values_list("tag_id", flat=True)),
        )

    shapes = [shape(r) for r in records]
    for before, after in pairwise(shapes):
        assert before != after, "a history record without a change"
    task.refresh_from_db()
    stored = (
        tuple(getattr(task, f) for f in fields),
        frozenset(task.assignees.values_list("id", flat=True)),
        frozenset(task.tags.values_list("id", flat=True)),
    )
    assert shapes[-1] == stored


def _links_unique(task: Task) -> None:
    for through in (Task.assignees.through, Task.tags.through):
        rows = list(through.objects.filter(task_id=task.pk).values_list(flat=True))
        assert len(rows) == len(set(rows))


# --- memberships -----------------------------------------------------------------------------
def test_a_removed_member_stays_removed_when_patched_at_the_same_moment(client_for, team, lead):
    api = [client_for(lead), client_for(lead)]
    for n in range(ROUNDS):
        person = UserFactory(username=f"leaving{n}")
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
        url = f"/api/teams/{team.pk}/members/{person.pk}/"

        results = race(
            [
                lambda url=url: api[0].delete(url),
                lambda url=url: api[1].patch(url, {"role": "viewer"}, format="json"),
            ]
        )

        deleted, patched = _no_server_errors(results)
        assert deleted == 204
        assert patched in {200, 404}
        assert not Membership.objects.filter(team=team, user=person).exists(), n


def test_two_leads_demoting_each_other_leave_one_lead(client_for, team):
    for n in range(ROUNDS):
        ava, olivia = UserFactory(username=f"ava{n}"), UserFactory(username=f"olivia{n}")
        Membership.objects.filter(team=team, role=Role.LEAD).update(role=Role.MEMBER)
        for person in (ava, olivia):
            MembershipFactory(user=person, team=team, role=Role.LEAD)
        by_ava, by_olivia = client_for(ava), client_for(olivia)
        url = f"/api/teams/{team.pk}/members/{{}}/"

        results = race(
            [
                partial(by_ava.patch, url.format(olivia.pk), DEMOTE, format="json"),
                partial(by_olivia.patch, url.format(ava.pk), DEMOTE, format="json"),
            ]
        )

        codes = _no_server_errors(results)
        # The second is refused: a lead that is no longer one (403), or the last lead (400).
        assert sorted(codes) in ([200, 400], [200, 403]), codes
        if 400 in codes:
            assert results[codes.index(400)].json() == {"role": [LAST_LEAD]}
        assert Membership.objects.filter(team=team, role=Role.LEAD).count() == 1, n


def test_removing_a_person_while_they_are_assigned_leaves_them_off_the_task(
    client_for, team, lead, member
):
    for n in range(ROUNDS):
        person = UserFactory(username=f"assignee{n}")
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
        task = task_services.task_create(actor=lead, team=team, title=f"Race {n}")
        remover, assigner = client_for(lead), client_for(member)

        results = race(
            [
                partial(remover.delete, f"/api/teams/{team.pk}/members/{person.pk}/"),
                partial(
                    assigner.post,
                    f"/api/tasks/{task.pk}/assign/",
                    {"assignee_ids": [person.pk]},
                    format="json",
                ),
            ]
        )

        removed, assigned = _no_server_errors(results)
        assert removed == 204
        assert assigned in {200, 400}
        assert not task.assignees.filter(pk=person.pk).exists(), n
        _history_is_honest(task)


# --- tasks -----------------------------------------------------------------------------------
def test_a_deleted_task_stays_deleted_when_patched_at_the_same_moment(client_for, team, lead):
    api = [client_for(lead), client_for(lead)]
    for n in range(ROUNDS):
        task = task_services.task_create(actor=lead, team=team, title=f"Doomed {n}")
        url = f"/api/tasks/{task.pk}/"

        results = race(
            [
                lambda url=url: api[0].delete(url),
                lambda url=url: api[1].patch(url, {"title": "Saved?"}, format="json"),
            ]
        )

        deleted, patched = _no_server_errors(results)
        assert deleted == 204
        assert patched in {200, 404}
        assert not Task.objects.filter(pk=task.pk).exists(), n


def test_twenty_people_taking_one_task_at_once(team, lead, task):
    takers = [UserFactory(username=f"taker{i}") for i in range(10)]
    for person in takers:
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
    # Ten people once each, and the first of them ten times more.
    clients = [_page_client(p) for p in takers] + [_page_client(takers[0]) for _ in range(10)]
    url = reverse("pages:task_take", args=[team.slug, task.number])

    codes = _no_server_errors(race([lambda c=c: c.post(url) for c in clients]))

    assert set(codes) == {302}
    _links_unique(task)
    assert set(task.assignees.values_list("username", flat=True)) >= {p.username for p in takers}
    _history_is_honest(task)
    # One record for the creation and one for each person who was added.
    assert task.history.count() == 1 + len(takers)


def test_twenty_assignments_of_one_task_at_once(client_for, team, lead, task):
    people = [UserFactory(username=f"p{i}") for i in range(6)]
    for person in people:
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
    sets = [[p.pk for p in people[i % 3 : i % 3 + 3]] for i in range(20)]
    clients = [client_for(lead) for _ in sets]
    url = f"/api/tasks/{task.pk}/"

    results = race(
        [
            lambda c=c, ids=ids: c.patch(url, {"assignee_ids": ids}, format="json")
            for c, ids in zip(clients, sets, strict=True)
        ]
    )

    assert set(_no_server_errors(results)) == {200}
    _links_unique(task)
    assert sorted(task.assignees.values_list("pk", flat=True)) in [sorted(s) for s in sets]
    _history_is_honest(task)


def test_moves_and_page_edits_at_once_lose_nothing(team, lead, member, task):
    """Status from the board and priority from the task page at the same moment: both stay
    (the page's form writes only the fields the person changed)."""
    for n, (status, priority) in enumerate(
        [(Status.IN_PROGRESS, "high"), (Status.BLOCKED, "low"), (Status.DONE, "urgent")]
    ):
        mover, editor = _page_client(lead), _page_client(member)
        move = reverse("pages:task_move", args=[team.slug, task.number])
        edit = reverse("pages:task_edit", args=[team.slug, task.number])
        task.refresh_from_db()
        shown = {"title": task.title, "status": task.status, "priority": task.priority}
        typed = {**shown, "priority": priority}
        data = {**typed, **{f"initial-{k}": v for k, v in shown.items()}}

        results = race(
            [
                partial(mover.post, move, {"status": status}),
                partial(editor.post, edit, data),
            ]
        )

        assert set(_no_server_errors(results)) == {302}
        task.refresh_from_db()
        assert (task.status, task.priority) == (status, priority), n
    _history_is_honest(task)


def test_many_moves_of_one_task_record_each_applied_change_once(team, lead, task):
    targets = [Status.IN_PROGRESS, Status.BLOCKED, Status.DONE, Status.TODO] * 3
    clients = [_page_client(lead) for _ in targets]
    url = reverse("pages:task_move", args=[team.slug, task.number])

    results = race(
        [partial(c.post, url, {"status": s}) for c, s in zip(clients, targets, strict=True)]
    )

    assert set(_no_server_errors(results)) == {302}
    _history_is_honest(task)


# --- comments --------------------------------------------------------------------------------
def test_a_deleted_comment_stays_deleted_when_edited_at_the_same_moment(team, lead, task):
    pages = [_page_client(lead), _page_client(lead)]
    for n in range(ROUNDS):
        comment = task_services.comment_add(actor=lead, task=task, body=f"Note {n}")
        args = [team.slug, task.number, comment.pk]

        results = race(
            [
                lambda a=args: pages[0].post(reverse("pages:comment_delete", args=a)),
                lambda a=args: pages[1].post(
                    reverse("pages:comment_edit", args=a), {"body": "Edited"}
                ),
            ]
        )

        deleted, edited = _no_server_errors(results)
        assert deleted == 302
        assert edited in {302, 404}
        assert not Comment.objects.filter(pk=comment.pk).exists(), n


def test_commenting_on_a_task_being_deleted(client_for, team, lead):
    for n in range(ROUNDS):
        task = task_services.task_create(actor=lead, team=team, title=f"Going {n}")
        deleter, commenter = client_for(lead), client_for(lead)

        results = race(
            [
                partial(deleter.delete, f"/api/tasks/{task.pk}/"),
                partial(
                    commenter.post,
                    f"/api/tasks/{task.pk}/comments/",
                    {"body": "Late"},
                    format="json",
                ),
            ]
        )

        deleted, commented = _no_server_errors(results)
        assert deleted == 204
        assert commented in {201, 404}
        assert not Comment.objects.filter(task_id=task.pk).exists(), n


# --- tags ------------------------------------------------------------------------------------
def test_a_tag_renamed_while_deleted_stays_deleted(superuser):
    """Tags are renamed and deleted by administrators, in the admin."""
    admin = [_page_client(superuser), _page_client(superuser)]
    for n in range(ROUNDS):
        tag = TagFactory(name=f"temporary-{n}")
        change = reverse("admin:tasks_tag_change", args=[tag.pk])
        delete = reverse("admin:tasks_tag_delete", args=[tag.pk])

        results = race(
            [
                lambda url=delete: admin[0].post(url, {"post": "yes"}),
                lambda url=change, n=n: admin[1].post(
                    url, {"name": f"renamed-{n}", "color": "#112233"}
                ),
            ]
        )

        deleted, renamed = _no_server_errors(results)
        assert deleted == 302
        assert renamed in {302, 404}
        assert not Tag.objects.filter(pk=tag.pk).exists(), n


# --- imports ---------------------------------------------------------------------------------
def test_an_import_updating_a_task_being_deleted(client_for, team, lead, settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"
    for n in range(ROUNDS):
        task = task_services.task_create(actor=lead, team=team, title=f"Imported {n}")
        sheet = make_csv([["key", "title"], [task.key, f"Changed {n}"]])
        importer, deleter = client_for(lead), client_for(lead)

        upload = SimpleUploadedFile("tasks.csv", sheet, content_type="text/csv")
        send = partial(
            importer.post,
            "/api/tasks/import/",
            {"file": upload, "dry_run": "false"},
            format="multipart",
        )

        results = race([send, partial(deleter.delete, f"/api/tasks/{task.pk}/")])

        imported, deleted = _no_server_errors(results)
        assert deleted == 204
        assert imported in {200, 400}
        assert not Task.objects.filter(pk=task.pk).exists(), n
