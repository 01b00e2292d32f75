"""Spreadsheet imports and exports as background jobs (over SPREADSHEET_BACKGROUND_ROWS rows).

The doors (the admin's and the API's spreadsheet modules) start them with `sheet_import_start`
and `sheet_export_start` and show them with `sheet_job_for`; this module is the one thing those
doors may import from the job runner (tests/test_layers.py). Files live under SHARED_DIR:
uploads in `imports/`, exports in `exports/`, each named after a random token so a path
cannot be guessed, and both are deleted `SPREADSHEET_EXPORT_RETENTION_DAYS` after they were
written (`sheet_files_purge`, run by the weekly clean-up; downloads refuse older files).
An export's temporary files (openpyxl's sheet, the file before its rename) are written in
the job's own folder, `work/<job id>/`: its next attempt empties it, a finished attempt
removes it, and the clean-up removes what a killed worker left of jobs no longer running.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from portal.accounts.models import User
from portal.core.spreadsheets import (
    SpreadsheetError,
    export_name,
    read_table,
    sheet_resource,
    sheet_rows_for,
    upload_limits,
    write_table,
)
from portal.jobs.models import FINISHED, Job, JobStatus
from portal.jobs.registry import register_job
from portal.jobs.runner import JobContext
from portal.jobs.selectors import jobs_visible_to
from portal.jobs.services import job_rerun, job_start

SHEET_IMPORT, SHEET_EXPORT = "sheet_import", "sheet_export"
SHEET_KINDS = (SHEET_IMPORT, SHEET_EXPORT)
IMPORTS, EXPORTS, WORK = "imports", "exports", "work"
FILE_EXPIRED = "This file has expired (files are kept {days} days); export again."
FILE_MISSING = "The uploaded file is no longer there (files are kept {days} days); upload it again."
PROGRESS_ROWS = 1000  # rows between progress reports of an export
ALREADY_IMPORTED = "An earlier attempt of this job imported the rows; nothing was imported again."


# --- files ---------------------------------------------------------------------------------------
def _shared(relpath: str) -> Path:
    return Path(settings.SHARED_DIR) / relpath


def _token_name(folder: str, suffix: str) -> str:
    return f"{folder}/{timezone.localdate():%Y-%m-%d}/{secrets.token_urlsafe(16)}{suffix}"


def _atomic_write(target: Path, write, work_dir: Path | None = None) -> None:
    """Write through a temporary file (in `work_dir`, or beside the target) and rename it, so
    nobody reads half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = work_dir or target.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def upload_store(data: bytes, fmt: str) -> str:
    """Keep an upload for a background import; returns its path relative to SHARED_DIR."""
    relpath = _token_name(IMPORTS, f".{fmt}")
    _atomic_write(_shared(relpath), lambda out: out.write(data))
    return relpath


def _retention() -> timedelta:
    return timedelta(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS)


def sheet_file(job: Job) -> Path | None:
    """The export file of a finished export job, if it is there and not expired."""
    relpath = (job.result or {}).get("file")
    if job.kind != SHEET_EXPORT or job.status != JobStatus.SUCCEEDED or not relpath:
        return None
    if job.finished_at and timezone.now() - job.finished_at > _retention():
        return None
    path = _shared(relpath)
    return path if path.is_file() else None


def work_folder(job: Job) -> Path:
    """The job's own folder for temporary files."""
    return _shared(f"{WORK}/{job.pk}")


