"""The one way into spreadsheet import and export, for every door (admin, API, `manage.py`).

`sheet_import` reads an upload (size and row limits, format from the file's name) and
`sheet_export` the rows a person may see; each decides whether the work is done at once or,
over SPREADSHEET_BACKGROUND_ROWS rows, handed to a background job, and names the file. The
doors show the outcome: a result or a file, or the job to follow (`sheet_job_for`,
`sheet_file`, `sheet_import_confirm`, `sheet_job_rerun`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.core import files
from portal.core.replica import replica_reads
from portal.core.resources import SheetResult
from portal.core.sheet_reading import (
    Table,
    check_size,
    detect_format,
    read_table,
    upload_limits,
)
from portal.core.spreadsheets import as_bytes, download, export_name, write_table
from portal.jobs.models import Job, JobStatus
from portal.jobs.selectors import jobs_visible_to
from portal.jobs.services import job_rerun, job_start
from portal.spreadsheets.jobs import SHEET_EXPORT, SHEET_IMPORT, SHEET_KINDS
from portal.spreadsheets.registry import (
    background_rows,
    sheet_named,
    sheet_resource,
    sheet_rows_for,
    sheet_title,
)

FILE_EXPIRED = "This file has expired (files are kept {days} days); export again."


# --- import ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetImport:
    """What became of an upload: its rows of data, and the result (done at once) or the job."""

    rows: int
    result: SheetResult | None = None
    job: Job | None = None


def upload_format(name: str, data: bytes, *, given: str | None = None) -> str:
    """The format of an upload from its name (or `given`) and its bytes (`detect_format`),
    refusing one over the size limit first. Every door calls it, through `sheet_import`."""
    check_size(len(data), upload_limits()["max_bytes"])
    return detect_format(name, data, given)


def check_upload_size(size: int) -> None:
    """Refuse an upload over the size limit before its bytes are read."""
    check_size(size, upload_limits()["max_bytes"])


def read_upload(data: bytes, fmt: str) -> Table:
    """An upload's first sheet, within the limits; SpreadsheetError says what is wrong."""
    return read_table(data, fmt, **upload_limits())


def sheet_import(
    *,
    user: User,
    sheet: str,
    data: bytes,
    name: str = "",
    fmt: str | None = None,
    dry_run: bool = True,
    skip_lookalikes: bool = False,
    background: bool = True,
    inline: bool = True,
) -> SheetImport:
    """Check (`dry_run`) or import an upload as `user`, all or nothing.

    The format comes from the file's name and bytes (`fmt` if the person gave one, which must
    agree with the bytes). `skip_lookalikes` leaves out rows without a key that look like a
    task that exists (the task sheet's warning). Over SPREADSHEET_BACKGROUND_ROWS rows (unless `background` is off, as on the command line)
    the upload is kept and a job does the work. A smaller file is imported at once, or with
    `inline` off left to the caller (the admin's preview page reads it itself).
    """
    fmt = upload_format(name, data, given=fmt)
    table = read_upload(data, fmt)
    if background and len(table) > background_rows():
        job = sheet_import_start(
            user=user,
            sheet=sheet,
            data=data,
            fmt=fmt,
            name=name,
            dry_run=dry_run,
            skip_lookalikes=skip_lookalikes,
        )
        return SheetImport(rows=len(table), job=job)
    if not inline:
        return SheetImport(rows=len(table))
    result = sheet_resource(sheet)().import_data(
        table, dry_run=dry_run, user=user, skip_lookalikes=skip_lookalikes
    )
    return SheetImport(rows=len(table), result=result)


def sheet_import_start(
    *,
    user: User,
    sheet: str,
    data: bytes,
    fmt: str,
    name: str,
    dry_run: bool = True,
    skip_lookalikes: bool = False,
) -> Job:
    """Keep the upload and start checking (or importing) it in the background."""
    relpath = files.upload_store(data, f".{fmt}")
    params = {"sheet": sheet, "path": relpath, "fmt": fmt, "name": name, "dry_run": dry_run}
    if skip_lookalikes:
        params["skip_lookalikes"] = True
    return job_start(SHEET_IMPORT, requester=user, **params)


