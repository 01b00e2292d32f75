"""Hostile input to every team page answers 4xx or a message, never a server error."""

import pytest

from portal.tasks.services import comment_add, task_create

pytestmark = pytest.mark.django_db
NUL = "a\x00b"


@pytest.fixture
def world(team, member):
    task = task_create(actor=member, team=team, title="Target")
    comment_add(actor=member, task=task, body="hello")
    return task


@pytest.mark.parametrize(
    "url",
    [
        f"/teams/operations/?column={NUL}",
        f"/teams/operations/board/todo/?offset={NUL}",
        f"/teams/operations/tasks/?search={NUL}",
        f"/teams/operations/tasks/?tag={NUL}",
        f"/teams/operations/tasks/?assignee={NUL}&page={NUL}",
        f"/teams/operations/tasks/?ordering={NUL}",
        f"/teams/operations/tasks/1/?history={NUL}",
        f"/teams/operations/tasks/1/history/?page={NUL}",
        f"/teams/operations/activity/?before={NUL}",
        f"/teams/operations/reports/?start={NUL}&end={NUL}",
        f"/teams/operations/reports/?days={NUL}",
        f"/teams/operations/reports/export.csv?table={NUL}",
        "/teams/operations/tasks/?search=" + "x" * 10_000,
        "/teams/operations/tasks/?due_after=0001-01-01T00:00:00%2B14:00",
    ],
)
def test_hostile_reads(client, world, member, url):
    client.force_login(member)
    assert client.get(url).status_code < 500


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("move/", {"status": NUL}),
        ("edit/", {"title": NUL, "status": NUL}),
        ("edit/", {"assignees": [NUL, "1"], "new_tags": NUL}),
        ("edit/", {"due_date_0": NUL, "due_date_1": NUL, "parent": NUL}),
        ("edit/", {"initial-title": NUL, "initial-assignees": [NUL, "x" * 50]}),
        ("comments/", {"body": NUL}),
    ],
)
def test_hostile_writes(client, world, member, path, data):
    client.force_login(member)
    response = client.post(f"/teams/operations/tasks/1/{path}", data)
    assert response.status_code < 500
    assert world.comments.count() == 1


def test_hostile_new_task(client, world, member):
    client.force_login(member)
    data = {"title": NUL, "description": NUL, "status": "todo", "priority": "low", "parent": NUL}
    response = client.post("/teams/operations/tasks/new/", data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "description", "parent"}


HUGE_IDS = ["9223372036854775808", "99999999999999999999", str(2**70), "-1", "0", "abc"]


@pytest.mark.parametrize("value", HUGE_IDS)
def test_ids_no_row_can_have_are_form_errors(client, world, member, value):
    client.force_login(member)
    edit = client.post("/teams/operations/tasks/1/edit/", {"assignees": [value]})
    assert edit.status_code == 200
    assert "assignees" in edit.context["edit_form"].errors
    data = {"title": "Tagged", "status": "todo", "priority": "low", "tags": [value]}
    response = client.post("/teams/operations/tasks/new/", {**data, "assignees": [value]})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"tags", "assignees"}
    assert world.team.tasks.count() == 1
