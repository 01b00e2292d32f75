"""The admin's spreadsheet door: Export on the changelist and as an action, Import with preview."""

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from portal.adminsite.spreadsheets import FORMAT_MISMATCH, IMPORT_DONE, UPLOAD_GONE
from portal.core.spreadsheets import (
    CSV_NOT_UTF8,
    OLE_MAGIC,
    TOO_MANY_ROWS,
    XLSX_BOMB,
    XLSX_CORRUPT,
    XLSX_ENCRYPTED,
    XLSX_UNSAFE,
)
from portal.tasks.models import Task
from portal.tasks.resources import DATE_INVALID, KEY_UNKNOWN
from portal.tasks.services import comment_add
from portal.teams.models import Team
from tests.sheets import (
    as_dicts,
    make_csv,
    make_xlsx,
    read_csv,
    read_xlsx,
    xml_bomb_xlsx,
    zip_bomb_xlsx,
)

TASK_EXPORT = reverse("admin:tasks_task_export")
TASK_CHANGELIST = reverse("admin:tasks_task_changelist")
XLSX, CSV = "0", "1"  # positions in SpreadsheetAdmin.formats


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    """Uploads waiting for Confirm and job files go to a folder of this test's own."""
    settings.SHARED_DIR = tmp_path / "shared"


def _export(client, query="", fmt=CSV, **data):
    response = client.post(f"{TASK_EXPORT}{query}", {"format": fmt, "resource": "0", **data})
    assert response.status_code == 200, response.content[:500]
    return as_dicts((read_csv if fmt == CSV else read_xlsx)(response.content))


def test_changelist_shows_an_export_button(client, sheet_world, lead):
    client.force_login(lead)
    response = client.get(TASK_CHANGELIST)
    assert TASK_EXPORT in response.content.decode()


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_export_honours_filters_and_search(client, sheet_world, lead, fmt):
    client.force_login(lead)
    assert {r["key"] for r in _export(client, fmt=fmt)} == {"OPS-1", "OPS-2"}
    assert [r["key"] for r in _export(client, "?priority=high", fmt=fmt)] == ["OPS-1"]
    assert [r["key"] for r in _export(client, "?q=HYPERLINK", fmt=fmt)] == ["OPS-2"]


def test_export_action_on_selected_rows(client, sheet_world, lead):
    client.force_login(lead)
    parent = sheet_world["parent"]
    response = client.post(
        TASK_CHANGELIST,
        {"action": "export_admin_action", ACTION_CHECKBOX_NAME: [parent.pk]},
    )
    assert response.status_code == 200  # the format form, carrying the selection
    rows = _export(client, export_items=[parent.pk])
    assert [r["key"] for r in rows] == ["OPS-1"]


def test_selected_rows_of_other_teams_are_not_exported(client, sheet_world, lead):
    client.force_login(lead)
    response = client.post(
        TASK_EXPORT,
        {"format": CSV, "resource": "0", "export_items": [sheet_world["foreign"].pk]},
    )
    # An id outside the person's teams is not a valid choice: the form is shown again.
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("lead", {"OPS-1", "OPS-2"}),
        ("viewer", {"OPS-1", "OPS-2"}),
        ("outsider", {"DES-1"}),
        ("superuser", {"OPS-1", "OPS-2", "DES-1"}),
    ],
)
def test_each_role_exports_only_what_it_sees(client, sheet_world, people, role, keys):
    client.force_login(people[role])
    assert {r["key"] for r in _export(client)} == keys


def test_export_neutralises_formulas(client, sheet_world, lead):
    client.force_login(lead)
    child = next(r for r in _export(client, fmt=XLSX) if r["key"] == "OPS-2")
    assert child["title"] == '\'=HYPERLINK("x")'


# --- import ------------------------------------------------------------------------------------
TASK_IMPORT = reverse("admin:tasks_task_import")
TASK_PROCESS = reverse("admin:tasks_task_process_import")


def _upload(client, content, name="tasks.csv", fmt=None):
    fmt = fmt if fmt is not None else (CSV if name.endswith(".csv") else XLSX)
    upload = SimpleUploadedFile(name, content)
    return client.post(TASK_IMPORT, {"import_file": upload, "format": fmt, "resource": "0"})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(TASK_PROCESS, data)


