"""Big spreadsheet imports and exports as background jobs: admin and API doors, files, expiry."""

import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.jobs.files import sheet_files_purge
from portal.jobs.models import Job, JobStatus
from portal.jobs.runner import run_job
from portal.spreadsheets.jobs import SHEET_EXPORT, SHEET_IMPORT, sheet_import
from portal.tasks.models import Task
from portal.tasks.resources import LOOKALIKES_SKIPPED
from portal.tasks.services import ASSIGNEE_NOT_MEMBER
from portal.teams.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.sheets import as_dicts, make_csv, read_csv

IMPORT = reverse("admin:tasks_task_import")
EXPORT = reverse("admin:tasks_task_export")
CSV = "1"


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.SPREADSHEET_BACKGROUND_ROWS = 2


def _job_url(job):
    return reverse("admin:tasks_task_sheet_job", args=[job.pk])


def _upload(client, rows):
    upload = SimpleUploadedFile("tasks.csv", make_csv(rows))
    return client.post(IMPORT, {"import_file": upload, "format": CSV, "resource": "0"})


def _latest(kind):
    return Job.objects.filter(kind=kind).latest("pk")


ROWS = [
    ["team", "title", "assignees"],
    ["OPS", "One", "member"],
    ["OPS", "Two", ""],
    ["OPS", "Three", ""],
]


def test_big_import_is_checked_then_confirmed_in_the_background(client, sheet_world, lead):
    client.force_login(lead)
    response = _upload(client, ROWS)
    job = _latest(SHEET_IMPORT)
    assert response.status_code == 302 and response["Location"] == _job_url(job)
    assert job.params["dry_run"] is True and job.requester == lead
    waiting = client.get(_job_url(job))
    assert '<meta http-equiv="refresh"' in waiting.content.decode()

    assert run_job(job.pk) == "succeeded"
    page = client.get(_job_url(job))
    html = page.content.decode()
    assert 'data-count="new">3 new' in html and "Confirm import" in html
    assert '<meta http-equiv="refresh"' not in html
    assert Task.objects.filter(title="Three").count() == 0

    confirmed = client.post(_job_url(job), {"action": "confirm"})
    real = _latest(SHEET_IMPORT)
    assert real.pk != job.pk and confirmed["Location"] == _job_url(real)
    assert real.params["dry_run"] is False
    run_job(real.pk)
    assert Job.objects.get(pk=real.pk).result["imported"] is True
    new = Task.objects.filter(title__in=["One", "Two", "Three"]).order_by("number")
    assert [t.number for t in new] == [3, 4, 5]
    assert {t.history.get().history_user for t in new} == {lead}


def test_errors_then_run_again_after_the_fix(client, sheet_world, lead, other_team):
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(user=newcomer, team=other_team, role=Role.MEMBER)
    MembershipFactory(user=lead, team=other_team, role=Role.MEMBER)  # so lead sees newcomer
    client.force_login(lead)
    rows = [["team", "title", "assignees"]] + [["OPS", f"T{i}", "newcomer"] for i in range(3)]
    _upload(client, rows)
    job = _latest(SHEET_IMPORT)
    run_job(job.pk)
    html = client.get(_job_url(job)).content.decode()
    message = ASSIGNEE_NOT_MEMBER.format(names="newcomer", team="OPS")
    assert ">3 errors</span>" in html and message in html
    assert "Confirm import" not in html

    # The fix is in the portal: newcomer joins OPS. Run the same check again.
    MembershipFactory(user=newcomer, team=sheet_world["parent"].team, role=Role.MEMBER)
    client.post(_job_url(job), {"action": "rerun"})
    again = _latest(SHEET_IMPORT)
    assert again.pk != job.pk and again.params == job.params
    run_job(again.pk)
    assert "Confirm import" in client.get(_job_url(again)).content.decode()


def test_a_real_import_run_twice_imports_once(sheet_world, lead):
    from portal.spreadsheets.services import sheet_import_start

    job = sheet_import_start(
        user=lead, sheet="tasks", data=make_csv(ROWS), fmt="csv", name="t.csv", dry_run=False
    )
    run_job(job.pk)
    count = Task.objects.count()
    # The watchdog hands a run whose worker died after committing to a new attempt.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()

    class Ctx:
        def __init__(self, job):
            self.job = job

        def progress(self, *args):
            pass

    sheet_import(Ctx(job), **job.params)
    assert Task.objects.count() == count


def test_big_export_is_written_by_a_job_for_its_requester_only(client, sheet_world, lead, member):
    from portal.tasks.services import task_create

    for i in range(3):
        task_create(actor=lead, team=sheet_world["parent"].team, title=f"Extra {i}", priority="low")
    client.force_login(lead)
    response = client.post(f"{EXPORT}?priority=low", {"format": CSV, "resource": "0"})
    job = _latest(SHEET_EXPORT)
    assert response["Location"] == _job_url(job)
    assert job.params["filters"] == {"priority": "low"}
    run_job(job.pk)
    page = client.get(_job_url(job)).content.decode()
    download = reverse("admin:tasks_task_sheet_job_download", args=[job.pk])
    assert download in page
    content = b"".join(client.get(download).streaming_content)
    assert sorted(r["title"] for r in as_dicts(read_csv(content))) == [
        "Extra 0",
        "Extra 1",
        "Extra 2",
    ]

    client.force_login(member)  # someone else: the job and its file do not exist for them
    assert client.get(_job_url(job)).status_code == 404
    assert client.get(download).status_code == 404


