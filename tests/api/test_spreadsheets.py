"""The API's spreadsheet door: GET /api/tasks/export/ (and POST /api/tasks/import/)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from portal.api.spreadsheets import FILE_FORMAT_INVALID, IMPORT_DENIED
from portal.core.spreadsheets import (
    CSV_NOT_UTF8,
    FORMAT_NOT_WORKBOOK,
    FORMAT_UNKNOWN,
    TOO_MANY_ROWS,
    XLSX_BOMB,
    XLSX_CORRUPT,
    XLSX_UNSAFE,
)
from portal.tasks.models import Task
from portal.tasks.resources import KEY_UNKNOWN, TASK_IMPORT_COLUMNS
from tests.sheets import (
    as_dicts,
    make_csv,
    read_csv,
    read_xlsx,
    xml_bomb_xlsx,
    zip_bomb_xlsx,
)

EXPORT = "/api/tasks/export/"


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    """Uploads waiting for Confirm and job files go to a folder of this test's own."""
    settings.SHARED_DIR = tmp_path / "shared"


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


# --- import ------------------------------------------------------------------------------------
IMPORT = "/api/tasks/import/"


def _post(client, content, name="tasks.csv", **data):
    upload = SimpleUploadedFile(name, content)
    return client.post(IMPORT, {"file": upload, **data}, format="multipart")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_through_the_api_changes_nothing(client_for, sheet_world, lead, fmt):
    client = client_for(lead)
    exported = client.get(EXPORT, {"file_format": fmt}).content
    history = Task.history.count()
    response = _post(client, exported, f"tasks.{fmt}", dry_run="false")
    assert response.status_code == 200
    assert response.json() == {
        "rows": 2, "new": 0, "updated": 0, "unchanged": 2, "errors": 0, "skipped": 0,
        "problems": [], "changes": [], "lookalikes": [], "warnings": [], "imported": True,
    }  # fmt: skip
    assert Task.history.count() == history


def test_dry_run_is_the_default_and_writes_nothing(client_for, sheet_world, lead):
    response = _post(client_for(lead), make_csv([["key", "title"], ["OPS-1", "Changed"]]))
    assert response.status_code == 200
    assert (response.json()["updated"], response.json()["imported"]) == (1, False)
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"


def test_import_writes_with_dry_run_false(client_for, sheet_world, lead):
    response = _post(
        client_for(lead), make_csv([["key", "title"], ["OPS-1", "Changed"]]), dry_run="false"
    )
    assert response.json()["imported"] is True
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Changed"


def test_errors_answer_400_with_each_cell(client_for, sheet_world, lead):
    rows = [["key", "title", "status"], ["OPS-1", "ok", "todo"], ["OPS-2", "x", "later"]]
    response = _post(client_for(lead), make_csv(rows), dry_run="false")
    assert response.status_code == 400
    body = response.json()
    assert (body["errors"], body["imported"]) == (1, False)
    assert body["problems"][0]["cell"] == "C3"
    assert body["problems"][0]["row"] == 3
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.pdf", b"%PDF-1.4", FORMAT_UNKNOWN.format(found=".pdf")),
        ("tasks.xlsx", b"garbage", FORMAT_NOT_WORKBOOK.format(name=".xlsx")),
        ("tasks.xlsx", b"PK\x03\x04garbage", XLSX_CORRUPT),
        ("tasks.csv", b"\xff\xfe\x00k", CSV_NOT_UTF8),
        ("tasks.csv", b"", None),  # an empty upload: DRF's own message
    ],
)
def test_bad_files_answer_400(client_for, sheet_world, lead, name, content, message):
    response = _post(client_for(lead), content, name)
    assert response.status_code == 400
    if message:
        assert response.json() == {"file": [message]}


@pytest.mark.parametrize(
    ("role", "status"),
    [("lead", 200), ("member", 200), ("superuser", 200), ("viewer", 403), ("outsider", 400)],
)
def test_each_role_at_the_import_door(client_for, sheet_world, people, role, status):
    response = _post(
        client_for(people[role]), make_csv([["key", "title"], ["OPS-1", "Mine"]]), dry_run="false"
    )
    assert response.status_code == status
    if role == "viewer":
        assert response.json() == {"detail": IMPORT_DENIED}
    if role == "outsider":  # OPS-1 does not exist for them
        assert response.json()["problems"][0]["message"] == KEY_UNKNOWN.format(key="OPS-1")


