"""Tasks through the API: role matrix, validation, filters, ordering, sub-resources, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.api.fields import DUE_NOT_TEXT
from portal.api.pagination import PAGE_INVALID
from portal.core.validators import NUL_CHARACTER
from portal.tasks import permissions as task_perms
from portal.tasks import services as task_services
from portal.tasks.due import DUE_INVALID, DUE_OUT_OF_RANGE
from portal.tasks.filters import ASSIGNEE_INVALID, PARENT_INVALID
from portal.tasks.models import METADATA_NOT_OBJECT, PARENT_OTHER_TEAM, Priority, Status, Task
from portal.tasks.services import ASSIGNEE_NOT_MEMBER
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory, TaskFactory, UserFactory

TASKS = "/api/tasks/"


def url(task, suffix=""):
    return f"{TASKS}{task.pk}/{suffix}"


# --- role x endpoint matrix ------------------------------------------------------------------
# Expected status per role for each call on a task of team OPS (outsider: lead of another team).
MATRIX = {
    "retrieve": {"superuser": 200, "lead": 200, "member": 200, "viewer": 200, "outsider": 404},
    "patch": {"superuser": 200, "lead": 200, "member": 200, "viewer": 403, "outsider": 404},
    "assign": {"superuser": 200, "lead": 200, "member": 200, "viewer": 403, "outsider": 404},
    "comment": {"superuser": 201, "lead": 201, "member": 201, "viewer": 403, "outsider": 404},
    "comments": {"superuser": 200, "lead": 200, "member": 200, "viewer": 200, "outsider": 404},
    "history": {"superuser": 200, "lead": 200, "member": 200, "viewer": 200, "outsider": 404},
    # The task was created by the lead: a member may not archive it.
    "archive": {"superuser": 200, "lead": 200, "member": 403, "viewer": 403, "outsider": 404},
    "unarchive": {"superuser": 200, "lead": 200, "member": 403, "viewer": 403, "outsider": 404},
    "delete": {"superuser": 204, "lead": 204, "member": 403, "viewer": 403, "outsider": 404},
}
CALLS = {
    "retrieve": lambda c, t, p: c.get(url(t)),
    "patch": lambda c, t, p: c.patch(url(t), {"status": "in_progress"}, format="json"),
    "assign": lambda c, t, p: c.post(
        url(t, "assign/"), {"assignee_ids": [p["member2"].pk]}, format="json"
    ),
    "comment": lambda c, t, p: c.post(url(t, "comments/"), {"body": "On it"}, format="json"),
    "comments": lambda c, t, p: c.get(url(t, "comments/")),
    "history": lambda c, t, p: c.get(url(t, "history/")),
    "archive": lambda c, t, p: c.post(url(t, "archive/")),
    "unarchive": lambda c, t, p: c.post(url(t, "unarchive/")),
    "delete": lambda c, t, p: c.delete(url(t)),
}


# What each call changed, read back from the database (reads: what the response shows).
EFFECTS = {
    "retrieve": lambda t, p, r: r.json()["id"] == t.pk,
    "patch": lambda t, p, r: Task.objects.get(pk=t.pk).status == "in_progress",
    "assign": lambda t, p, r: list(Task.objects.get(pk=t.pk).assignees.all()) == [p["member2"]],
    "comment": lambda t, p, r: t.comments.filter(body="On it").exists(),
    "comments": lambda t, p, r: [c["body"] for c in r.json()["results"]] == ["Seen"],
    "history": lambda t, p, r: [h["type"] for h in r.json()["results"]][-1] == "created",
    "archive": lambda t, p, r: Task.objects.get(pk=t.pk).is_archived,
    "unarchive": lambda t, p, r: not Task.objects.get(pk=t.pk).is_archived,
    "delete": lambda t, p, r: not Task.objects.filter(pk=t.pk).exists(),
}


@pytest.mark.parametrize("role", ["superuser", "lead", "member", "viewer", "outsider"])
@pytest.mark.parametrize("call", list(MATRIX))
def test_role_matrix(client_for, people, task, role, call):
    if call == "unarchive":
        task_services.task_archive(actor=people["lead"], task=task)
    if call == "comments":
        task_services.comment_add(actor=people["lead"], task=task, body="Seen")
    response = CALLS[call](client_for(people[role]), task, people)
    assert response.status_code == MATRIX[call][role], response.content
    # Allowed calls did what they say; refused ones changed (or showed) nothing.
    if MATRIX[call][role] < 400:
        assert EFFECTS[call](task, people, response)
    elif call in ("retrieve", "comments", "history"):
        assert set(response.json()) == {"detail"}
    else:
        assert not EFFECTS[call](task, people, response)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 201), ("lead", 201), ("member", 201), ("viewer", 403), ("outsider", 400)],
)
def test_create_matrix(client_for, people, team, role, expected):
    response = client_for(people[role]).post(
        TASKS, {"team": team.pk, "title": "Order toner"}, format="json"
    )
    assert response.status_code == expected, response.json()
    if role == "viewer":
        assert response.json()["detail"] == task_perms.DENIED_CREATE_TASK
    if role == "outsider":
        # Another team's id is simply unknown to an outsider: nothing reveals it exists.
        assert "team" in response.json()


@pytest.mark.parametrize("named", ["key", "lower-case key", "slug", "id as text"])
def test_a_task_names_its_team_as_imports_and_filters_do(client_for, people, team, named):
    value = {
        "key": team.key,
        "lower-case key": team.key.lower(),
        "slug": team.slug,
        "id as text": str(team.pk),
    }[named]
    response = client_for(people["member"]).post(
        TASKS, {"team": value, "title": "Order toner"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["team"] == team.pk


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NOPE", "No team you can see is named NOPE."),
        ("-1", "Enter a team id, a team key such as OPS or a team slug such as operations."),
        ("OPS\x00", "Enter a team id, a team key such as OPS or a team slug such as operations."),
        ("9" * 30, "Enter a team id, a team key such as OPS or a team slug such as operations."),
    ],
)
def test_a_team_nobody_can_see_by_that_name_is_a_400(
    client_for, people, team, other_team, value, message
):
    response = client_for(people["member"]).post(
        TASKS, {"team": value, "title": "Order toner"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["team"] == [message]
    # Another team's key is as unknown as a key no team has.
    response = client_for(people["member"]).post(
        TASKS, {"team": other_team.key, "title": "x"}, format="json"
    )
    assert response.json()["team"] == [f"No team you can see is named {other_team.key}."]


def test_viewer_gets_the_domain_message(client_for, people, task):
    response = client_for(people["viewer"]).patch(url(task), {"title": "x"}, format="json")
    assert response.json()["detail"] == task_perms.DENIED_EDIT_TASK


def test_outsiders_never_see_other_teams_tasks(client_for, people, task, other_task):
    body = client_for(people["outsider"]).get(TASKS).json()
    assert [row["id"] for row in body["results"]] == [other_task.pk]
    assert client_for(people["member"]).get(url(other_task, "comments/")).status_code == 404
    assert client_for(people["member"]).get(url(other_task, "history/")).status_code == 404


# --- shape, create, update -------------------------------------------------------------------
def test_task_json_shape(client_for, people, task):
    tag = TagFactory(name="printer", color="#112233")
    task_services.task_update(actor=people["lead"], task=task, tags=[tag])
    body = client_for(people["member"]).get(url(task)).json()
    assert set(body) == {
        "id",
        "key",
        "team",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "estimated_hours",
        "actual_hours",
        "created_by",
        "assignees",
        "tags",
        "parent",
        "metadata",
        "repeat",
        "custom_fields",
        "is_archived",
        "completed_at",
        "created_at",
        "updated_at",
    }
    assert body["key"] == "OPS-1"
    assert body["created_by"] == {"id": people["lead"].pk, "username": "lead"}
    assert body["assignees"] == [{"id": people["member"].pk, "username": "member"}]
    assert body["tags"] == [{"id": tag.pk, "name": "printer", "color": "#112233"}]


def test_create_with_everything_goes_through_the_service(client_for, people, team, task):
    tag = TagFactory(name="urgent-ish")
    due = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = client_for(people["member"]).post(
        TASKS,
        {
            "team": team.pk,
            "title": "  Replace the toner  ",
            "priority": "high",
            "due_date": due.isoformat(),
            "estimated_hours": "1.50",
            "assignee_ids": [people["member"].pk, people["member2"].pk],
            "tag_ids": [tag.pk],
            "parent": task.pk,
            "metadata": {"source": "api"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"] == "OPS-2"
    assert body["title"] == "Replace the toner"
    assert body["created_by"]["username"] == "member"
    assert {a["username"] for a in body["assignees"]} == {"member", "member2"}
    assert body["parent"] == task.pk
    created = Task.objects.get(pk=body["id"])
    assert created.history.count() == 1  # one record for the whole creation


def test_put_replaces_and_done_sets_completed_at(client_for, people, team, task):
    response = client_for(people["lead"]).put(
        url(task),
        {"team": team.pk, "title": "Printer fixed", "status": "done", "assignee_ids": []},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "done" and body["completed_at"]
    assert body["assignees"] == []


def test_task_cannot_move_team(client_for, people, task, other_team):
    MembershipFactory(user=people["lead"], team=other_team, role=Role.LEAD)
    response = client_for(people["lead"]).patch(url(task), {"team": other_team.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["team"] == [task_services.TASK_MOVE_TEAM]


# --- validation errors -----------------------------------------------------------------------
def test_unknown_status_and_priority_are_400_per_field(client_for, people, task):
    response = client_for(people["member"]).patch(
        url(task), {"status": "someday", "priority": "meh"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"status", "priority"}


def test_assignee_not_in_the_team(client_for, people, team, task, other_team):
    # member2 shares another team with the member, but is not in the task's team... make one.
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, team=other_team, role=Role.MEMBER)
    MembershipFactory(user=people["member"], team=other_team, role=Role.MEMBER)
    response = client_for(people["member"]).post(
        url(task, "assign/"), {"assignee_ids": [stranger.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["assignee_ids"] == [
        ASSIGNEE_NOT_MEMBER.format(names="stranger", team="OPS")
    ]


def test_people_outside_my_teams_are_unknown_ids(client_for, people, task):
    response = client_for(people["member"]).post(
        url(task, "assign/"), {"assignee_ids": [people["outsider"].pk]}, format="json"
    )
    assert response.status_code == 400
    assert "assignee_ids" in response.json()


def test_parent_in_another_team(client_for, people, task, other_task):
    MembershipFactory(user=people["member"], team=other_task.team, role=Role.MEMBER)
    response = client_for(people["member"]).patch(
        url(task), {"parent": other_task.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["parent"] == [PARENT_OTHER_TEAM]


@pytest.mark.parametrize("metadata", [[1, 2], "text", 3])
def test_metadata_must_be_an_object(client_for, people, task, metadata):
    response = client_for(people["member"]).patch(url(task), {"metadata": metadata}, format="json")
    assert response.status_code == 400
    assert response.json()["metadata"] == [METADATA_NOT_OBJECT]


def test_metadata_with_nul_is_refused(client_for, people, task):
    response = client_for(people["member"]).patch(
        url(task), {"metadata": {"a": "x\u0000y"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["metadata"] == [NUL_CHARACTER]


def test_page_beyond_the_end(client_for, people, task):
    response = client_for(people["member"]).get(TASKS, {"page": 5})
    assert response.status_code == 404
    assert response.json() == {
        "detail": PAGE_INVALID.format(reason="that page contains no results")
    }


def test_bad_filter_values_are_400(client_for, people, task):
    client = client_for(people["member"])
    assert client.get(TASKS, {"assignee": "bob"}).json() == {"assignee": [ASSIGNEE_INVALID]}
    assert client.get(TASKS, {"parent": "x"}).json() == {"parent": [PARENT_INVALID]}
    assert "status" in client.get(TASKS, {"status": "todo,later"}).json()
    assert "ordering" in client.get(TASKS, {"ordering": "secret"}).json()


# --- filters and ordering --------------------------------------------------------------------
@pytest.fixture
def board(team, lead, member, member2):
    """A small board in team OPS."""
    now = timezone.now()
    urgent = TagFactory(name="Urgent")
    make = task_services.task_create
    rows = {
        "late": make(
            actor=lead,
            team=team,
            title="Late invoice",
            due_date=now - timedelta(days=2),
            priority=Priority.URGENT,
            assignees=[member],
            tags=[urgent],
        ),
        "soon": make(
            actor=member,
            team=team,
            title="Soon report",
            due_date=now + timedelta(days=2),
            priority=Priority.LOW,
            status=Status.IN_PROGRESS,
        ),
        "done": make(
            actor=lead,
            team=team,
            title="Done cleanup",
            due_date=now - timedelta(days=5),
            status=Status.DONE,
            priority=Priority.HIGH,
            assignees=[member2],
        ),
        "old": make(actor=lead, team=team, title="Archived thing", description="printer"),
    }
    rows["child"] = make(actor=lead, team=team, title="Child of late", parent=rows["late"])
    task_services.task_archive(actor=lead, task=rows["old"])
    return rows


def _keys(client, **params):
    response = client.get(TASKS, params)
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_filters(client_for, people, board):
    c = client_for(people["member"])
    assert set(_keys(c, status="todo,done")) == {"Late invoice", "Done cleanup", "Child of late"}
    assert _keys(c, priority="urgent") == ["Late invoice"]
    assert _keys(c, assignee="me") == ["Late invoice"]
    assert _keys(c, assignee=people["member2"].pk) == ["Done cleanup"]
    assert set(_keys(c, created_by=people["member"].pk)) == {"Soon report"}
    assert _keys(c, tag="urgent") == ["Late invoice"]
    assert _keys(c, overdue="true") == ["Late invoice"]
    assert set(_keys(c, due_before=timezone.now().isoformat())) == {"Late invoice", "Done cleanup"}
    assert _keys(c, due_after=timezone.now().isoformat()) == ["Soon report"]
    assert _keys(c, parent=board["late"].pk) == ["Child of late"]
    assert "Child of late" not in _keys(c, parent="none")
    assert _keys(c, team=board["late"].team_id, search="invoice") == ["Late invoice"]
    assert _keys(c, search=board["soon"].key) == ["Soon report"]


def test_archived_tasks_are_hidden_unless_asked(client_for, people, board):
    c = client_for(people["member"])
    assert "Archived thing" not in _keys(c)
    assert _keys(c, is_archived="true") == ["Archived thing"]
    assert _keys(c, is_archived="true", search="printer") == ["Archived thing"]
    # One archived task by id is still there.
    assert c.get(url(board["old"])).status_code == 200


def test_ordering(client_for, people, board):
    c = client_for(people["member"])
    assert _keys(c, ordering="-priority", status="todo,in_progress,done")[:3] == [
        "Late invoice",
        "Done cleanup",
        "Child of late",
    ]
    assert _keys(c, ordering="priority")[0] == "Soon report"
    titles = _keys(c, ordering="title")
    assert titles == sorted(titles)
    due = [t for t in _keys(c, ordering="due_date") if t != "Child of late"]
    assert due == ["Done cleanup", "Late invoice", "Soon report"]
    assert _keys(c, ordering="-created_at")[0] == "Child of late"
    assert _keys(c, ordering="updated_at")[-1] == "Child of late"


def test_pagination(client_for, people, board):
    c = client_for(people["member"])
    first = c.get(TASKS, {"page_size": 2, "ordering": "title"}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    second = c.get(TASKS, {"page_size": 2, "ordering": "title", "page": 2}).json()
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])
    assert c.get(TASKS, {"page_size": 1000}).status_code == 400  # at most 100, as documented


# --- sub-resources ---------------------------------------------------------------------------
def test_comments_flow(client_for, people, task):
    c = client_for(people["member"])
    created = c.post(url(task, "comments/"), {"body": "  Ordered a new drum  "}, format="json")
    assert created.status_code == 201
    assert created.json()["body"] == "Ordered a new drum"
    assert created.json()["author"]["username"] == "member"
    assert c.post(url(task, "comments/"), {"body": "   "}, format="json").status_code == 400
    rows = c.get(url(task, "comments/")).json()["results"]
    assert [r["body"] for r in rows] == ["Ordered a new drum"]


def test_history_lists_changes_with_old_and_new_values(client_for, people, task):
    c = client_for(people["member"])
    c.patch(url(task), {"status": "blocked", "title": "Printer on fire"}, format="json")
    c.post(url(task, "assign/"), {"assignee_ids": [people["member2"].pk]}, format="json")
    rows = c.get(url(task, "history/")).json()["results"]
    assert [r["type"] for r in rows] == ["changed", "changed", "created"]
    assert rows[0]["user"]["username"] == "member"
    assert rows[0]["changes"] == [
        {"field": "assignees", "old": [people["member"].pk], "new": [people["member2"].pk]}
    ]
    assert {c["field"]: (c["old"], c["new"]) for c in rows[1]["changes"]} == {
        "status": ("todo", "blocked"),
        "title": ("Fix the printer", "Printer on fire"),
    }
    # Page boundaries still find the previous record.
    paged = c.get(url(task, "history/"), {"page_size": 1, "page": 2}).json()["results"]
    assert paged[0]["changes"] == rows[1]["changes"]


def test_archive_then_unarchive(client_for, people, task):
    c = client_for(people["lead"])
    assert c.post(url(task, "archive/")).json()["is_archived"] is True
    assert c.get(TASKS).json()["count"] == 0
    assert c.post(url(task, "unarchive/")).json()["is_archived"] is False


def test_member_archives_own_task(client_for, people, team):
    own = task_services.task_create(actor=people["member"], team=team, title="Mine")
    assert client_for(people["member"]).post(url(own, "archive/")).status_code == 200


# --- query counts ----------------------------------------------------------------------------
def _fill(team, people, count):
    tags = [TagFactory(), TagFactory()]
    start = Task.objects.filter(team=team).count()
    for n in range(count):
        task = TaskFactory(team=team, number=start + n + 100, created_by=people["lead"])
        task.assignees.set([people["member"], people["member2"]])
        task.tags.set(tags)
        task_services.comment_add(actor=people["member"], task=task, body="x")


LIST_CALLS = {
    "tasks": lambda task, size: (TASKS, {"page_size": size}),
    "tasks filtered": lambda task, size: (
        TASKS,
        {"page_size": size, "status": "todo", "tag": "tag1", "ordering": "-priority"},
    ),
    "comments": lambda task, size: (url(task, "comments/"), {"page_size": size}),
    "history": lambda task, size: (url(task, "history/"), {"page_size": size}),
    "teams": lambda task, size: ("/api/teams/", {"page_size": size}),
    "members": lambda task, size: (f"/api/teams/{task.team_id}/members/", {"page_size": size}),
    "users": lambda task, size: ("/api/users/", {"page_size": size}),
    "tags": lambda task, size: ("/api/tags/", {"page_size": size}),
}


@pytest.mark.parametrize("name", list(LIST_CALLS))
def test_list_endpoints_run_a_constant_number_of_queries(
    client_for, people, team, task, django_assert_max_num_queries, name
):
    """Page sizes 5 and 50, with 10 and then 60 rows: never more queries than the first call.

    (History may run two fewer when the page holds the first record: no older one to load.)
    """
    client = client_for(people["member"])
    counts = []
    for rows in (10, 50):
        _fill(team, people, rows)
        for n in range(rows):
            task_services.comment_add(actor=people["member"], task=task, body=f"c{n}")
            task_services.task_update(actor=people["member"], task=task, title=f"t{rows}-{n}")
        for _ in range(rows):
            MembershipFactory(team=team)
        for size in (5, 50):
            path, params = LIST_CALLS[name](task, size)
            with django_assert_max_num_queries(12) as ctx:
                response = client.get(path, params)
            assert response.status_code == 200, response.content
            assert len(response.json()["results"]) == min(size, response.json()["count"])
            counts.append(len(ctx.captured_queries))
    assert max(counts) == counts[0], counts


# --- id lists: capped, checked, resolved in one query ------------------------------------------
def test_id_lists_are_capped(client_for, people, team, task):
    from portal.api.serializers import MAX_IDS, TOO_MANY_IDS

    client = client_for(people["member"])
    too_many = list(range(1, MAX_IDS + 2))
    message = [TOO_MANY_IDS.format(limit=MAX_IDS)]
    response = client.post(
        TASKS, {"team": team.pk, "title": "x", "tag_ids": too_many}, format="json"
    )
    assert (response.status_code, response.json()) == (400, {"tag_ids": message})
    response = client.patch(url(task), {"assignee_ids": too_many}, format="json")
    assert (response.status_code, response.json()) == (400, {"assignee_ids": message})
    response = client.post(url(task, "assign/"), {"assignee_ids": too_many}, format="json")
    assert (response.status_code, response.json()) == (400, {"assignee_ids": message})


def test_ten_thousand_ids_are_refused_at_once(
    client_for, people, task, django_assert_max_num_queries
):
    client = client_for(people["member"])
    with django_assert_max_num_queries(10):
        response = client.post(
            url(task, "assign/"), {"assignee_ids": list(range(1, 10_001))}, format="json"
        )
    assert response.status_code == 400


def test_ids_are_resolved_in_one_query(client_for, people, task, django_assert_num_queries):
    client = client_for(people["member"])
    tags = [TagFactory() for _ in range(60)]
    client.patch(url(task), {"tag_ids": [tags[0].pk]}, format="json")  # warm up

    def queries(ids):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.patch(url(task), {"tag_ids": ids}, format="json")
        assert response.status_code == 200, response.json()
        return len(captured)

    assert queries([t.pk for t in tags[:2]]) == queries([t.pk for t in tags])
    assert sorted(t["id"] for t in client.get(url(task)).json()["tags"]) == sorted(
        t.pk for t in tags
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2**63, 'Invalid pk "9223372036854775808" - object does not exist.'),
        (2**70, 'Invalid pk "1180591620717411303424" - object does not exist.'),
        (-1, 'Invalid pk "-1" - object does not exist.'),
        ("abc", "Incorrect type. Expected pk value, received str."),
        (True, "Incorrect type. Expected pk value, received bool."),
        (1.5, "Incorrect type. Expected pk value, received float."),
        ({"id": 1}, "Incorrect type. Expected pk value, received dict."),
        ([1], "Incorrect type. Expected pk value, received list."),
        (None, "Incorrect type. Expected pk value, received NoneType."),
    ],
)
def test_odd_ids_are_400_per_field(client_for, people, team, task, value, message):
    client = client_for(people["member"])
    for field in ("assignee_ids", "tag_ids"):
        response = client.patch(url(task), {field: [value]}, format="json")
        assert (response.status_code, response.json()) == (400, {field: [message]})
    response = client.post(TASKS, {"team": value, "title": "x"}, format="json")
    assert response.status_code == 400 and "team" in response.json()
    response = client.patch(url(task), {"parent": value}, format="json")
    if value is None:
        assert response.status_code == 200  # no parent
    else:
        assert response.status_code == 400 and "parent" in response.json()


def test_id_lists_must_be_lists(client_for, people, task):
    client = client_for(people["member"])
    for value in ("1,2", {"1": 1}, 1):
        response = client.patch(url(task), {"tag_ids": value}, format="json")
        assert response.status_code == 400
        assert response.json()["tag_ids"][0].startswith("Expected a list of items")


def test_duplicate_ids_count_once(client_for, people, task):
    member = people["member"]
    response = client_for(member).post(
        url(task, "assign/"),
        {"assignee_ids": [member.pk, member.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["assignees"]] == [member.pk]


@pytest.mark.parametrize("pk", ["9223372036854775808", "9" * 40])
def test_ids_beyond_64_bits_in_the_address_are_404(client_for, people, pk):
    client = client_for(people["member"])
    for method, suffix in [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "assign/"),
        ("get", "comments/"),
        ("get", "history/"),
        ("post", "archive/"),
    ]:
        response = getattr(client, method)(f"{TASKS}{pk}/{suffix}", {}, format="json")
        assert response.status_code == 404, (method, suffix)
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("0001-01-01T00:00:00+00:01", DUE_INVALID),
        ("9999-12-31T23:59:59-00:01", DUE_INVALID),
        ("2026-02-30", DUE_INVALID),
        ("2026-13-01T10:00", DUE_INVALID),
        ("soon", DUE_INVALID),
        ("0001-01-01T00:00:00Z", DUE_OUT_OF_RANGE),
        ("9999-12-31T23:59:59Z", DUE_OUT_OF_RANGE),
        ("1900-01-01", DUE_OUT_OF_RANGE),
        ("2090-01-01", DUE_OUT_OF_RANGE),
        (True, DUE_NOT_TEXT),
        (20261224, DUE_NOT_TEXT),
    ],
)
def test_due_dates_on_the_calendar_edges_are_400(client_for, people, task, due, message):
    response = client_for(people["member"]).patch(url(task), {"due_date": due}, format="json")
    assert (response.status_code, response.json()) == (400, {"due_date": [message]})


@pytest.mark.parametrize(
    ("given", "stored_day", "shown"),
    [
        ("2026-12-24", "2026-12-24", "2026-12-24"),
        ("2026-12-24T17:00:00Z", None, "2026-12-24T17:00:00Z"),
        (None, None, None),
    ],
)
def test_a_due_date_is_a_day_or_a_moment_and_comes_back_as_given(
    client_for, people, task, given, stored_day, shown
):
    client = client_for(people["member"])
    response = client.patch(url(task), {"due_date": given}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["due_date"] == shown
    assert client.get(url(task)).json()["due_date"] == shown
    assert client.get(TASKS).json()["results"][0]["due_date"] == shown
    task.refresh_from_db()
    assert (str(task.due_day) if task.due_day else None) == stored_day


def test_assigning_a_viewer_is_a_400_naming_them(client_for, people, task):
    from portal.tasks.services import ASSIGNEE_VIEWER

    response = client_for(people["lead"]).post(
        url(task, "assign/"), {"assignee_ids": [people["viewer"].pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"assignee_ids": [ASSIGNEE_VIEWER.format(names="viewer", team="OPS")]}


def test_reads_build_no_write_time_querysets(client_for, people, task, monkeypatch):
    from portal.api.serializers import tasks as serializers

    built = []
    original = serializers.tags_visible_to
    monkeypatch.setattr(
        serializers,
        "tags_visible_to",
        lambda *, fetched_by: built.append(fetched_by) or original(fetched_by=fetched_by),
    )
    c = client_for(people["member"])
    assert c.get(TASKS).status_code == 200
    assert c.get(url(task)).status_code == 200
    assert built == []
    # A write that names no tag builds no tags queryset; one that does scopes the ids it reads.
    assert c.patch(url(task), {"tag_ids": []}, format="json").status_code == 200
    assert built == []
    tag = TagFactory()
    assert c.patch(url(task), {"tag_ids": [tag.pk]}, format="json").status_code == 200
    assert len(built) == 1


@pytest.mark.parametrize(
    ("hours", "message"),
    [("-1", "Hours cannot be negative."), ("12345", "Enter at most 9999.99 hours.")],
)
def test_hours_errors_read_as_on_the_team_pages(client_for, people, task, hours, message):
    response = client_for(people["member"]).patch(
        url(task), {"estimated_hours": hours}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["estimated_hours"]
