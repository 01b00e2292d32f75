"""What every request and response goes through: NUL characters in the query string are a 400
on every door (PostgreSQL refuses them), downloads are never cached, pages are never framed."""

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from rest_framework.test import APIClient

from portal.core.middleware import QUERY_NUL, FrameOptionsMiddleware
from portal.jobs.runner import run_job
from portal.spreadsheets.services import sheet_export_start


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tasks/task/?status__exact=%00",
        "/admin/tasks/task/?q=ab%00c",
        "/admin/tasks/task/?%00=1",
        "/admin/autocomplete/?term=%00&app_label=tasks&model_name=task&field_name=parent",
        "/admin/search/?s=%00",
        "/accounts/login/?next=%00",
    ],
)
def test_pages_answer_400_in_text(client, member, path):
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 400
    assert response.content.decode() == QUERY_NUL


@pytest.mark.parametrize(
    "path", ["/api/tasks/?search=%00", "/api/users/?search=%00", "/api/tags/?search=x%00"]
)
def test_api_answers_400_in_json(client, member, path):
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 400
    assert response.json() == {"detail": QUERY_NUL}


def test_ordinary_queries_pass(client, member):
    client.force_login(member)
    assert client.get("/admin/tasks/task/?q=printer").status_code == 200


# --- downloads are private, the portal is never framed ------------------------------------------
@pytest.fixture
def finished_export(settings, tmp_path, sheet_world, lead):
    """A background export of the task sheet, written, for `lead`."""
    settings.SHARED_DIR = tmp_path / "shared"
    job = sheet_export_start(user=lead, sheet="tasks", fmt="csv")
    assert run_job(job.pk) == "succeeded"
    return job


def _download_doors(job, team):
    return {
        "api export": ("api", "/api/tasks/export/?file_format=csv", None),
        "api export xlsx": ("api", "/api/tasks/export/?file_format=xlsx", None),
        "api job download": ("api", f"/api/spreadsheet-jobs/{job.pk}/download/", None),
        "admin export": ("admin", reverse("admin:tasks_task_export"), EXPORT_FORM),
        "admin job download": (
            "admin",
            reverse("admin:tasks_task_sheet_job_download", args=[job.pk]),
            None,
        ),
        "admin import template": (
            "admin",
            reverse("admin:tasks_task_import_template"),
            None,
        ),
        "report export csv": ("page", f"/teams/{team.slug}/reports/export.csv", None),
        "report export xlsx": ("page", f"/teams/{team.slug}/reports/export.xlsx", None),
    }


EXPORT_FORM = {"format": "1", "resource": "0"}  # CSV, the task sheet


def test_every_download_is_private_and_not_stored(client, finished_export, lead, team):
    api = APIClient()
    api.force_authenticate(lead)
    client.force_login(lead)
    for door, (kind, url, form) in _download_doors(finished_export, team).items():
        http = api if kind == "api" else client
        response = http.post(url, form) if form else http.get(url)
        assert response.status_code == 200, door
        assert response["Content-Disposition"].startswith("attachment"), door
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives and "public" not in directives, door


def test_pages_that_are_not_downloads_keep_their_own_caching(client, lead, team):
    client.force_login(lead)
    response = client.get(f"/teams/{team.slug}/reports/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_admin_task_pages_are_never_framed(client, sheet_world, lead):
    client.force_login(lead)
    task = sheet_world["parent"]
    for url in (
        reverse("admin:tasks_task_changelist"),
        reverse("admin:tasks_task_change", args=[task.pk]),
        reverse("admin:tasks_task_add"),
        reverse("admin:tasks_task_history", args=[task.pk]),
        reverse("admin:tasks_tag_changelist"),
        reverse("admin:index"),
        "/api/tasks/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url


def test_a_view_exempt_from_the_header_stays_exempt(rf):
    view = xframe_options_exempt(lambda request: HttpResponse("ok"))
    middleware = FrameOptionsMiddleware(view)
    assert "X-Frame-Options" not in middleware(rf.get("/"))
    assert (
        FrameOptionsMiddleware(lambda r: HttpResponse())(rf.get("/"))["X-Frame-Options"] == "DENY"
    )
