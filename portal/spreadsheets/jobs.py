"""The spreadsheet job kinds: imports and exports over SPREADSHEET_BACKGROUND_ROWS rows.

The job runner finds this module as it finds every app's `jobs` module (portal.jobs.registry);
`portal.spreadsheets.services` starts these jobs and shows them. Uploads are kept in
SHARED_DIR/imports/ and exports written to SHARED_DIR/exports/ (portal.core.files), each
under a random token; an export's temporary files go to the job's own work folder.
"""

from __future__ import annotations

import shutil
import time

from django.conf import settings

from portal.accounts.models import User
from portal.core.files import EXPORTS, atomic_write, shared_path, token_name
from portal.core.replica import replica_reads
from portal.core.sheet_reading import SpreadsheetError, read_table, upload_limits
from portal.core.spreadsheets import export_name, write_table
from portal.jobs.files import fresh_work_folder
from portal.jobs.models import Job
from portal.jobs.registry import register_job
from portal.jobs.runner import JobContext
from portal.spreadsheets.registry import sheet_resource, sheet_rows_for, sheet_title

SHEET_IMPORT, SHEET_EXPORT = "sheet_import", "sheet_export"
SHEET_KINDS = (SHEET_IMPORT, SHEET_EXPORT)
FILE_MISSING = "The uploaded file is no longer there (files are kept {days} days); upload it again."
PROGRESS_ROWS = 1000  # rows between progress reports of an export
ALREADY_IMPORTED = "An earlier attempt of this job imported the rows; nothing was imported again."


def _requester(ctx: JobContext) -> User:
    return User.objects.get(pk=ctx.job.requester_id)


@register_job(SHEET_IMPORT, label="Spreadsheet import")
def sheet_import(
    ctx: JobContext,
    *,
    sheet: str,
    path: str,
    fmt: str,
    name: str = "",
    dry_run: bool = True,
    skip_lookalikes: bool = False,
) -> dict:
    """Check (dry run) or import a stored upload as its requester, all or nothing.

    Idempotent: the rows and the note that they are written commit together (`on_written`), so
    a run repeated after its worker died does not import them twice.
    """
    if (ctx.job.result or {}).get("imported"):
        return {**ctx.job.result, "note": ALREADY_IMPORTED}
    user = _requester(ctx)
    source = shared_path(path)
    if not source.is_file():
        raise SpreadsheetError(FILE_MISSING.format(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS))
    ctx.progress(1, "reading the file")
    table = read_table(source.read_bytes(), fmt, **upload_limits())
    resource = sheet_resource(sheet)()

    def written() -> None:
        Job.objects.filter(pk=ctx.job.pk).update(result={"imported": True, "sheet": sheet})

    result = resource.import_data(
        table,
        dry_run=dry_run,
        user=user,
        progress=ctx.progress,
        on_written=written,
        skip_lookalikes=skip_lookalikes,
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
    relpath = relpath or token_name(EXPORTS, f".{fmt}")
    last = [time.monotonic()]

    def counted(rows):
        for done, row in enumerate(rows, start=1):
            if done % PROGRESS_ROWS == 0 and time.monotonic() - last[0] > 0.2:
                last[0] = time.monotonic()
                ctx.progress(99 * done / total, f"{done} of {total} rows written")
            yield row

    written = [0]
    work = fresh_work_folder(ctx.job)

    def write(out):
        # Read from the read replica when there is one, like every export (progress reports
        # are writes: they go to the primary).
        with replica_reads():
            rows = counted(resource.rows(queryset))
            headers, title = resource.headers(queryset), sheet_title(sheet)
            written[0] = write_table(out, fmt, headers, rows, work_dir=work, title=title)

    ctx.progress(0, f"writing {total} rows")
    try:
        atomic_write(shared_path(relpath), write, work_dir=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    name = export_name(sheet, fmt)
    return {"file": relpath, "rows": written[0], "name": name, "sheet": sheet}