def sheet_import_confirm(*, user: User, job: Job) -> Job:
    """Import for real the file a successful dry run checked."""
    params = {**job.params, "dry_run": False}
    return job_start(SHEET_IMPORT, requester=user, **params)


def can_confirm(job: Job) -> bool:
    result = job.result or {}
    return (
        job.kind == SHEET_IMPORT
        and job.status == JobStatus.SUCCEEDED
        and job.params.get("dry_run", True)
        and not result.get("errors")
        and files.stored_file(job.params.get("path", "")) is not None
    )


# --- export ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetExport:
    """An export: the file to write at once (`write`, `response`), or the job writing it."""

    fmt: str
    name: str = ""
    rows: int | None = None  # counted when the choice between now and a job needed it
    job: Job | None = None
    resource: Any = None
    queryset: QuerySet | None = None
    title: str = "Sheet1"  # the XLSX worksheet's name

    def write(self, out: BinaryIO) -> int:
        """Write the rows to `out`, streaming; returns how many. Read from the read replica
        when there is one, like every export (portal/core/replica.py)."""
        with replica_reads():
            headers = self.resource.headers(self.queryset)
            rows = self.resource.rows(self.queryset)
            return write_table(out, self.fmt, headers, rows, title=self.title)

    def response(self):
        """The file as a download (read as `write` reads)."""
        with replica_reads():
            headers = self.resource.headers(self.queryset)
            rows = self.resource.rows(self.queryset)
            content = as_bytes(self.fmt, headers, rows, title=self.title)
        return download(content, self.fmt, self.name)


def sheet_export(
    *,
    user: User,
    sheet: str,
    fmt: str,
    rows: QuerySet | None = None,
    filters: dict[str, Any] | None = None,
    stem: str = "",
    background: bool = True,
) -> SheetExport:
    """The rows of `sheet` that `user` may see, as a CSV or XLSX file named after `stem` (the
    sheet's name by default) and today.

    `rows` is the door's own list (the admin's changelist), else the sheet's rows with
    `filters`. Over SPREADSHEET_BACKGROUND_ROWS rows (unless `background` is off, as on the
    command line) a job writes the file: with `filters` when the sheet takes them, else with
    the rows' ids.
    """
    sheet = sheet_named(sheet).name
    queryset = rows if rows is not None else sheet_rows_for(sheet, user, filters)
    resource = sheet_resource(sheet)()
    name, title = export_name(stem or sheet, fmt), sheet_title(stem or sheet)
    if not background:
        return SheetExport(fmt, name, resource=resource, queryset=queryset, title=title)
    count = queryset.count()
    if count <= background_rows():
        return SheetExport(fmt, name, count, resource=resource, queryset=queryset, title=title)
    if filters is not None and sheet_named(sheet).takes_filters:
        job = sheet_export_start(user=user, sheet=sheet, fmt=fmt, filters=filters)
    else:
        ids = list(queryset.values_list("pk", flat=True))
        job = sheet_export_start(user=user, sheet=sheet, fmt=fmt, ids=ids)
    return SheetExport(fmt, name, count, job=job)


def sheet_export_start(
    *, user: User, sheet: str, fmt: str, filters: dict | None = None, ids: list[int] | None = None
) -> Job:
    return job_start(
        SHEET_EXPORT, requester=user, sheet=sheet, fmt=fmt, filters=filters or {}, ids=ids or []
    )


def sheet_file(job: Job) -> Path | None:
    """The export file of a finished export job, if it is there and not expired."""
    relpath = (job.result or {}).get("file")
    if job.kind != SHEET_EXPORT or job.status != JobStatus.SUCCEEDED or not relpath:
        return None
    if files.is_expired(job.finished_at):
        return None
    return files.stored_file(relpath)


# --- the jobs a person started ----------------------------------------------------------------------
def sheet_job_for(user: User, pk: Any) -> Job | None:
    """A spreadsheet job the person started (any for administrators), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return jobs_visible_to(fetched_by=user).filter(kind__in=SHEET_KINDS, pk=pk).first()


def sheet_job_rerun(*, user: User, job: Job) -> Job:
    return job_rerun(job=job, requester=user)
