"""The API's spreadsheet door: GET /api/tasks/export/ (and POST /api/tasks/import/)."""

import pytest

from portal.api.spreadsheets import FILE_FORMAT_INVALID
from tests.sheets import as_dicts, read_csv, read_xlsx

EXPORT = "/api/tasks/export/"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_gives_the_task_sheet_of_my_teams(client_for, sheet_world, lead, fmt):
    response = client_for(lead).get(EXPORT, {"file_format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    rows = (read_csv if fmt == "csv" else read_xlsx)(response.content)
    assert rows[0][:3] == ["key", "team", "title"]
    keys = {row["key"] for row in as_dicts(rows)}
    assert keys == {"OPS-1", "OPS-2"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formulas(client_for, sheet_world, lead, fmt):
    response = client_for(lead).get(EXPORT, {"file_format": fmt})
    rows = as_dicts((read_csv if fmt == "csv" else read_xlsx)(response.content))
    child = next(r for r in rows if r["key"] == "OPS-2")
    assert child["title"] == '\'=HYPERLINK("x")'
    assert child["description"] == "'-1"


def test_export_applies_the_list_filters(client_for, sheet_world, lead):
    response = client_for(lead).get(EXPORT, {"priority": "high"})
    assert [r["key"] for r in as_dicts(read_csv(response.content))] == ["OPS-1"]


def test_export_default_format_is_csv(client_for, sheet_world, lead):
    response = client_for(lead).get(EXPORT)
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"file_format": "pdf"}, {"file_format": [FILE_FORMAT_INVALID]}),
        ({"overdue": "maybe"}, {"overdue": ['Enter "true" or "false".']}),
    ],
)
def test_bad_parameters_answer_400(client_for, sheet_world, lead, params, body):
    response = client_for(lead).get(EXPORT, params)
    assert response.status_code == 400
    assert response.json() == body


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("lead", {"OPS-1", "OPS-2"}),
        ("member", {"OPS-1", "OPS-2"}),
        ("viewer", {"OPS-1", "OPS-2"}),
        ("outsider", {"DES-1"}),
        ("superuser", {"OPS-1", "OPS-2", "DES-1"}),
    ],
)
def test_each_role_exports_only_what_it_sees(client_for, sheet_world, people, role, keys):
    response = client_for(people[role]).get(EXPORT)
    assert {r["key"] for r in as_dicts(read_csv(response.content))} == keys


def test_export_needs_a_token(anon, db):
    assert anon.get(EXPORT).status_code == 401


def test_export_is_in_the_schema(anon, db):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/tasks/export/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"file_format", "status", "overdue", "search"} <= names
