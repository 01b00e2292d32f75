"""A job's files: its own work folder for temporary files, and the weekly purge of stored files.

A job that writes a big file keeps its temporary files in `work/<job id>/` (portal.core.files):
its next attempt empties the folder, a finished attempt removes it, and the weekly clean-up
removes what a killed worker left of jobs no longer queued or running.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from portal.core import files
from portal.jobs.models import FINISHED, Job


def work_folder(job: Job) -> Path:
    """The job's own folder for temporary files."""
    return files.work_folder(job.pk)


def fresh_work_folder(job: Job) -> Path:
    """The job's folder, emptied of what an earlier attempt left when its worker was killed."""
    return files.fresh_work_folder(job.pk)


def sheet_files_purge(*, now: datetime | None = None) -> int:
    """Delete stored uploads and exports older than the retention, and the temporary files of
    jobs no longer running; returns how many files."""
    ids = [int(name) for name in files.work_folder_names() if name.isdigit()]
    live = Job.objects.filter(pk__in=ids).exclude(status__in=FINISHED).values_list("pk", flat=True)
    deleted = files.work_folders_purge(keep={str(pk) for pk in live})
    return deleted + files.files_purge(now=now)
