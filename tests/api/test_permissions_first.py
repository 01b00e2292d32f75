"""Where the API checks a permission before reading the payload, and why.

Each kept check changes the answer: a person who may not make the change gets 403 with the
domain's message even when the payload is also wrong (without the check: 400 about the fields,
then 403 once they are fixed). Actions without a payload are left to the services, which give
the same 403.
"""

import pytest

from portal.api.permissions import TASK_RULES, TEAM_RULES
from portal.tasks import permissions as task_perms
from portal.teams import permissions as perms

TOO_LONG = "x" * 300


def _task(task, suffix=""):
    return f"/api/tasks/{task.pk}/{suffix}"


def _team(team, suffix=""):
    return f"/api/teams/{team.pk}/{suffix}"


# (action, call with a wrong payload, role that may not, the message)
CHECKED_FIRST = [
    (
        "update",
        lambda c, t, team: c.put(_task(t), {"title": TOO_LONG}, format="json"),
        "viewer",
        task_perms.DENIED_EDIT_TASK,
    ),
    (
        "partial_update",
        lambda c, t, team: c.patch(_task(t), {"due_date": "soon"}, format="json"),
        "viewer",
        task_perms.DENIED_EDIT_TASK,
    ),
    (
        "assign",
        lambda c, t, team: c.post(_task(t, "assign/"), {"assignee_ids": "x"}, format="json"),
        "viewer",
        task_perms.DENIED_EDIT_TASK,
    ),
    (
        "comments",
        lambda c, t, team: c.post(_task(t, "comments/"), {"body": ""}, format="json"),
        "viewer",
        task_perms.DENIED_COMMENT,
    ),
    (
        "team update",
        lambda c, t, team: c.patch(_team(team), {"key": "!!"}, format="json"),
        "member",
        perms.DENIED_MANAGE_TEAM,
    ),
    (
        "members",
        lambda c, t, team: c.post(_team(team, "members/"), {"role": "king"}, format="json"),
        "member",
        perms.DENIED_MANAGE_TEAM,
    ),
    (
        "member",
        lambda c, t, team: c.patch(
            _team(team, f"members/{t.created_by_id}/"), {"role": "king"}, format="json"
        ),
        "member",
        perms.DENIED_MANAGE_TEAM,
    ),
    (
        "team create",
        lambda c, t, team: c.post("/api/teams/", {"key": "!!"}, format="json"),
        "lead",
        perms.DENIED_SUPERUSER,
    ),
    (
        "tag create",
        lambda c, t, team: c.post("/api/tags/", {"name": ""}, format="json"),
        "viewer",
        task_perms.DENIED_TAG,
    ),
    (
        "task create",
        lambda c, t, team: c.post(
            "/api/tasks/", {"team": team.pk, "title": TOO_LONG}, format="json"
        ),
        "viewer",
        task_perms.DENIED_CREATE_TASK,
    ),
]


@pytest.mark.parametrize(
    ("action", "call", "role", "message"), CHECKED_FIRST, ids=[c[0] for c in CHECKED_FIRST]
)
def test_refused_before_the_payload_is_read(
    client_for, people, task, team, action, call, role, message
):
    response = call(client_for(people[role]), task, team)
    assert response.status_code == 403
    assert response.json() == {"detail": message}


@pytest.mark.parametrize(
    ("action", "call", "role", "message"), CHECKED_FIRST, ids=[c[0] for c in CHECKED_FIRST]
)
def test_people_who_may_get_the_payload_errors(
    client_for, people, task, team, action, call, role, message
):
    # The positive control: the same wrong payload from someone allowed is a 400.
    allowed = "superuser" if action == "team create" else "lead"
    assert call(client_for(people[allowed]), task, team).status_code == 400


def test_every_rule_kept_is_tested():
    tested = {c[0] for c in CHECKED_FIRST}
    assert set(TASK_RULES) <= tested
    assert {f"team {a}" if a in ("update", "partial_update") else a for a in TEAM_RULES} - {
        "team partial_update"
    } <= tested


# Actions without a payload: the service alone refuses, with the same answer.
@pytest.mark.parametrize(
    ("call", "role", "message"),
    [
        (lambda c, t, team: c.post(_task(t, "archive/")), "viewer", task_perms.DENIED_ARCHIVE_TASK),
        (
            lambda c, t, team: c.post(_task(t, "unarchive/")),
            "member",
            task_perms.DENIED_ARCHIVE_TASK,
        ),
        (lambda c, t, team: c.delete(_task(t)), "member", task_perms.DENIED_DELETE_TASK),
        (lambda c, t, team: c.delete(_team(team)), "lead", perms.DENIED_SUPERUSER),
    ],
)
def test_actions_without_payload_are_refused_by_the_service(
    client_for, people, task, team, call, role, message
):
    response = call(client_for(people[role]), task, team)
    assert response.status_code == 403
    assert response.json() == {"detail": message}
