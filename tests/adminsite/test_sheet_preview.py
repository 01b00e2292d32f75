"""The admin's import preview: changed cells old -> new, the format from the file, look-alike
rows and the option to skip them, hostile files; nothing is written before Confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.adminsite.spreadsheets import SKIP_LOOKALIKES_LABEL
from portal.core.spreadsheets import (
    CSV_NUL_BYTES,
    FORMAT_NOT_TEXT,
    FORMAT_NOT_WORKBOOK,
)
from portal.tasks import resources as r
from portal.tasks.models import Task
from tests.sheets import make_csv, make_xlsx

TASK_IMPORT = reverse("admin:tasks_task_import")
TASK_PROCESS = reverse("admin:tasks_task_process_import")


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"


def _upload(client, content, name="tasks.csv", url=TASK_IMPORT, **extra):
    """Upload as a browser does without choosing a format."""
    upload = SimpleUploadedFile(name, content)
    return client.post(url, {"import_file": upload, "format": "", "resource": "0", **extra})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(TASK_PROCESS, {name: form.initial.get(name, "") for name in form.fields})


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_preview_shows_changed_cells_old_to_new_without_a_format(client, sheet_world, lead, fmt):
    client.force_login(lead)
    rows = [["key", "title", "status"], ["OPS-1", "Renew certificates", "done"]]
    content = make_csv(rows) if fmt == "csv" else make_xlsx(rows)
    preview = _upload(client, content, f"tasks.{fmt}")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert '<tr class="' in html and 'data-row="2" data-column="status"' in html
    assert 'data-column="title"' not in html  # unchanged cells are not listed
    change = html.split('data-column="status"')[1].split("</tr>")[0]
    assert '"sheet-old">todo<' in change and '"sheet-new">done<' in change
    assert [c.changes for c in preview.context["result"].changes] == [{"status": ["todo", "done"]}]
    assert Task.objects.get(pk=sheet_world["parent"].pk).status == "todo"
    assert _confirm(client, preview).status_code == 302
    assert Task.objects.get(pk=sheet_world["parent"].pk).status == "done"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.xlsx", b"key,title\nOPS-1,x\n", FORMAT_NOT_WORKBOOK.format(name=".xlsx")),
        ("tasks.csv", make_xlsx([["key", "title"], ["OPS-1", "x"]]), FORMAT_NOT_TEXT.format(name=".csv")),
        ("tasks.csv", b"key,title\nOPS-1,Re\x00named\n", CSV_NUL_BYTES),
        ("tasks.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", CSV_NUL_BYTES),
        ("tasks.csv", b"", "The submitted file is empty."),
    ],
)  # fmt: skip
def test_hostile_files_get_a_clear_error_and_change_nothing(
    client, sheet_world, lead, name, content, message
):
    client.force_login(lead)
    before = list(Task.objects.values_list("pk", "title", "updated_at"))
    response = _upload(client, content, name)
    assert response.status_code == 200
    assert "confirm_form" not in response.context and "result" not in response.context
    assert message in _text(response)
    assert list(Task.objects.values_list("pk", "title", "updated_at")) == before


LOOKALIKES = [
    ["key", "team", "title", "due_date"],
    ["", "OPS", "Renew certificates", "2026-12-01"],
    ["", "OPS", "Write the runbook", ""],
]


def test_preview_warns_of_lookalikes_and_confirm_adds_them_without_the_option(
    client, sheet_world, lead
):
    client.force_login(lead)
    preview = _upload(client, make_csv(LOOKALIKES))
    warning = r.LOOKALIKES.format(count=1, rows="row looks like a task that exists", keys="OPS-1")
    assert warning in _text(preview)
    assert SKIP_LOOKALIKES_LABEL in _text(preview)
    before = Task.objects.count()
    assert _confirm(client, preview).status_code == 302
    assert Task.objects.count() == before + 2


def test_the_skip_option_reaches_confirm(client, sheet_world, lead):
    client.force_login(lead)
    preview = _upload(client, make_csv(LOOKALIKES), skip_lookalikes="on")
    assert preview.context["result"].skipped == 1
    assert 'data-count="skipped">1 look-alike left out' in preview.content.decode()
    assert preview.context["confirm_form"].initial["skip_lookalikes"] is True
    before = Task.objects.count()
    assert _confirm(client, preview).status_code == 302
    assert Task.objects.count() == before + 1
    assert Task.objects.filter(title="Renew certificates").count() == 1


def test_sheets_without_lookalikes_do_not_offer_the_option(client, sheet_world, member):
    client.force_login(member)
    page = client.get(reverse("admin:tasks_tag_import"))
    assert "skip_lookalikes" not in page.context["form"].fields
    assert "skip_lookalikes" in client.get(TASK_IMPORT).context["form"].fields


def test_the_team_sheet_preview_lists_its_changes_too(client, sheet_world, lead):
    client.force_login(lead)
    preview = _upload(
        client, make_csv([["key", "name"], ["OPS", "Ops"]]), url=reverse("admin:teams_team_import")
    )
    html = preview.content.decode()
    assert 'data-row="2" data-column="name"' in html and "<th>Team</th>" in html
    assert [(c.key, c.changes) for c in preview.context["result"].changes] == [
        ("OPS", {"name": ["Operations", "Ops"]})
    ]
