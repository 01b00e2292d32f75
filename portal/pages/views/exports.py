"""A list's export written in the background: its page (status, then the file) and the file."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from portal.spreadsheets.services import FILE_EXPIRED, sheet_file, sheet_job_for

from .base import page_view, render_page


def _job_or_404(user, job_id: int):
    job = sheet_job_for(user, job_id)
    if job is None:
        raise Http404
    return job


@page_view
@require_GET
def export_job(request, job_id: int):
    job = _job_or_404(request.user, job_id)
    context = {
        "title": "Export",
        "job": job,
        "ready": sheet_file(job) is not None,
        "expired": FILE_EXPIRED.format(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS),
    }
    return render_page(request, "teams/export_job.html", context)


@page_view
@require_GET
def export_file(request, job_id: int):
    job = _job_or_404(request.user, job_id)
    path = sheet_file(job)
    if path is None:
        raise Http404(FILE_EXPIRED.format(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("name"))
