"""Attach files to tasks and comments, and delete them.

An upload is read once, chunk by chunk, from what Django's upload handlers hold (a temporary
file past FILE_UPLOAD_MAX_MEMORY_SIZE): its type is sniffed from its bytes, its SHA-256 taken
and its limits checked before anything is stored. Refused files leave nothing behind. The file
is stored under a generated name first, then its row is written; if the row fails the file is
deleted again. Scanning and thumbnails are jobs started when the row commits.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from PIL import Image

from portal.accounts.models import User
from portal.attachments import permissions as perms
from portal.attachments import sniff
from portal.attachments.models import Attachment, ScanState, TeamAttachmentSettings
from portal.attachments.names import given_name
from portal.attachments.storage import attachment_storage, new_name
from portal.core.concurrency import lock_row
from portal.events import kinds
from portal.events.services import NewEvent, record_events
from portal.jobs.services import job_start
from portal.tasks.models import Comment, Task
from portal.teams.models import Team
from portal.teams.permissions import DENIED_MANAGE_TEAM, can_manage_team

TOO_BIG = "{name} is {size}: files may be at most {limit}."
TASK_FULL = "{name} would take this task's files to {total}: a task holds at most {limit}."
EMPTY = "{name} is empty."
REFUSED_TYPE = "{name} looks like {what}: such files cannot be attached."
POLYGLOT = "{name} is an image with web page code inside: it cannot be attached."
NOT_AN_IMAGE = "{name} is not a readable image."
TOO_MANY_PIXELS = "{name} is {width} x {height} pixels: images may have at most {limit} pixels."
WRONG_COMMENT = "That comment is not on this task."
WHAT = {
    sniff.EXECUTABLE: "a program",
    sniff.HTML: "a web page",
    sniff.SVG: "an SVG image (it can hold script)",
}
PROCESS_JOB, DELETE_JOB = "attachment_process", "attachment_files_delete"
CHUNK = 64 * 1024


def megabytes(size: float) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{int(size)} bytes"


def _mb(value: float) -> int:
    return int(value * 1024 * 1024)


def _allowed(content_type: str) -> bool:
    return content_type not in sniff.DENIED_TYPES or content_type in set(
        settings.ATTACHMENTS_ALLOW_TYPES
    )


def _check_image(file: UploadedFile, name: str, content_type: str) -> None:
    """Refuse images whose pixels would not fit in memory (Pillow reads only the header)."""
    limit = settings.ATTACHMENTS_MAX_IMAGE_PIXELS
    file.seek(0)
    try:
        with Image.open(file) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        raise ValidationError(
            TOO_MANY_PIXELS.format(name=name, width="?", height="?", limit=f"{limit:,}")
        ) from None
    except Exception:
        raise ValidationError(NOT_AN_IMAGE.format(name=name)) from None
    if width * height > limit:
        raise ValidationError(
            TOO_MANY_PIXELS.format(name=name, width=width, height=height, limit=f"{limit:,}")
        )


def inspect_upload(file: UploadedFile, name: str) -> sniff.Sniffer:
    """Read the upload once (in chunks) and refuse it with a clear message if it breaks a rule."""
    limit = _mb(settings.ATTACHMENTS_MAX_FILE_MB)
    if file.size is not None and file.size > limit:
        raise ValidationError(
            TOO_BIG.format(name=name, size=megabytes(file.size), limit=megabytes(limit))
        )
    sniffer = sniff.Sniffer()
    file.seek(0)
    for chunk in file.chunks(CHUNK):
        sniffer.feed(chunk)
        if sniffer.size > limit:
            raise ValidationError(
                TOO_BIG.format(name=name, size=megabytes(file.size), limit=megabytes(limit))
            )
    if not sniffer.size:
        raise ValidationError(EMPTY.format(name=name))
    content_type = sniffer.content_type()
    claimed = sniff.suffix_type(name)
    for kind in (content_type, claimed):
        if kind and not _allowed(kind):
            raise ValidationError(REFUSED_TYPE.format(name=name, what=WHAT[kind]))
    if content_type in sniff.THUMBNAIL_TYPES:
        if sniffer.markup and not _allowed(sniff.HTML):
            raise ValidationError(POLYGLOT.format(name=name))
        _check_image(file, name, content_type)
    file.seek(0)
    return sniffer


def _task_total(task: Task) -> int:
    return Attachment.objects.filter(task=task).aggregate(total=Sum("size"))["total"] or 0


def attachment_event(kind: str, attachment: Attachment) -> NewEvent:
    task = attachment.task
    return NewEvent(
        kind,
        task.team_id,
        task.pk,
        {
            "key": task.key,
            "title": task.title,
            "attachment": attachment.pk,
            "name": attachment.name,
            "size": attachment.size,
            "content_type": attachment.content_type,
            "comment": attachment.comment_id,
        },
    )


def attachment_upload(
    *, actor: User, task: Task, file: UploadedFile, comment: Comment | None = None
) -> Attachment:
    """Attach `file` to `task` (and to one of its comments); raises PermissionDenied or
    ValidationError with a message naming the file. Nothing is stored when it is refused."""
    if not perms.can_upload(actor, task):
        raise PermissionDenied(perms.DENIED_UPLOAD)
    if comment is not None and comment.task_id != task.pk:
        raise ValidationError(WRONG_COMMENT)
    name = given_name(getattr(file, "name", ""))
    sniffer = inspect_upload(file, name)
    content_type = sniffer.content_type()
    storage = attachment_storage()
    stored = storage.save(new_name(task.pk, sniff.extension_for(content_type)), file)
    try:
        with transaction.atomic():
            # One upload at a time per task, so two uploads cannot both fit under the total.
            lock_row(task, refresh=False)
            limit = _mb(settings.ATTACHMENTS_MAX_TASK_MB)
            total = _task_total(task) + sniffer.size
            if total > limit:
                raise ValidationError(
                    TASK_FULL.format(name=name, total=megabytes(total), limit=megabytes(limit))
                )
            scanning = bool(settings.ATTACHMENTS_SCANNER)
            attachment = Attachment(
                task=task,
                comment=comment,
                uploaded_by=actor,
                name=name,
                storage_name=stored,
                size=sniffer.size,
                content_type=content_type,
                sha256=sniffer.sha256,
                scan_state=ScanState.PENDING if scanning else ScanState.CLEAN,
            )
            attachment.full_clean(exclude=["task", "comment", "uploaded_by"])
            attachment._history_user = actor
            attachment.save()
            record_events([attachment_event(kinds.ATTACHMENT_ADDED, attachment)], actor=actor)
            if scanning or content_type in sniff.THUMBNAIL_TYPES:
                job_start(PROCESS_JOB, requester=None, attachment=attachment.pk)
    except BaseException:
        storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    """Delete an attachment; its stored files go by a job when this commits (receivers.py)."""
    if not perms.can_delete(actor, attachment):
        raise PermissionDenied(perms.DENIED_DELETE)
    lock_row(attachment, refresh=False)
    event = attachment_event(kinds.ATTACHMENT_DELETED, attachment)
    attachment._history_user = actor
    attachment.delete()
    record_events([event], actor=actor)


def stored_files_delete_later(names: list[str]) -> None:
    """Delete these stored names by a job that retries (in the caller's transaction)."""
    names = [n for n in names if n]
    if names:
        job_start(DELETE_JOB, requester=None, names=names)


@transaction.atomic
def attachment_scanned(*, attachment_id: int, clean: bool, note: str = "") -> Attachment | None:
    """Record the scanner's verdict (a job's write: no actor)."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return None
    attachment.scan_state = ScanState.CLEAN if clean else ScanState.REJECTED
    attachment.scan_note = note[:200]
    attachment.save(update_fields=["scan_state", "scan_note", "updated_at"])
    return attachment


def attachment_thumbnail_set(*, attachment_id: int, name: str) -> bool:
    """Keep the thumbnail's stored name; False when the attachment is gone meanwhile."""
    return bool(Attachment.objects.filter(pk=attachment_id).update(thumbnail_name=name))


@transaction.atomic
def card_images_set(*, actor: User, team: Team, enabled: bool) -> TeamAttachmentSettings:
    """Whether the team's board cards show each task's first image (the team's leads)."""
    if not can_manage_team(actor, team):
        raise PermissionDenied(DENIED_MANAGE_TEAM)
    row, _ = TeamAttachmentSettings.objects.update_or_create(
        team=team, defaults={"card_images": bool(enabled)}
    )
    return row