@override_settings(SPREADSHEET_MAX_ROWS=1)
def test_row_limit_at_the_api(client_for, sheet_world, lead):
    response = _post(client_for(lead), make_csv([["key"], ["OPS-1"], ["OPS-2"]]))
    assert response.json() == {"file": [TOO_MANY_ROWS.format(limit=1)]}


@override_settings(SPREADSHEET_MAX_UPLOAD_MB=0.001)
def test_size_limit_at_the_api(client_for, sheet_world, lead):
    response = _post(client_for(lead), make_csv([["key", "title"], ["OPS-1", "x" * 2000]]))
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("The file is")


@pytest.mark.parametrize(("content", "message"), [("xml", XLSX_UNSAFE), ("zip", XLSX_BOMB)])
def test_bombs_are_refused_at_the_api(client_for, sheet_world, lead, content, message):
    data = xml_bomb_xlsx() if content == "xml" else zip_bomb_xlsx()
    response = _post(client_for(lead), data, "tasks.xlsx")
    assert (response.status_code, response.json()) == (400, {"file": [message]})


def test_import_template_explains_each_column(client_for, sheet_world, lead):
    response = client_for(lead).get("/api/tasks/import/template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tasks", "Columns"]
    rows = [list(r) for r in book["Tasks"].iter_rows(values_only=True)]
    assert rows[0] == list(TASK_IMPORT_COLUMNS)
    assert rows[1][1] == "OPS" and len(rows) == 2
    help_rows = {r[0]: r for r in book["Columns"].iter_rows(values_only=True)}
    assert "in_progress (In progress)" in help_rows["status"][2]
    assert "urgent (Urgent)" in help_rows["priority"][2]
    assert "OPS (Operations)" in help_rows["team"][2]


def test_the_template_imports_as_one_new_task(client_for, sheet_world, lead):
    client = client_for(lead)
    template = client.get("/api/tasks/import/template/", {"file_format": "csv"}).content
    response = _post(client, template, "tasks.csv", dry_run="false")
    assert response.status_code == 200, response.json()
    assert response.json()["new"] == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_due_day_round_trips_as_a_day_and_a_moment_as_a_moment(
    client_for, sheet_world, lead, fmt
):
    from datetime import date

    from portal.tasks.services import task_update

    day_task = sheet_world["parent"]
    task_update(actor=lead, task=day_task, due_date=date(2026, 12, 24))
    task_update(actor=lead, task=sheet_world["child"], due_date=sheet_world["due"])
    client = client_for(lead)
    exported = client.get(EXPORT, {"file_format": fmt}).content
    history = Task.history.count()
    response = _post(client, exported, f"tasks.{fmt}", dry_run="false")
    assert (response.json()["unchanged"], response.json()["updated"]) == (2, 0)
    assert Task.history.count() == history
    day_task.refresh_from_db()
    assert day_task.due_day == date(2026, 12, 24)
    assert Task.objects.get(pk=sheet_world["child"].pk).due_date == sheet_world["due"]


def test_a_day_in_a_sheet_is_a_due_day(client_for, sheet_world, lead):
    from datetime import date

    rows = [["key", "due_date"], ["OPS-1", "2026-12-24"], ["OPS-2", "2026-12-24 17:00"]]
    response = _post(client_for(lead), make_csv(rows), dry_run="false")
    assert response.json()["updated"] == 2, response.json()
    day, timed = (Task.objects.get(pk=sheet_world[k].pk) for k in ("parent", "child"))
    assert day.due_day == date(2026, 12, 24)
    assert timed.due_day is None and timed.due_date.hour == 17


def test_an_exported_workbook_names_its_sheet_after_what_it_holds(client_for, sheet_world, lead):
    from openpyxl import load_workbook

    content = client_for(lead).get(EXPORT, {"file_format": "xlsx"}).content
    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == ["Tasks"]
