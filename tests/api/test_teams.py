"""Teams and members through the API."""

import pytest

from portal.teams import permissions as perms
from portal.teams.models import Membership, Role, Team
from portal.teams.services import LAST_LEAD, TEAM_NOT_EMPTY
from tests.factories import UserFactory

TEAMS = "/api/teams/"


def members_url(team, user=None):
    return f"{TEAMS}{team.pk}/members/" + (f"{user.pk}/" if user else "")


def test_teams_list_is_scoped(client_for, people, team, other_team):
    rows = client_for(people["member"]).get(TEAMS).json()["results"]
    assert [(r["key"], r["my_role"]) for r in rows] == [("OPS", "member")]
    every = client_for(people["superuser"]).get(TEAMS).json()["results"]
    assert {r["key"] for r in every} == {"OPS", "DES"}
    assert client_for(people["member"]).get(f"{TEAMS}{other_team.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [("superuser", 201), ("lead", 403), ("member", 403), ("viewer", 403)]
)
def test_only_administrators_create_teams(client_for, people, role, expected):
    response = client_for(people[role]).post(
        TEAMS, {"name": "Finance", "key": "fin", "description": "Money"}, format="json"
    )
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["key"] == "FIN"
        assert response.json()["slug"] == "finance"
    else:
        assert response.json()["detail"] == perms.DENIED_SUPERUSER


def test_team_validation_errors_are_per_field(client_for, people, team):
    response = client_for(people["superuser"]).post(
        TEAMS, {"name": "Ops again", "key": "OPS"}, format="json"
    )
    assert response.status_code == 400
    assert "key" in response.json()
    response = client_for(people["superuser"]).post(
        TEAMS, {"name": "Bad", "key": "b4d"}, format="json"
    )
    assert "key" in response.json()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 200), ("lead", 200), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_patch_team(client_for, people, team, role, expected):
    response = client_for(people[role]).patch(
        f"{TEAMS}{team.pk}/", {"description": "Keeps the lights on"}, format="json"
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), [("superuser", 204), ("lead", 403), ("outsider", 404)]
)
def test_delete_team(client_for, people, team, role, expected):
    assert client_for(people[role]).delete(f"{TEAMS}{team.pk}/").status_code == expected


def test_a_team_with_tasks_is_not_deleted(client_for, people, team, task):
    response = client_for(people["superuser"]).delete(f"{TEAMS}{team.pk}/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [TEAM_NOT_EMPTY]}
    assert Team.objects.filter(pk=team.pk).exists()


# --- members ---------------------------------------------------------------------------------
def test_members_list(client_for, people, team):
    rows = client_for(people["viewer"]).get(members_url(team)).json()["results"]
    assert [(r["user"]["username"], r["role"]) for r in rows] == [
        ("lead", "lead"),
        ("member", "member"),
        ("member2", "member"),
        ("viewer", "viewer"),
    ]
    assert client_for(people["outsider"]).get(members_url(team)).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 201), ("lead", 201), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_add_member(client_for, people, team, role, expected):
    newcomer = UserFactory(username="newcomer")
    response = client_for(people[role]).post(
        members_url(team), {"user_id": newcomer.pk, "role": "viewer"}, format="json"
    )
    assert response.status_code == expected, response.json()
    if expected == 201:
        assert response.json()["user"]["username"] == "newcomer"
        assert Membership.objects.get(team=team, user=newcomer).role == Role.VIEWER


def test_add_member_twice_or_unknown_user(client_for, people, team):
    client = client_for(people["lead"])
    twice = client.post(members_url(team), {"user_id": people["member"].pk}, format="json")
    assert twice.status_code == 400
    assert twice.json() == {"non_field_errors": ["This person is already a member of the team."]}
    unknown = client.post(members_url(team), {"user_id": 999999, "role": "boss"}, format="json")
    assert set(unknown.json()) == {"user_id", "role"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 200), ("lead", 200), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_change_role(client_for, people, team, role, expected):
    response = client_for(people[role]).patch(
        members_url(team, people["member2"]), {"role": "viewer"}, format="json"
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 204), ("lead", 204), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_remove_member_unassigns_them(client_for, people, team, task, role, expected):
    response = client_for(people[role]).delete(members_url(team, people["member"]))
    assert response.status_code == expected
    if expected == 204:
        assert not task.assignees.filter(pk=people["member"].pk).exists()


def test_the_last_lead_stays(client_for, people, team):
    client = client_for(people["lead"])
    response = client.patch(members_url(team, people["lead"]), {"role": "member"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"role": [LAST_LEAD]}
    assert client.delete(members_url(team, people["lead"])).status_code == 400


def test_unknown_member_is_404(client_for, people, team):
    assert (
        client_for(people["lead"]).delete(members_url(team, people["outsider"])).status_code == 404
    )


@pytest.mark.parametrize("pk", ["9223372036854775808", "9" * 40])
def test_ids_beyond_64_bits_in_the_address_are_404(client_for, people, team, pk):
    client = client_for(people["lead"])
    for method, path in [
        ("get", f"{TEAMS}{pk}/"),
        ("get", f"{TEAMS}{pk}/members/"),
        ("post", f"{TEAMS}{pk}/members/"),
        ("patch", f"{TEAMS}{team.pk}/members/{pk}/"),
        ("delete", f"{TEAMS}{team.pk}/members/{pk}/"),
        ("get", f"/api/users/{pk}/"),
        ("get", f"/api/tags/{pk}/"),
    ]:
        response = getattr(client, method)(path, {"role": "viewer"}, format="json")
        assert response.status_code == 404, (method, path)
        assert list(response.json()) == ["detail"]