def _fresh_work_folder(job: Job) -> Path:
    """The job's folder, emptied of what an earlier attempt left when its worker was killed."""
    folder = work_folder(job)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _work_purge() -> int:
    """Remove the folders of jobs that are finished or gone; returns how many files."""
    root = _shared(WORK)
    if not root.is_dir():
        return 0
    folders = {f.name: f for f in root.iterdir() if f.is_dir()}
    ids = [int(name) for name in folders if name.isdigit()]
    live = {
        str(pk)
        for pk in Job.objects.filter(pk__in=ids)
        .exclude(status__in=FINISHED)
        .values_list("pk", flat=True)
    }
    deleted = 0
    for name, folder in folders.items():
        if name not in live:
            deleted += sum(1 for path in folder.rglob("*") if path.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return deleted


def sheet_files_purge(*, now: datetime | None = None) -> int:
    """Delete uploads and exports older than the retention, and the temporary files of jobs
    no longer running; returns how many files."""
    cutoff = (now or timezone.now()) - _retention()
    deleted = _work_purge()
    for folder in (IMPORTS, EXPORTS):
        root = _shared(folder)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                deleted += 1
        for day in sorted(root.iterdir(), reverse=True):
            if day.is_dir() and not any(day.iterdir()):
                day.rmdir()
    return deleted


# --- starting and finding jobs (the doors call these) ----------------------------------------------
def sheet_import_start(
    *, user: User, sheet: str, data: bytes, fmt: str, name: str, dry_run: bool = True
) -> Job:
    """Keep the upload and start checking (or importing) it in the background."""
    relpath = upload_store(data, fmt)
    return job_start(
        SHEET_IMPORT,
        requester=user,
        sheet=sheet,
        path=relpath,
        fmt=fmt,
        name=name,
        dry_run=dry_run,
    )


def sheet_import_confirm(*, user: User, job: Job) -> Job:
    """Import for real the file a successful dry run checked."""
    params = {**job.params, "dry_run": False}
    return job_start(SHEET_IMPORT, requester=user, **params)


def sheet_export_start(
    *, user: User, sheet: str, fmt: str, filters: dict | None = None, ids: list[int] | None = None
) -> Job:
    return job_start(
        SHEET_EXPORT, requester=user, sheet=sheet, fmt=fmt, filters=filters or {}, ids=ids or []
    )


def sheet_job_for(user: User, pk: Any) -> Job | None:
    """A spreadsheet job the person started (any for administrators), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return jobs_visible_to(fetched_by=user).filter(kind__in=SHEET_KINDS, pk=pk).first()


def sheet_job_rerun(*, user: User, job: Job) -> Job:
    return job_rerun(job=job, requester=user)


def can_confirm(job: Job) -> bool:
    result = job.result or {}
    return (
        job.kind == SHEET_IMPORT
        and job.status == JobStatus.SUCCEEDED
        and job.params.get("dry_run", True)
        and not result.get("errors")
        and _shared(job.params.get("path", "")).is_file()
    )


# --- the jobs --------------------------------------------------------------------------------------
def _requester(ctx: JobContext) -> User:
    return User.objects.get(pk=ctx.job.requester_id)


@register_job(SHEET_IMPORT, label="Spreadsheet import")
def sheet_import(
    ctx: JobContext, *, sheet: str, path: str, fmt: str, name: str = "", dry_run: bool = True
) -> dict:
    """Check (dry run) or import a stored upload as its requester, all or nothing.

    Idempotent: the rows and the note that they are written commit together (`on_written`), so
    a run repeated after its worker died does not import them twice.
    """
    if (ctx.job.result or {}).get("imported"):
        return {**ctx.job.result, "note": ALREADY_IMPORTED}
    user = _requester(ctx)
    source = _shared(path)
    if not source.is_file():
        raise SpreadsheetError(FILE_MISSING.format(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS))
    ctx.progress(1, "reading the file")
    table = read_table(source.read_bytes(), fmt, **upload_limits())
    resource = sheet_resource(sheet)()

    def written() -> None:
        Job.objects.filter(pk=ctx.job.pk).update(result={"imported": True, "sheet": sheet})

    result = resource.import_data(
        table, dry_run=dry_run, user=user, progress=ctx.progress, on_written=written
    )
    return {
        **result.summary(),
        "sheet": sheet,
        "name": name,
        "dry_run": dry_run,
        "imported": not dry_run and not result.problems,
    }


@register_job(SHEET_EXPORT, label="Spreadsheet export")
def sheet_export(
    ctx: JobContext, *, sheet: str, fmt: str, filters: dict | None = None, ids: list | None = None
) -> dict:
    """Write the rows the requester may see to SHARED_DIR/exports/ (streaming, flat memory)."""
    user = _requester(ctx)
    if ids and sheet == "tasks":
        filters = {"is_archived": "all"}  # selected rows are exported archived or not
    queryset = sheet_rows_for(sheet, user, filters or None)
    if ids:
        queryset = queryset.filter(pk__in=ids)
    total = queryset.count() or 1
    resource = sheet_resource(sheet)()
    relpath = ctx.job.result.get("file") if ctx.job.result else None
    relpath = relpath or _token_name(EXPORTS, f".{fmt}")
    last = [time.monotonic()]

    def counted(rows):
        for done, row in enumerate(rows, start=1):
            if done % PROGRESS_ROWS == 0 and time.monotonic() - last[0] > 0.2:
                last[0] = time.monotonic()
                ctx.progress(99 * done / total, f"{done} of {total} rows written")
            yield row

    written = [0]
    work = _fresh_work_folder(ctx.job)

    def write(out):
        rows = counted(resource.rows(queryset))
        written[0] = write_table(out, fmt, resource.headers(), rows, work_dir=work)

    ctx.progress(0, f"writing {total} rows")
    try:
        _atomic_write(_shared(relpath), write, work_dir=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    name = export_name(sheet, fmt)
    return {"file": relpath, "rows": written[0], "name": name, "sheet": sheet}
