"""The API's saved views (/api/views/) and `view=<id>` on /api/tasks/."""

import pytest

from portal.savedviews import permissions as view_perms
from portal.savedviews.models import NAME_TAKEN, SavedView
from portal.savedviews.selectors import VIEW_UNKNOWN
from portal.savedviews.services import saved_view_create
from portal.tasks.services import task_create

VIEWS = "/api/views/"


@pytest.fixture
def views(team, other_team, lead, member, member2, outsider):
    return {
        "mine": saved_view_create(
            actor=member, team=team, kind="list", name="Urgent", params={"priority": "urgent"}
        ),
        "private": saved_view_create(actor=member2, team=team, kind="list", name="Private"),
        "shared": saved_view_create(
            actor=lead, team=team, kind="board", name="Team", params={"open": "true"}, shared=True
        ),
        "other": saved_view_create(
            actor=outsider, team=other_team, kind="list", name="Design", shared=True
        ),
        "my_work": saved_view_create(actor=member, team=None, kind="calendar", name="Weeks"),
    }


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_the_list_has_my_views_and_my_teams_shared_ones(client_for, member, views):
    client = client_for(member)
    response = client.get(VIEWS)
    assert response.status_code == 200
    assert ids(response) == {views[k].pk for k in ("mine", "shared", "my_work")}
    row = client.get(f"{VIEWS}{views['mine'].pk}/").json()
    assert row["params"] == {"priority": "urgent"} and row["team"] == views["mine"].team_id
    assert ids(client.get(f"{VIEWS}?kind=board")) == {views["shared"].pk}
    assert ids(client.get(f"{VIEWS}?team=none")) == {views["my_work"].pk}
    assert ids(client.get(f"{VIEWS}?team={views['mine'].team_id}&kind=list")) == {views["mine"].pk}
    assert client.get(f"{VIEWS}?kind=reports").status_code == 400
    assert client.get(f"{VIEWS}?team={'9' * 30}").status_code == 400


def test_others_private_views_and_other_teams_views_are_404(client_for, member, outsider, views):
    client = client_for(member)
    for key in ("private", "other"):
        url = f"{VIEWS}{views[key].pk}/"
        assert client.get(url).status_code == 404
        assert client.patch(url, {"name": "Mine"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
    assert client.get(f"{VIEWS}{'9' * 30}/").status_code == 404
    assert client_for(outsider).get(f"{VIEWS}{views['shared'].pk}/").status_code == 404


def test_create_normalises_the_filters(client_for, member, team):
    client = client_for(member)
    payload = {
        "name": " Blocked ",
        "kind": "list",
        "team": team.pk,
        "params": {"status": "blocked", "page": "4", "ordering": "-priority", "x": "y"},
    }
    response = client.post(VIEWS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Blocked" and body["owner"] == member.pk
    assert body["params"] == {"ordering": "-priority", "status": "blocked"}
    assert (body["shared"], body["is_default"]) == (False, False)
    by_key = client.post(VIEWS, {**payload, "name": "By key", "team": "OPS"}, format="json")
    assert by_key.status_code == 201 and by_key.json()["team"] == team.pk
    again = client.post(VIEWS, {**payload, "name": "blocked"}, format="json")
    assert again.status_code == 400 and again.json() == {"name": [NAME_TAKEN]}


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "a\x00b", "kind": "list"},
        {"name": "x" * 10_000, "kind": "list"},
        {"name": 7, "kind": "list"},
        {"name": "Bad", "kind": "reports"},
        {"name": "Bad", "kind": "board"},  # My work has no board
        {"name": "Bad", "kind": "list", "params": {"status": {"a": {"b": ["c"]}}}},
        {"name": "Bad", "kind": "list", "params": ["status", "todo"]},
        {"name": "Bad", "kind": "list", "params": {"overdue": "maybe"}},
        {"name": "Bad", "kind": "list", "params": {"search": "a\x00b"}},
        {"name": "Bad", "kind": "list", "params": {f"cf_{i}": "x" for i in range(500)}},
        {"name": "Bad", "kind": "list", "team": 9 * 10**30},
        {"name": "Bad", "kind": "list", "team": "NOPE"},
        {"name": "Bad", "kind": "list", "team": ""},
        {"name": "Bad", "kind": "list", "shared": "yes"},
        {"name": "Bad", "kind": "list", "shared": True},  # My work is private
    ],
)
def test_hostile_payloads_are_400(client_for, member, team, payload):
    response = client_for(member).post(VIEWS, payload, format="json")
    assert response.status_code == 400, response.content
    assert not SavedView.objects.exists()


def test_sharing_and_defaults_are_the_leads(client_for, member, lead, team, views):
    payload = {"name": "Shared", "kind": "list", "team": team.pk, "shared": True}
    refused = client_for(member).post(VIEWS, payload, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == view_perms.DENIED_SHARE
    url = f"{VIEWS}{views['mine'].pk}/"
    assert client_for(member).patch(url, {"shared": True}, format="json").status_code == 403
    shared_url = f"{VIEWS}{views['shared'].pk}/"
    assert client_for(member).patch(shared_url, {"name": "X"}, format="json").status_code == 403
    assert client_for(member).delete(shared_url).status_code == 403
    response = client_for(lead).patch(shared_url, {"is_default": True}, format="json")
    assert response.status_code == 200 and response.json()["is_default"] is True
    renamed = client_for(member).patch(url, {"name": "Renamed", "kind": "board"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renamed" and renamed.json()["kind"] == "list"
    assert client_for(member).delete(url).status_code == 204
    assert client_for(lead).delete(shared_url).status_code == 204


def test_view_on_the_task_list_applies_its_filters(client_for, team, lead, member, views):
    urgent = task_create(actor=lead, team=team, title="Urgent", priority="urgent")
    task_create(actor=lead, team=team, title="Low", priority="low")
    mine = task_create(actor=lead, team=team, title="Mine", assignees=[member])
    client = client_for(member)

    def titles(query):
        response = client.get(f"/api/tasks/?{query}")
        assert response.status_code == 200, response.json()
        return {row["title"] for row in response.json()["results"]}

    assert titles(f"view={views['mine'].pk}") == {urgent.title}
    assert titles(f"view={views['mine'].pk}&priority=low") == {"Low"}  # the query's over it
    assert titles(f"view={views['shared'].pk}") == {"Urgent", "Low", "Mine"}
    assert titles(f"view={views['my_work'].pk}") == {mine.title}  # My work: mine
    assert titles("view=") == {"Urgent", "Low", "Mine"}
    for hidden in ("private", "other"):
        response = client.get(f"/api/tasks/?view={views[hidden].pk}")
        assert response.status_code == 404 and response.json() == {"detail": VIEW_UNKNOWN}
    for bad in ("abc", "9" * 40, "-1"):
        assert client.get(f"/api/tasks/?view={bad}").json() == {"detail": VIEW_UNKNOWN}
    assert client.get("/api/tasks/?view=1%00").status_code == 400  # refused before any view


def test_a_views_team_stays_whatever_the_query_says(
    client_for, team, other_team, lead, outsider, member, views
):
    task_create(actor=outsider, team=other_team, title="Secret design work")
    task_create(actor=lead, team=team, title="Ours")
    response = client_for(member).get(f"/api/tasks/?view={views['mine'].pk}&team={other_team.pk}")
    assert response.status_code == 200 and response.json()["results"] == []


def test_the_schema_documents_views_and_the_view_parameter(client_for, member):
    schema = client_for(member).get("/api/schema/?format=json").json()
    assert {"/api/views/", "/api/views/{id}/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/tasks/"]["get"]["parameters"]}
    assert "view" in parameters
