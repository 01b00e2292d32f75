"""Custom fields through the API: definitions under the team, values on tasks, filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.tasks import custom_fields as cf
from portal.tasks.models import Task
from portal.tasks.services import DENIED_FIELDS, task_create
from tests.tasks.custom_field_cases import CASES, define, expected

pytestmark = pytest.mark.django_db
TASKS = "/api/tasks/"


def fields_url(team, field=None):
    return f"/api/teams/{team.pk}/fields/" + (f"{field.pk}/" if field else "")


@pytest.fixture
def fields(team, lead):
    return define(team, lead)


def test_members_list_and_leads_define(client_for, people, team, fields):
    body = client_for(people["member"]).get(fields_url(team)).json()
    assert [f["key"] for f in body][:3] == ["note", "story", "points"]
    severity = next(f for f in body if f["key"] == "severity")
    assert [c["label"] for c in severity["choices"]] == ["S1", "S2", "S3"]
    new = {"name": "Team size", "key": "size", "type": "number", "unit": "people"}
    denied = client_for(people["member"]).post(fields_url(team), new, format="json")
    assert denied.status_code == 403
    assert denied.json()["detail"] == DENIED_FIELDS
    made = client_for(people["lead"]).post(fields_url(team), new, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["unit"] == "people"


def test_outsiders_see_no_definitions(client_for, people, team, fields):
    client = client_for(people["outsider"])
    assert client.get(fields_url(team)).status_code == 404
    assert client.get(fields_url(team, fields["note"])).status_code == 404
    assert (
        client.post(fields_url(team), {"name": "X", "key": "x"}, format="json").status_code == 404
    )


def test_bad_definitions_get_400(client_for, people, team, fields):
    client = client_for(people["lead"])
    taken = client.post(fields_url(team), {"name": "N", "key": "note"}, format="json")
    assert taken.status_code == 400
    bad = client.post(fields_url(team), {"name": "N", "key": "Bad Key"}, format="json")
    assert bad.status_code == 400
    empty = client.post(
        fields_url(team), {"name": "C", "key": "c", "type": "choice"}, format="json"
    )
    assert empty.json()["choices"] == [cf.CHOICES_NEEDED]
    fixed = client.patch(fields_url(team, fields["note"]), {"key": "other"}, format="json")
    assert fixed.status_code == 400


def test_rename_a_choice_keeps_values(client_for, people, team, fields):
    task = task_create(
        actor=people["member"], team=team, title="T", custom_fields={"severity": "S2"}
    )
    choices = fields["severity"].choices
    renamed = [
        {"id": c["id"], "label": "Major" if c["label"] == "S2" else c["label"]} for c in choices
    ]
    client = client_for(people["lead"])
    assert (
        client.patch(
            fields_url(team, fields["severity"]), {"choices": renamed}, format="json"
        ).status_code
        == 200
    )
    body = client_for(people["member"]).get(f"{TASKS}{task.pk}/").json()
    assert body["custom_fields"]["severity"] == "Major"


def test_delete_with_values_needs_confirm(client_for, people, team, fields):
    task_create(actor=people["member"], team=team, title="T", custom_fields={"note": "x"})
    client = client_for(people["lead"])
    refused = client.delete(fields_url(team, fields["note"]))
    assert refused.status_code == 400
    assert "Confirm" in str(refused.json())
    assert client.delete(fields_url(team, fields["note"]) + "?confirm=1").status_code == 204


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_api_reads_each_type(case, client_for, people, team, fields):
    response = client_for(people["member"]).post(
        TASKS,
        {"team": team.pk, "title": "T", "custom_fields": {case.key: case.given}},
        format="json",
    )
    if case.error:
        assert response.status_code == 400
        assert response.json()["custom_fields"] == [case.error]
    else:
        assert response.status_code == 201, response.content
        stored = Task.objects.get(pk=response.json()["id"]).custom_fields
        assert stored == {case.key: expected(case, fields, people)}
        shown = response.json()["custom_fields"]
        assert set(shown) == set(fields)
        again = client_for(people["member"]).get(f"{TASKS}{response.json()['id']}/").json()
        assert again["custom_fields"] == shown


def test_patch_merges_and_null_clears(client_for, people, team, fields):
    client = client_for(people["member"])
    made = client.post(
        TASKS,
        {"team": team.pk, "title": "T", "custom_fields": {"note": "a", "severity": "S1"}},
        format="json",
    ).json()
    changed = client.patch(
        f"{TASKS}{made['id']}/", {"custom_fields": {"severity": None, "points": 4}}, format="json"
    ).json()
    assert changed["custom_fields"]["note"] == "a"
    assert changed["custom_fields"]["severity"] is None
    assert changed["custom_fields"]["points"] == 4.0
    history = client.get(f"{TASKS}{made['id']}/history/").json()["results"][0]["changes"]
    assert {c["field"] for c in history} == {"custom_fields.severity", "custom_fields.points"}


def test_outsider_cannot_write_values(client_for, people, team, other_team, fields):
    task = task_create(actor=people["member"], team=team, title="T")
    response = client_for(people["outsider"]).patch(
        f"{TASKS}{task.pk}/", {"custom_fields": {"note": "x"}}, format="json"
    )
    assert response.status_code == 404


@pytest.fixture
def sorted_world(team, people, fields):
    member = people["member"]
    make = lambda title, **values: task_create(  # noqa: E731
        actor=member, team=team, title=title, custom_fields=values
    )
    return {
        "a": make("a", severity="S3", points=1, starts="2026-01-05", areas=["api"], billable=True),
        "b": make("b", severity="S1", points=5, starts="2026-02-01", areas=["web", "ops"]),
        "c": make("c", severity="S2", points=3, owner="member2"),
        "d": make("d"),
    }


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"cf_severity": "S1"}, ["b"]),
        ({"cf_severity": "s1,S3"}, ["a", "b"]),
        ({"cf_points__gte": "3"}, ["b", "c"]),
        ({"cf_points__lte": "3"}, ["a", "c"]),
        ({"cf_starts__gte": "2026-01-10"}, ["b"]),
        ({"cf_areas": "ops"}, ["b"]),
        ({"cf_areas": "api,ops"}, ["a", "b"]),
        ({"cf_owner": "member2"}, ["c"]),
        ({"cf_billable": "yes"}, ["a"]),
        ({"cf_billable": "no"}, ["b", "c", "d"]),
        ({"ordering": "cf_severity"}, ["b", "c", "a", "d"]),
        ({"ordering": "-cf_points"}, ["b", "c", "a", "d"]),
        ({"ordering": "cf_starts"}, ["a", "b", "d", "c"]),
    ],
)
def test_filters_and_ordering(client_for, people, sorted_world, params, titles):
    body = client_for(people["member"]).get(TASKS, params).json()
    got = [r["title"] for r in body["results"]]
    if "ordering" in params:
        assert got[:3] == titles[:3]
    else:
        assert sorted(got) == titles


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cf_nope": "1"}, "cf_nope"),
        ({"cf_severity": "S9"}, "cf_severity"),
        ({"cf_note__gte": "a"}, "cf_note__gte"),
        ({"cf_points": "many"}, "cf_points"),
        ({"ordering": "cf_nope"}, "cf_nope"),
        ({"cf_Bad-Key": "1"}, "cf_Bad-Key"),
    ],
)
def test_bad_filters_get_400(client_for, people, sorted_world, params, field):
    response = client_for(people["member"]).get(TASKS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_another_teams_field_is_unknown(client_for, people, team, other_team, fields):
    response = client_for(people["outsider"]).get(TASKS, {"cf_severity": "S1"})
    assert response.status_code == 400


@pytest.mark.parametrize("count", [10, 200])
def test_filtered_list_costs_the_same(client_for, people, team, fields, count, request):
    Task.objects.bulk_create(
        [
            Task(team=team, number=1000 + n, title=f"Bulk {n}", custom_fields={"points": n})
            for n in range(count)
        ]
    )
    client = client_for(people["member"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            TASKS, {"cf_points__gte": "2", "ordering": "-cf_points", "page_size": 50}
        )
    assert response.status_code == 200
    assert response.json()["results"][0]["custom_fields"]["points"] == count - 1
    # token's user, roles, the definitions named by the filters, capped count, page, the
    # page's links, the page's teams' definitions
    assert len(queries) == 7, [q["sql"][:100] for q in queries.captured_queries]


def test_filter_and_order_by_the_same_field(client_for, people, sorted_world):
    body = client_for(people["member"]).get(
        TASKS, {"cf_severity": "S1,S2", "ordering": "-cf_severity"}
    )
    assert body.status_code == 200, body.content
    assert [r["title"] for r in body.json()["results"]] == ["c", "b"]
    refused = client_for(people["member"]).get(TASKS, {"ordering": "cf_points__gte"})
    assert refused.status_code == 400
