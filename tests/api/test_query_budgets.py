"""Query budgets of every API list and write: exact, and the same with few and many rows.

Each budget counts everything the request runs, from the token's user to the last insert
(and, inside the test's transaction, the service's SAVEPOINT and RELEASE). The same request is
measured against a small data set and against one five times larger with more assignees and
tags per task; the counts must not move. docs/api.md lists the budgets and what each query is.
"""

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from portal.tasks import services as task_services
from portal.tasks.models import Task
from portal.teams.models import Role, Team
from tests.factories import MembershipFactory, TagFactory, TeamFactory, UserFactory

TASKS = "/api/tasks/"


def _grow(team, people, *, tasks: int, links: int) -> dict:
    """Add `tasks` tasks with `links` assignees and `links` tags each, quickly (bulk)."""
    members = [UserFactory() for _ in range(links)]
    for person in members:
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
    tags = [TagFactory() for _ in range(links)]
    # Another team of the member's, so the team list grows too.
    MembershipFactory(user=people["member"], team=TeamFactory(), role=Role.VIEWER)
    first = (Task.objects.filter(team=team).aggregate(last=Max("number"))["last"] or 0) + 1
    rows = Task.objects.bulk_create(
        [
            Task(team=team, number=first + n, title=f"Bulk {n}", created_by=people["lead"])
            for n in range(tasks)
        ]
    )
    Team.objects.filter(pk=team.pk).update(last_task_number=first + tasks - 1)
    Task.assignees.through.objects.bulk_create(
        [Task.assignees.through(task_id=t.pk, user_id=u.pk) for t in rows for u in members]
    )
    Task.tags.through.objects.bulk_create(
        [Task.tags.through(task_id=t.pk, tag_id=g.pk) for t in rows for g in tags]
    )
    return {"members": members, "tags": tags}


def _grow_task(task, people, count: int) -> None:
    """`count` more comments and history records on `task`."""
    for n in range(count):
        # A task key and mentions in each (someone and no one): their look-ups run every time.
        body = f"Note {n} on {task.key}, @member @nobody{n}"
        task_services.comment_add(actor=people["member"], task=task, body=body)
        task_services.task_update(actor=people["member"], task=task, title=f"Title {n}")


# (rows added for "few", then for "many": five times the tasks, three times the links)
SIZES = [
    {"tasks": 60, "links": 2, "task_rows": 12},
    {"tasks": 300, "links": 6, "task_rows": 60},
]

READS = {
    # token's user, roles, capped count, page, the page's assignees and tags (one UNION), the
    # custom field definitions of the page's teams
    "tasks, 10 rows": (6, lambda t, w: (TASKS, {"page_size": 10})),
    "tasks, 50 rows": (6, lambda t, w: (TASKS, {"page_size": 50})),
    "tasks, 50 rows filtered": (
        6,
        lambda t, w: (
            TASKS,
            {"page_size": 50, "tag": w["tags"][0].name, "status": "todo,done", "search": "Bulk"},
        ),
    ),
    # token's user, roles, the task, its assignees and tags (one UNION), its team's custom
    # field definitions
    "task detail": (5, lambda t, w: (f"{TASKS}{t.pk}/", {})),
    # token's user, roles, the task, capped count, page, the page's task keys, its mentions
    "comments": (7, lambda t, w: (f"{TASKS}{t.pk}/comments/", {"page_size": 10})),
    # ... then the records' assignee and tag snapshots, and the record before the page's last
    # with its snapshots (to show what that one changed)
    "history": (10, lambda t, w: (f"{TASKS}{t.pk}/history/", {"page_size": 10})),
    # token's user, roles, capped count, page
    "tags": (4, lambda t, w: ("/api/tags/", {"page_size": 50})),
    "teams": (4, lambda t, w: ("/api/teams/", {"page_size": 50})),
    # token's user, roles, the team, capped count, page
    "members": (5, lambda t, w: (f"/api/teams/{t.team_id}/members/", {"page_size": 50})),
}


@pytest.mark.parametrize("name", list(READS))
def test_reads_cost_the_same_with_few_and_many_rows(client_for, people, task, name):
    budget, call = READS[name]
    client = client_for(people["member"])
    counts = []
    for size in SIZES:
        world = _grow(task.team, people, tasks=size["tasks"], links=size["links"])
        _grow_task(task, people, size["task_rows"])
        path, params = call(task, world)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, params)
        assert response.status_code == 200, response.content
        body = response.json()
        if "results" in body:
            # Full pages where there are enough rows: the budget holds for the page size.
            assert len(body["results"]) == min(params["page_size"], body["count"]), name
            assert body["count"] > 1, name
        counts.append(len(queries))
    assert counts == [budget, budget], [q["sql"][:120] for q in queries.captured_queries]


