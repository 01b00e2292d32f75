"""The lean task JSON is TaskSerializer's JSON, byte for byte.

Lists and details are built from plain rows and one query for the page's links, and writes
answer from what they hold; each is compared here with the ModelSerializer rendering of the
same tasks read fresh from the database.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from portal.api.serializers import TaskSerializer
from portal.tasks import services as task_services
from portal.tasks.models import Status, Task
from portal.tasks.selectors import tasks_visible_to
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory, UserFactory

TASKS = "/api/tasks/"


def _rendered(data) -> bytes:
    return JSONRenderer().render(data)


def _model_json(user, tasks) -> list[dict]:
    """The ModelSerializer way: instances with their preloads, a serializer per row."""
    request = APIRequestFactory().get(TASKS)
    request.user = user
    fresh = tasks_visible_to(fetched_by=user).filter(pk__in=[t.pk for t in tasks])
    by_id = {t.pk: t for t in fresh}
    return TaskSerializer(
        [by_id[t.pk] for t in tasks], many=True, context={"request": request}
    ).data


@pytest.fixture
def varied(team, lead, member, member2):
    """Tasks with every kind of value a task can hold, including empty ones."""
    # Mixed case and accents: the lists must keep the database's order, not Python's.
    people = [member, member2]
    for name in ("Zed", "anna", "Émile", "bob"):
        person = UserFactory(username=name)
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
        people.append(person)
    tags = [TagFactory(name=n, color=c) for n, c in [("urgent", "#FF0000"), ("Backend", "#00ff00")]]
    tags.append(TagFactory(name="ops"))
    bare = task_services.task_create(actor=lead, team=team, title="Bare")
    full = task_services.task_create(
        actor=member,
        team=team,
        title="Full",
        description="Line one\nLine two ünïcode",
        priority="urgent",
        due_date=datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        estimated_hours=Decimal("1.5"),
        actual_hours=Decimal("0"),
        metadata={"source": "email", "nested": {"list": [1, 2.5, None, True]}, "n": 12},
        assignees=people,
        tags=tags,
        parent=bare,
    )
    done = task_services.task_create(
        actor=member2, team=team, title="Done", status=Status.DONE, assignees=[member2]
    )
    archived = task_services.task_create(
        actor=lead, team=team, title="Archived", tags=tags[:1], is_archived=True
    )
    # A creator who left: created_by becomes null.
    leaver = UserFactory(username="leaver")
    MembershipFactory(user=leaver, team=team, role=Role.MEMBER)
    orphan = task_services.task_create(actor=leaver, team=team, title="Orphan")
    leaver.delete()
    return [bare, full, done, archived, orphan]


def test_list_and_detail_match_the_model_serializer(client_for, member, varied):
    client = client_for(member)
    body = client.get(TASKS, {"is_archived": "all", "ordering": "created_at"}).json()
    assert [row["id"] for row in body["results"]] == [t.pk for t in varied]
    expected = _model_json(member, varied)
    assert body["results"] == expected
    assert _rendered(body["results"]) == _rendered(expected)
    # The full task really carries what the comparison is about.
    full = expected[1]
    assert full["parent"] == varied[0].pk and full["estimated_hours"] == "1.50"
    assert [a["username"] for a in full["assignees"]] == sorted(
        a["username"] for a in full["assignees"]
    )
    assert len(full["tags"]) == 3 and expected[4]["created_by"] is None
    for task, row in zip(varied, expected, strict=True):
        detail = client.get(f"{TASKS}{task.pk}/")
        assert detail.content == _rendered(row)


def test_write_answers_match_the_model_serializer(client_for, team, member, varied):
    client = client_for(member)
    people = sorted(varied[1].assignees.all(), key=lambda u: u.pk, reverse=True)
    tags = list(varied[1].tags.all())
    created = client.post(
        TASKS,
        {
            "team": team.pk,
            "title": "Written",
            "due_date": "2030-01-02T03:04:05.678901+02:00",
            "estimated_hours": "2.25",
            # Keys already in PostgreSQL's jsonb order (shorter first): see docs/api.md.
            "metadata": {"a": 1, "source": "api"},
            "assignee_ids": [u.pk for u in people],
            "tag_ids": [t.pk for t in reversed(tags)],
            "parent": varied[0].pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    task = Task.objects.get(pk=created.json()["id"])
    assert created.content == _rendered(_model_json(member, [task])[0])

    calls = [
        ("patch", "", {"title": "Renamed", "status": "done", "tag_ids": [tags[0].pk]}),
        ("patch", "", {"actual_hours": "3", "assignee_ids": []}),
        ("put", "", {"team": team.pk, "title": "Put", "assignee_ids": [people[0].pk]}),
        ("post", "assign/", {"assignee_ids": [u.pk for u in people[:3]]}),
        ("post", "archive/", None),
        ("post", "unarchive/", None),
    ]
    for method, suffix, payload in calls:
        response = getattr(client, method)(f"{TASKS}{task.pk}/{suffix}", payload, format="json")
        assert response.status_code == 200, (suffix, response.json())
        assert response.content == _rendered(_model_json(member, [task])[0]), (method, payload)
