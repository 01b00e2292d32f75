"""The API's import answer: each updated row's changed cells, look-alike rows and the
`skip_lookalikes` parameter, the format from the file, hostile files; queries stay constant."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.spreadsheets import (
    CSV_NUL_BYTES,
    FORMAT_NOT_TEXT,
    FORMAT_NOT_WORKBOOK,
)
from portal.tasks import resources as r
from portal.tasks.models import Task
from tests.sheets import make_csv, make_xlsx

IMPORT = "/api/tasks/import/"


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"


def _post(client, content, name="tasks.csv", **data):
    upload = SimpleUploadedFile(name, content)
    return client.post(IMPORT, {"file": upload, **data}, format="multipart")


def test_dry_run_answers_the_changed_cells(client_for, sheet_world, lead):
    rows = [["key", "title", "priority"], ["OPS-1", "Renew all certificates", "high"]]
    response = _post(client_for(lead), make_xlsx(rows), "tasks.xlsx")
    assert response.status_code == 200
    body = response.json()
    assert body["changes"] == [
        {"row": 2, "key": "OPS-1", "changes": {"title": ["Renew certificates", "Renew all certificates"]}}
    ]  # fmt: skip
    assert (body["updated"], body["imported"]) == (1, False)
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"


LOOKALIKES = [
    ["key", "team", "title", "due_date"],
    ["", "OPS", "Renew certificates", "2026-12-01"],
    ["", "OPS", "Write the runbook", ""],
]


def test_lookalikes_are_a_warning_and_can_be_skipped(client_for, sheet_world, lead):
    client = client_for(lead)
    checked = _post(client, make_csv(LOOKALIKES)).json()
    assert checked["lookalikes"] == [{"row": 2, "key": "OPS-1"}]
    assert checked["warnings"] == [
        r.LOOKALIKES.format(count=1, rows="row looks like a task that exists", keys="OPS-1")
    ]
    assert (checked["new"], checked["skipped"]) == (2, 0)
    before = Task.objects.count()
    done = _post(client, make_csv(LOOKALIKES), dry_run="false", skip_lookalikes="true").json()
    assert (done["new"], done["skipped"], done["imported"]) == (1, 1, True)
    assert Task.objects.count() == before + 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.xlsx", b"key,title\nOPS-1,x\n", FORMAT_NOT_WORKBOOK.format(name=".xlsx")),
        ("tasks.csv", make_xlsx([["key", "title"], ["OPS-1", "x"]]), FORMAT_NOT_TEXT.format(name=".csv")),
        ("tasks.csv", b"key,title\nOPS-1,Re\x00named\n", CSV_NUL_BYTES),
        ("tasks.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", CSV_NUL_BYTES),
    ],
)  # fmt: skip
def test_hostile_files_answer_400_and_change_nothing(
    client_for, sheet_world, lead, name, content, message
):
    before = list(Task.objects.values_list("pk", "title", "updated_at"))
    response = _post(client_for(lead), content, name, dry_run="false")
    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    assert list(Task.objects.values_list("pk", "title", "updated_at")) == before


def test_an_empty_file_answers_400(client_for, sheet_world, lead):
    response = _post(client_for(lead), b"", dry_run="false")
    assert response.status_code == 400 and "file" in response.json()


def _queries(client, n):
    rows = [LOOKALIKES[0], *[["", "OPS", f"Look {n}-{i}", "2026-12-24"] for i in range(n)]]
    assert _post(client, make_csv(rows), dry_run="false").json()["new"] == n
    with CaptureQueriesContext(connection) as ctx:
        body = _post(client, make_csv(rows)).json()
    assert len(body["lookalikes"]) == n
    return len(ctx.captured_queries)


def test_lookalike_queries_do_not_grow_with_rows(client_for, sheet_world, lead):
    client = client_for(lead)
    assert _queries(client, 10) == _queries(client, 200)
