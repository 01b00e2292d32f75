"""People and tags through the API."""

import pytest

from portal.tasks import permissions as task_perms
from portal.tasks.models import TAG_TAKEN, Tag
from portal.tasks.services import task_update
from tests.factories import TagFactory, UserFactory


def test_users_are_people_sharing_a_team(client_for, people):
    UserFactory(username="loner")
    names = [
        u["username"] for u in client_for(people["member"]).get("/api/users/").json()["results"]
    ]
    assert names == ["lead", "member", "member2", "viewer"]
    everyone = client_for(people["superuser"]).get("/api/users/", {"page_size": 100}).json()
    assert "loner" in [u["username"] for u in everyone["results"]]


def test_user_detail_is_404_outside_my_teams(client_for, people):
    client = client_for(people["member"])
    assert client.get(f"/api/users/{people['lead'].pk}/").json()["username"] == "lead"
    assert client.get(f"/api/users/{people['outsider'].pk}/").status_code == 404


def test_users_me_lists_my_teams_and_roles(client_for, people, team):
    body = client_for(people["viewer"]).get("/api/users/me/").json()
    assert body["username"] == "viewer"
    assert body["teams"] == [{"id": team.pk, "key": "OPS", "name": "Operations", "role": "viewer"}]


def test_tags_list_hides_other_teams_tags(client_for, people, task, other_task):
    mine, theirs, unused = (
        TagFactory(name="mine"),
        TagFactory(name="theirs"),
        TagFactory(name="new"),
    )
    task_update(actor=people["lead"], task=task, tags=[mine])
    task_update(actor=people["outsider"], task=other_task, tags=[theirs])
    names = [t["name"] for t in client_for(people["member"]).get("/api/tags/").json()["results"]]
    assert names == ["mine", "new"]
    assert unused.pk


@pytest.mark.parametrize(
    ("role", "expected"), [("superuser", 201), ("lead", 201), ("member", 201), ("viewer", 403)]
)
def test_create_tag(client_for, people, role, expected):
    response = client_for(people[role]).post(
        "/api/tags/", {"name": f"t-{role}", "color": "#00AA00"}, format="json"
    )
    assert response.status_code == expected
    if role == "viewer":
        assert response.json()["detail"] == task_perms.DENIED_TAG


def test_tag_name_taken_in_another_case_and_bad_colour(client_for, people):
    Tag.objects.create(name="Backend")
    client = client_for(people["member"])
    taken = client.post("/api/tags/", {"name": "backend"}, format="json")
    assert taken.status_code == 400
    assert taken.json() == {"name": [TAG_TAKEN]}
    assert "color" in client.post("/api/tags/", {"name": "x", "color": "red"}, format="json").json()


def test_search_people_and_tags(client_for, people):
    TagFactory(name="Backend")
    TagFactory(name="Frontend")
    client = client_for(people["member"])
    users = client.get("/api/users/", {"search": "member"}).json()["results"]
    assert [u["username"] for u in users] == ["member", "member2"]
    tags = client.get("/api/tags/", {"search": "back"}).json()["results"]
    assert [t["name"] for t in tags] == ["Backend"]