def _create(client, task, world, people):
    return client.post(
        TASKS,
        {
            "team": task.team_id,
            "title": "New",
            "assignee_ids": [u.pk for u in world["members"][:2]],
            "tag_ids": [g.pk for g in world["tags"][:2]],
        },
        format="json",
    )


def _create_all_links(client, task, world, people):
    return client.post(
        TASKS,
        {
            "team": task.team_id,
            "title": "New",
            "assignee_ids": [u.pk for u in world["members"]],
            "tag_ids": [g.pk for g in world["tags"]],
        },
        format="json",
    )


def _update(client, task, world, people):
    return client.patch(
        f"{TASKS}{task.pk}/",
        {"title": f"Changed {len(world['tags'])}", "tag_ids": [g.pk for g in world["tags"]]},
        format="json",
    )


def _assign(client, task, world, people):
    return client.post(
        f"{TASKS}{task.pk}/assign/",
        {"assignee_ids": [u.pk for u in world["members"]]},
        format="json",
    )


def _archive(client, task, world, people):
    return client.post(f"{TASKS}{task.pk}/archive/")


def _comment(client, task, world, people):
    return client.post(f"{TASKS}{task.pk}/comments/", {"body": "Seen"}, format="json")


WRITES = {
    # user, roles, team, people, tags | SAVEPOINT, assignees' roles, number (one UPDATE ...
    # RETURNING), task, assignee links, tag links, history record, its two link snapshots,
    # the event (portal/events) | RELEASE; and the team's custom field definitions (read once:
    # checked, then shown). The answer is built from what the write holds: nothing is read back.
    "create, 2 assignees and 2 tags": (17, 201, "lead", _create),
    "create, every assignee and tag": (17, 201, "lead", _create_all_links),
    # user, roles, task, its assignees, its tags, tags named | SAVEPOINT, the task's row locked
    # and re-read, task, old tag links out, new ones in, history record, two snapshots, the
    # event | RELEASE; the team's custom field definitions, to show them in the answer (the
    # same one more query for assign and archive)
    "update title and tags": (17, 200, "lead", _update),
    # user, roles, task, its assignees, its tags, people named | SAVEPOINT, assignees' roles
    # (locked), the task's row locked and re-read, old links out, new ones in, updated_at,
    # history record, two snapshots, the event | RELEASE
    "assign": (18, 200, "lead", _assign),
    # user, roles, task, its assignees, its tags | SAVEPOINT, the task's row locked and re-read,
    # task, history record, two snapshots, the event | RELEASE
    "archive": (14, 200, "lead", _archive),
    # user, roles, the task | SAVEPOINT, the task's updated_at (which locks it), comment, its
    # history record, the event | RELEASE
    "comment": (9, 201, "member", _comment),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_cost_the_same_with_few_and_many_rows(client_for, people, task, name):
    budget, expected_status, role, call = WRITES[name]
    client = client_for(people[role])
    counts = []
    for size in SIZES:
        world = _grow(task.team, people, tasks=size["tasks"], links=size["links"])
        _grow_task(task, people, size["task_rows"])
        # A tag to take off, so an update both removes and adds links.
        task.tags.add(TagFactory())
        Task.objects.filter(pk=task.pk).update(is_archived=False)
        with CaptureQueriesContext(connection) as queries:
            response = call(client, task, world, people)
        assert response.status_code == expected_status, response.content
        counts.append(len(queries))
    assert counts == [budget, budget], [q["sql"][:120] for q in queries.captured_queries]


def test_a_write_records_one_history_record_with_its_links(client_for, people, task):
    """The budgets above are not bought by leaving history out."""
    world = _grow(task.team, people, tasks=3, links=3)
    response = _create(client_for(people["lead"]), task, world, people)
    created = Task.objects.get(pk=response.json()["id"])
    (record,) = created.history.all()
    assert sorted(r.user_id for r in record.historicaltask_assignees_set.all()) == sorted(
        u.pk for u in world["members"][:2]
    )
    assert sorted(r.tag_id for r in record.historicaltask_tags_set.all()) == sorted(
        g.pk for g in world["tags"][:2]
    )
