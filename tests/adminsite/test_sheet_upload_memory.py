"""A sheet that declares a huge size costs little at every door that reads uploads."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from tests.hostile_sheets import MEMORY_LIMIT_MB, declared_huge_xlsx, peak_mb

XLSX = "0"  # the format's position in SpreadsheetAdmin.formats


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"


def _within_limits(call):
    started = time.monotonic()
    peak, value = peak_mb(call)
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert time.monotonic() - started < 20
    return value


def test_the_api(sheet_world, lead):
    client = APIClient()
    client.force_authenticate(lead)
    upload = SimpleUploadedFile("tasks.xlsx", declared_huge_xlsx())
    response = _within_limits(
        lambda: client.post("/api/tasks/import/?dry_run=true", {"file": upload}, format="multipart")
    )
    # Read as what it holds: a header and one row (OPS-1, unchanged), not 8,000 x 16,384 cells.
    assert response.status_code == 200
    assert (response.json()["rows"], response.json()["unchanged"]) == (1, 1)


def test_the_admin(client, sheet_world, lead):
    client.force_login(lead)
    upload = SimpleUploadedFile("tasks.xlsx", declared_huge_xlsx())
    response = _within_limits(
        lambda: client.post(
            reverse("admin:tasks_task_import"),
            {"import_file": upload, "format": XLSX, "resource": "0"},
        )
    )
    assert response.status_code == 200
    assert response.context["result"].counts()["rows"] == 1


def test_the_command(tmp_path, sheet_world, lead):
    source = tmp_path / "huge.xlsx"
    source.write_bytes(declared_huge_xlsx())
    out = io.StringIO()

    def run():
        call_command("import", "tasks", str(source), "--user=lead", "--dry-run", stdout=out)

    _within_limits(run)
    assert out.getvalue().startswith("Checked: 0 new, 0 updated, 1 unchanged, 0 error(s).")
