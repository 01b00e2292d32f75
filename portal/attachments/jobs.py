"""Attachment jobs: scan and make thumbnails after an upload, delete stored files (retrying),
and the weekly removal of stored files no attachment names.

The job runner finds this module as it finds every app's `jobs` module.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.module_loading import import_string
from PIL import Image, ImageOps

from portal.attachments import sniff
from portal.attachments.models import Attachment, ScanState
from portal.attachments.services import (
    DELETE_JOB,
    PROCESS_JOB,
    attachment_scanned,
    attachment_thumbnail_set,
)
from portal.attachments.storage import FOLDER, attachment_storage, new_name
from portal.jobs.registry import register_job
from portal.jobs.runner import JobContext

logger = logging.getLogger(__name__)
CLEANUP_JOB = "attachments_cleanup"
SCAN_REFUSED = "The scanner refused the file."


def scan(attachment: Attachment) -> tuple[bool, str]:
    """Run ATTACHMENTS_SCANNER on the stored file: True/"" is clean, False or a reason rejects.
    An error in the scanner fails the job (it is retried), the file stays pending."""
    scanner = import_string(settings.ATTACHMENTS_SCANNER)
    with attachment_storage().open(attachment.storage_name, "rb") as handle:
        verdict = scanner(handle)
    if verdict is True or verdict == "" or verdict is None:
        return True, ""
    return False, verdict if isinstance(verdict, str) else SCAN_REFUSED


def make_thumbnail(attachment: Attachment) -> str:
    """A small copy of the image, without its EXIF (location, camera) or other metadata."""
    # The pixel count is read from the header and checked before anything is decoded (Pillow's
    # own global limit stays as it is: other code in the process shares it).
    side = settings.ATTACHMENTS_THUMBNAIL_SIZE
    with (
        attachment_storage().open(attachment.storage_name, "rb") as handle,
        Image.open(handle) as image,
    ):
        if image.width * image.height > settings.ATTACHMENTS_MAX_IMAGE_PIXELS:
            raise Image.DecompressionBombError("too many pixels")
        image.seek(0)
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((side, side))
        # A fresh image holds only the pixels: no EXIF, ICC, text chunks or comments.
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        suffix = ".png"
    else:
        clean.save(out, "JPEG", quality=85)
        suffix = ".jpg"
    return attachment_storage().save(
        new_name(attachment.task_id, suffix, kind="thumbnails"), ContentFile(out.getvalue())
    )


@register_job(PROCESS_JOB, label="Attachment scan and thumbnail", max_attempts=5)
def attachment_process(ctx: JobContext, *, attachment: int) -> dict:
    item = Attachment.objects.filter(pk=attachment).first()
    if item is None:
        return {"gone": True}
    result: dict = {"attachment": attachment}
    if item.scan_state == ScanState.PENDING:
        if settings.ATTACHMENTS_SCANNER:
            clean, note = scan(item)
        else:
            clean, note = True, ""
        item = attachment_scanned(attachment_id=item.pk, clean=clean, note=note)
        result["scan"] = item.scan_state if item else "gone"
        if item is None:
            return result
    if (
        item.scan_state == ScanState.CLEAN
        and item.content_type in sniff.THUMBNAIL_TYPES
        and not item.thumbnail_name
    ):
        ctx.progress(50, "making the thumbnail")
        try:
            name = make_thumbnail(item)
        except (Image.DecompressionBombError, OSError, ValueError) as exc:
            logger.warning("attachment %s: no thumbnail: %s", item.pk, exc)
            result["thumbnail"] = ""
            return result
        if not attachment_thumbnail_set(attachment_id=item.pk, name=name):
            attachment_storage().delete(name)  # deleted meanwhile
        result["thumbnail"] = name
    return result


@register_job(DELETE_JOB, label="Attachment files deletion", max_attempts=10)
def attachment_files_delete(ctx: JobContext, *, names: list[str]) -> dict:
    """Delete stored files; an error (storage away) fails the attempt and the runner retries."""
    storage = attachment_storage()
    for name in names:
        if name.startswith(f"{FOLDER}/"):
            storage.delete(name)
    return {"deleted": len(names)}


def _walk(storage, folder: str):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def orphans_delete(*, older_than: timedelta | None = None) -> int:
    """Delete stored files under the attachments folder that no attachment names and that are
    older than ATTACHMENTS_ORPHAN_HOURS (a file an upload is writing has no row yet)."""
    storage = attachment_storage()
    older_than = older_than or timedelta(hours=settings.ATTACHMENTS_ORPHAN_HOURS)
    before = timezone.now() - older_than
    try:
        found = list(_walk(storage, FOLDER))
    except FileNotFoundError:
        return 0
    known = set(
        Attachment.objects.filter(storage_name__in=found).values_list("storage_name", flat=True)
    ) | set(
        Attachment.objects.filter(thumbnail_name__in=found).values_list("thumbnail_name", flat=True)
    )
    deleted = 0
    for name in found:
        if name in known:
            continue
        if storage.get_modified_time(name) >= before:
            continue
        storage.delete(name)
        deleted += 1
    return deleted


@register_job(CLEANUP_JOB, label="Attachments clean-up")
def attachments_cleanup(ctx: JobContext) -> dict:
    return {"orphans_deleted": orphans_delete()}
