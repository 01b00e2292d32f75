"""Files the portal keeps in SHARED_DIR, the folder every web process and worker shares.

Stored files are named after a random token under a folder of the day they were written
(`exports/2026-12-06/<token>.xlsx`), so a path cannot be guessed; they are written through a
temporary file and renamed, so nobody reads half a file; and they are deleted
`SPREADSHEET_EXPORT_RETENTION_DAYS` after they were written (`files_purge`, run by the weekly
clean-up). A background job's temporary files go to its own folder, `work/<name>/`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils import timezone

# The folders of SHARED_DIR: uploads kept for a later step, files made for download, and the
# temporary files of work in progress.
UPLOADS, EXPORTS, WORK = "imports", "exports", "work"


def shared_path(relpath: str) -> Path:
    """A path relative to SHARED_DIR as a full path."""
    return Path(settings.SHARED_DIR) / relpath


def token_name(folder: str, suffix: str) -> str:
    """A new file's path relative to SHARED_DIR: `folder/<today>/<random token><suffix>`."""
    return f"{folder}/{timezone.localdate():%Y-%m-%d}/{secrets.token_urlsafe(16)}{suffix}"


def atomic_write(
    target: Path, write: Callable[[BinaryIO], object], work_dir: Path | None = None
) -> None:
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


def upload_store(data: bytes, suffix: str) -> str:
    """Keep an upload for a later step; returns its path relative to SHARED_DIR."""
    relpath = token_name(UPLOADS, suffix)
    atomic_write(shared_path(relpath), lambda out: out.write(data))
    return relpath


def retention() -> timedelta:
    """How long stored uploads and exports are kept."""
    return timedelta(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS)


def is_expired(written_at: datetime | None) -> bool:
    """Whether a file written at `written_at` is past the retention (downloads refuse it)."""
    return written_at is not None and timezone.now() - written_at > retention()


def stored_file(relpath: str) -> Path | None:
    """A stored file by its path relative to SHARED_DIR, if it is there."""
    path = shared_path(relpath) if relpath else None
    return path if path is not None and path.is_file() else None


def files_purge(*, now: datetime | None = None, folders: Iterable[str] = (UPLOADS, EXPORTS)) -> int:
    """Delete stored files older than the retention (and the day folders left empty);
    returns how many files."""
    cutoff = ((now or timezone.now()) - retention()).timestamp()
    deleted = 0
    for folder in folders:
        root = shared_path(folder)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
        for day in sorted(root.iterdir(), reverse=True):
            if day.is_dir() and not any(day.iterdir()):
                day.rmdir()
    return deleted


# --- work folders: temporary files of work in progress --------------------------------------
def work_folder(name: str | int) -> Path:
    """The folder of one piece of work (a job) for its temporary files."""
    return shared_path(f"{WORK}/{name}")


def fresh_work_folder(name: str | int) -> Path:
    """The work folder, emptied of what an earlier attempt left when its process was killed."""
    folder = work_folder(name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def work_folder_names() -> list[str]:
    root = shared_path(WORK)
    return [f.name for f in root.iterdir() if f.is_dir()] if root.is_dir() else []


def work_folders_purge(*, keep: Iterable[str]) -> int:
    """Remove every work folder but those named in `keep`; returns how many files they held."""
    kept = set(keep)
    deleted = 0
    for name in work_folder_names():
        if name not in kept:
            folder = work_folder(name)
            deleted += sum(1 for path in folder.rglob("*") if path.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return deleted