def test_import_preview_then_confirm(client, sheet_world, lead):
    client.force_login(lead)
    rows = [
        ["key", "title", "status"],
        ["OPS-1", "Renewed", "done"],
        ["OPS-2", '=HYPERLINK("x")', "todo"],
    ]
    preview = _upload(client, make_csv(rows))
    assert preview.status_code == 200
    counts = preview.context["result"].counts()
    assert counts == {"rows": 2, "new": 0, "updated": 1, "unchanged": 1, "errors": 0}
    assert 'data-count="updated">1 updated' in preview.content.decode()
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"
    done = _confirm(client, preview)
    assert done.status_code == 302
    parent = Task.objects.get(pk=sheet_world["parent"].pk)
    assert (parent.title, parent.status) == ("Renewed", "done")
    assert parent.history.order_by("-history_id").first().history_user == lead
    shown = [str(m) for m in get_messages(done.wsgi_request)]
    assert shown == [IMPORT_DONE.format(new=0, updated=1, unchanged=1, things="tasks")]


def test_import_preview_names_every_error_cell(client, sheet_world, lead):
    client.force_login(lead)
    rows = [["key", "title", "due_date"], ["OPS-1", "", "soon"]]
    preview = _upload(client, make_xlsx(rows), "tasks.xlsx")
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    html = preview.content.decode()
    assert "title (B2)" in html and "due_date (C2)" in html and DATE_INVALID in html
    assert preview.context["result"].counts()["errors"] == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.txt", b"key\nOPS-1\n", "Choose a CSV or XLSX file (this one is .txt)."),
        ("tasks.xlsx", b"PK\x03\x04 not really a zip", XLSX_CORRUPT),
        ("tasks.xlsx", OLE_MAGIC + b"\x00" * 600, XLSX_ENCRYPTED),
        ("tasks.csv", "key\nOPS-1\n".encode("utf-16"), CSV_NOT_UTF8),
    ],
)
def test_bad_files_get_a_message_not_a_500(client, sheet_world, lead, name, content, message):
    client.force_login(lead)
    fmt = XLSX if name.endswith(".xlsx") else CSV
    response = _upload(client, content, name, fmt)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


def test_format_must_match_the_file(client, sheet_world, lead):
    client.force_login(lead)
    response = _upload(client, make_csv([["key"], ["OPS-1"]]), "tasks.csv", XLSX)
    assert FORMAT_MISMATCH.format(found="CSV") in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("lead", 200), ("member", 200), ("superuser", 200),
                                              ("viewer", 403), ("outsider", 200)])  # fmt: skip
def test_import_page_is_for_people_who_may_write(client, sheet_world, people, role, status):
    client.force_login(people[role])
    assert client.get(TASK_IMPORT).status_code == status


def test_outsider_cannot_reach_other_teams_by_import(client, sheet_world, outsider):
    client.force_login(outsider)
    preview = _upload(client, make_csv([["key", "title"], ["OPS-1", "mine"]]))
    assert [p.message for p in preview.context["result"].problems] == [
        KEY_UNKNOWN.format(key="OPS-1")
    ]


@override_settings(SPREADSHEET_MAX_ROWS=1)
def test_row_limit_in_the_admin(client, sheet_world, lead):
    client.force_login(lead)
    response = _upload(client, make_csv([["key"], ["OPS-1"], ["OPS-2"]]))
    assert TOO_MANY_ROWS.format(limit=1) in response.content.decode()


@override_settings(SPREADSHEET_MAX_UPLOAD_MB=0.001)
def test_size_limit_in_the_admin(client, sheet_world, lead):
    client.force_login(lead)
    response = _upload(client, make_csv([["key", "title"], ["OPS-1", "x" * 2000]]))
    assert response.status_code == 200
    assert "The file is" in response.content.decode()


@pytest.mark.parametrize(("kind", "message"), [("xml", XLSX_UNSAFE), ("zip", XLSX_BOMB)])
def test_bombs_are_refused_in_the_admin(client, sheet_world, lead, kind, message):
    client.force_login(lead)
    data = xml_bomb_xlsx() if kind == "xml" else zip_bomb_xlsx()
    response = _upload(client, data, "tasks.xlsx")
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")


