"""A big spreadsheet import on a real cluster: the progress moves, the result page, Run again.

Like tests/jobs/test_cluster.py (whose fixtures it uses): real `manage.py qcluster` processes
on a throwaway redis-server, sharing the PostgreSQL test database.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.jobs.models import Job, JobStatus
from portal.spreadsheets.jobs import SHEET_IMPORT
from portal.tasks.models import Task
from tests.jobs.test_cluster import clusters as clusters
from tests.jobs.test_cluster import needs_postgresql as needs_postgresql
from tests.jobs.test_cluster import redis_server as redis_server
from tests.jobs.test_cluster import wait_for
from tests.sheets import make_csv

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True),
]
ROWS = 6000


def test_big_import_moves_its_progress_bar_and_can_run_again(
    clusters,
    client,
    sheet_world,
    lead,
):
    clusters("a")
    client.force_login(lead)
    rows = [["team", "title", "assignees", "tags"]]
    rows += [["OPS", f"Row {i}", "member", "infra"] for i in range(ROWS)]
    upload = SimpleUploadedFile("big.csv", make_csv(rows))
    response = client.post(
        reverse("admin:tasks_task_import"), {"import_file": upload, "format": "1", "resource": "0"}
    )
    job = Job.objects.get(kind=SHEET_IMPORT)
    page = reverse("admin:tasks_task_sheet_job", args=[job.pk])
    assert response["Location"] == page

    seen = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        state = Job.objects.get(pk=job.pk)
        seen.add(state.progress)
        if state.is_finished:
            break
        time.sleep(0.05)
    assert state.status == JobStatus.SUCCEEDED, state.error
    moving = sorted(p for p in seen if 0 < p < 100)
    assert len(moving) >= 2, seen  # the bar moved while it ran, not only at the end

    html = client.get(page).content.decode()
    assert f'data-count="new">{ROWS} new' in html and "Confirm import" in html

    client.post(page, {"action": "rerun"})
    again = Job.objects.filter(kind=SHEET_IMPORT).latest("pk")
    assert again.pk != job.pk
    wait_for(lambda: Job.objects.get(pk=again.pk).is_finished, 90, "the second run")
    assert Job.objects.get(pk=again.pk).result["new"] == ROWS

    client.post(reverse("admin:tasks_task_sheet_job", args=[again.pk]), {"action": "confirm"})
    real = Job.objects.filter(kind=SHEET_IMPORT).latest("pk")
    wait_for(lambda: Job.objects.get(pk=real.pk).is_finished, 120, "the import")
    assert Job.objects.get(pk=real.pk).result["imported"] is True
    assert Task.objects.filter(title__startswith="Row ").count() == ROWS
