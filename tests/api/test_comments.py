"""A comment through the API: Markdown rendered as `body_html`, edited by its author (PATCH),
deleted by its author or the team lead (DELETE); hostile text never gives a 5xx."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.tasks import permissions as task_perms
from portal.tasks import services as task_services
from portal.tasks.models import COMMENT_TOO_LONG, Comment
from tests.tasks.test_richtext import HOSTILE, inert

TASKS = "/api/tasks/"


def one(task, comment, suffix=""):
    return f"{TASKS}{task.pk}/comments/{comment.pk}/{suffix}"


@pytest.fixture
def comment(task, people):
    return task_services.comment_add(actor=people["member"], task=task, body="First *draft*")


def test_comments_carry_body_and_body_html(client_for, people, task):
    client = client_for(people["member"])
    response = client.post(
        f"{TASKS}{task.pk}/comments/", {"body": f"See {task.key}, @lead"}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    assert data["body"] == f"See {task.key}, @lead" and data["edited_at"] is None
    assert 'class="task-key"' in data["body_html"] and 'class="mention"' in data["body_html"]
    listed = client.get(f"{TASKS}{task.pk}/comments/").json()["results"]
    assert listed[0]["body_html"] == data["body_html"]


EDIT = {"member": 200, "lead": 403, "member2": 403, "viewer": 403, "outsider": 404}
EDIT["superuser"] = 403  # an administrator deletes a comment, never rewrites it
DELETE = {"member": 204, "lead": 204, "member2": 403, "viewer": 403, "outsider": 404}
DELETE["superuser"] = 204


@pytest.mark.parametrize("who", EDIT)
def test_who_may_edit_and_delete(client_for, people, task, comment, who):
    client = client_for(people[who])
    response = client.patch(one(task, comment), {"body": "Second **take**"}, format="json")
    assert response.status_code == EDIT[who], response.content
    if EDIT[who] == 200:
        data = response.json()
        assert data["body"] == "Second **take**" and data["edited_at"]
        assert "<strong>take</strong>" in data["body_html"]
        # the previous text stays in the comment's history
        assert [r.body for r in Comment.history.filter(id=comment.pk)] == [
            "Second **take**",
            "First *draft*",
        ]
    elif EDIT[who] == 403:
        assert response.json()["detail"] == task_perms.DENIED_EDIT_COMMENT
    response = client.delete(one(task, comment))
    assert response.status_code == DELETE[who]
    if DELETE[who] == 403:
        assert response.json()["detail"] == task_perms.DENIED_DELETE_COMMENT
    assert Comment.objects.filter(pk=comment.pk).exists() == (DELETE[who] != 204)


def test_a_viewer_is_refused_before_the_payload_is_read(client_for, people, task, comment):
    response = client_for(people["viewer"]).patch(one(task, comment), {"body": 3}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        lambda t, c: f"{TASKS}{t.pk}/comments/99999999999999999999999/",
        lambda t, c: f"{TASKS}99999999999999999999999/comments/{c.pk}/",
        lambda t, c: f"{TASKS}{t.pk + 1000}/comments/{c.pk}/",
    ],
)
def test_unknown_ids_are_404(client_for, people, task, comment, path):
    response = client_for(people["member"]).patch(path(task, comment), {"body": "x"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{"body": ""}, {"body": 5}, {"body": None}, {"body": ["x"]}, {"body": {"a": 1}}, []],
)
def test_bad_edits_are_400(client_for, people, task, comment, payload):
    response = client_for(people["member"]).patch(one(task, comment), payload, format="json")
    assert response.status_code == 400


def test_a_patch_without_a_body_changes_nothing(client_for, people, task, comment):
    response = client_for(people["member"]).patch(one(task, comment), {}, format="json")
    assert response.status_code == 200 and response.json()["edited_at"] is None
    assert (
        client_for(people["member"]).put(one(task, comment), {}, format="json").status_code == 400
    )


def test_a_too_long_comment_is_400(client_for, people, task, comment):
    client = client_for(people["member"])
    response = client.patch(one(task, comment), {"body": "x" * 10_001}, format="json")
    assert response.status_code == 400 and COMMENT_TOO_LONG in str(response.json())


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_markdown_is_inert_never_5xx(client_for, people, task, name):
    client = client_for(people["member"])
    response = client.post(f"{TASKS}{task.pk}/comments/", {"body": HOSTILE[name]}, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        inert(response.json()["body_html"])
    listed = client.get(f"{TASKS}{task.pk}/comments/")
    assert listed.status_code == 200
    for row in listed.json()["results"]:
        inert(row["body_html"])


def test_the_comment_list_costs_the_same_for_10_and_10000_comments(
    client_for, people, task, django_assert_max_num_queries
):
    client = client_for(people["member"])
    path = f"{TASKS}{task.pk}/comments/"
    counts = []
    for total in (10, 10_000):
        have = Comment.objects.filter(task=task).count()
        Comment.objects.bulk_create(
            [
                Comment(task=task, author=people["member"], body=f"{n} {task.key} @lead @x{n}")
                for n in range(have, total)
            ],
            batch_size=2000,
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {"page_size": 50})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(total, 50)
        counts.append(len(queries))
    assert counts[0] == counts[1]