# --- the other sheets in the admin ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "role", "can_import"),
    [
        ("tasks_tag", "member", True),
        ("tasks_tag", "viewer", False),
        ("teams_team", "lead", True),
        ("teams_team", "member", False),
        ("accounts_user", "superuser", True),
        ("accounts_user", "lead", False),
        ("tasks_comment", "lead", False),
    ],
)
def test_import_and_export_buttons(client, sheet_world, people, model, role, can_import):
    client.force_login(people[role])
    html = client.get(reverse(f"admin:{model}_changelist")).content.decode()
    assert reverse(f"admin:{model}_export") in html
    import_url = f"/admin/{model.replace('_', '/', 1)}/import/"
    assert (import_url in html) is can_import


@pytest.mark.parametrize("model", ["tasks_tag", "tasks_comment", "teams_team", "accounts_user"])
def test_other_sheets_export(client, sheet_world, superuser, model):
    comment_add(actor=superuser, task=sheet_world["parent"], body="noted")
    client.force_login(superuser)
    response = client.post(reverse(f"admin:{model}_export"), {"format": CSV, "resource": "0"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert len(read_csv(response.content)) > 1


def test_team_import_in_the_admin(client, sheet_world, lead):
    client.force_login(lead)
    upload = SimpleUploadedFile("teams.csv", make_csv([["key", "name"], ["OPS", "Operations!"]]))
    preview = client.post(
        reverse("admin:teams_team_import"), {"import_file": upload, "format": CSV, "resource": "0"}
    )
    assert preview.context["result"].counts()["updated"] == 1
    assert (
        _confirm_to(client, preview, reverse("admin:teams_team_process_import")).status_code == 302
    )
    assert Team.objects.get(key="OPS").name == "Operations!"


def _confirm_to(client, preview, url):
    form = preview.context["confirm_form"]
    return client.post(url, {name: form.initial.get(name, "") for name in form.fields})


@pytest.mark.parametrize(
    ("model", "role"),
    [("tasks_task", "member"), ("tasks_tag", "member"), ("teams_team", "lead"),
     ("accounts_user", "superuser")],
)  # fmt: skip
def test_each_import_page_offers_a_template(client, sheet_world, people, model, role):
    client.force_login(people[role])
    url = reverse(f"admin:{model}_import_template")
    assert url in client.get(reverse(f"admin:{model}_import")).content.decode()
    book = load_workbook(io.BytesIO(client.get(url).content))
    assert book.sheetnames[1] == "Columns"
    header, example = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(header) == len(example)
    content = client.get(url, {"file_format": "csv"}).content
    csv_rows = read_csv(content)
    # The header, the explanation row (marked with #, skipped on import), the example row.
    assert len(csv_rows) == 3 and csv_rows[1][0].startswith("# ")
    assert len(csv_rows[1]) == len(csv_rows[0])
    # The template imports back without a format chosen: the explanation row is no row.
    upload = SimpleUploadedFile("template.csv", content)
    data = {"import_file": upload, "format": "", "resource": "0"}
    preview = client.post(reverse(f"admin:{model}_import"), data)
    result = preview.context["result"]
    assert result.counts()["rows"] == 1  # the example row only
    assert [p for p in result.problems if p.row == 2] == []  # the explanation row is no row
    if model == "tasks_task":  # the other examples may meet the world's own team or people
        assert result.problems == []


def test_template_needs_import_permission(client, sheet_world, viewer):
    client.force_login(viewer)
    assert client.get(reverse("admin:tasks_task_import_template")).status_code == 403


def test_confirm_after_the_upload_is_gone_asks_to_upload_again(client, sheet_world, lead, settings):
    client.force_login(lead)
    preview = _upload(client, make_csv([["key", "title"], ["OPS-1", "Changed"]]))
    waiting = settings.SHARED_DIR / "imports" / "waiting"
    assert [p.name for p in waiting.iterdir()] == [
        preview.context["confirm_form"].initial["import_file_name"]
    ]
    for path in waiting.iterdir():
        path.unlink()
    response = _confirm(client, preview)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [UPLOAD_GONE]
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"