def test_export_files_expire(client, sheet_world, lead, settings):
    from portal.spreadsheets.services import sheet_export_start

    job = sheet_export_start(user=lead, sheet="tasks", fmt="csv")
    run_job(job.pk)
    job.refresh_from_db()
    path = settings.SHARED_DIR / job.result["file"]
    assert path.is_file()
    client.force_login(lead)
    download = reverse("admin:tasks_task_sheet_job_download", args=[job.pk])
    assert client.get(download).status_code == 200
    old = timezone.now() - timedelta(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS + 1)
    Job.objects.filter(pk=job.pk).update(finished_at=old)
    assert client.get(download).status_code == 404
    os.utime(path, (old.timestamp(), old.timestamp()))
    assert sheet_files_purge() == 1
    assert not path.exists()


def test_weekly_cleanup_purges_sheet_files(settings, sheet_world, lead):
    from portal.jobs.runner import run_scheduled

    run_scheduled("archive_cleanup")
    assert Job.objects.get(kind="archive_cleanup").result["sheet_files_deleted"] == 0


@pytest.fixture
def client_for():
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make


def test_api_hands_big_exports_and_imports_to_jobs(client_for, sheet_world, lead, member):
    client = client_for(lead)
    response = client.get("/api/tasks/export/", {"file_format": "xlsx", "search": ""})
    # Two tasks are not more than the threshold of 2: answered at once.
    assert response.status_code == 200
    from portal.tasks.services import task_create

    task_create(actor=lead, team=sheet_world["parent"].team, title="Third")
    response = client.get("/api/tasks/export/", {"file_format": "csv"})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["download"]) == ("queued", None)
    run_job(body["id"])
    done = client.get(body["url"]).json()
    assert done["status"] == "succeeded" and done["result"]["rows"] == 3
    rows = read_csv(client.get(done["download"]).getvalue())
    assert len(rows) == 4
    assert client_for(member).get(body["url"]).status_code == 404

    upload = SimpleUploadedFile("tasks.csv", make_csv(ROWS))
    response = client.post("/api/tasks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202
    run_job(response.json()["id"])
    result = client.get(response.json()["url"]).json()["result"]
    assert (result["new"], result["dry_run"], result["imported"]) == (3, True, False)


def test_selected_rows_are_exported_archived_or_not(client, sheet_world, lead, settings):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from portal.tasks.services import task_create

    team = sheet_world["parent"].team
    chosen = [
        task_create(actor=lead, team=team, title=f"Old {i}", is_archived=True) for i in range(3)
    ]
    client.force_login(lead)
    ids = [t.pk for t in chosen]
    response = client.post(
        f"{EXPORT}?is_archived=all",
        {"format": CSV, "resource": "0", "export_items": ids, ACTION_CHECKBOX_NAME: ids},
    )
    job = _latest(SHEET_EXPORT)
    assert response["Location"] == _job_url(job) and sorted(job.params["ids"]) == sorted(ids)
    run_job(job.pk)
    job.refresh_from_db()
    content = (settings.SHARED_DIR / job.result["file"]).read_bytes()
    assert sorted(r["title"] for r in as_dicts(read_csv(content))) == ["Old 0", "Old 1", "Old 2"]


def test_a_background_check_shows_changes_and_lookalikes_and_confirm_keeps_the_skip(
    client, sheet_world, lead
):
    client.force_login(lead)
    rows = [
        ["key", "team", "title", "due_date"],
        ["OPS-2", "OPS", "Retitled", ""],
        ["", "OPS", "Renew certificates", "2026-12-01"],  # looks like OPS-1
        ["", "OPS", "Fresh", ""],
    ]
    upload = SimpleUploadedFile("tasks.csv", make_csv(rows))
    data = {"import_file": upload, "format": "", "resource": "0", "skip_lookalikes": "on"}
    client.post(IMPORT, data)
    job = _latest(SHEET_IMPORT)
    assert job.params["skip_lookalikes"] is True
    assert run_job(job.pk) == "succeeded"
    html = client.get(_job_url(job)).content.decode()
    assert 'data-row="2" data-column="title"' in html and "Retitled" in html
    assert 'data-count="skipped">1 look-alike left out' in html
    assert (
        LOOKALIKES_SKIPPED.format(count=1, rows="row looks like a task that exists", keys="OPS-1")
        in html
    )
    client.post(_job_url(job), {"action": "confirm"})
    real = _latest(SHEET_IMPORT)
    assert real.params["skip_lookalikes"] is True
    before = Task.objects.count()
    run_job(real.pk)
    assert Task.objects.count() == before + 1
    assert Task.objects.get(pk=sheet_world["child"].pk).title == "Retitled"
