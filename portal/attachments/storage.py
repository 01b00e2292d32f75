"""The one storage attachments go to: `STORAGES["attachments"]` (the local file system by
default, S3-compatible object storage when configured: portal/settings/attachments.py)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import Storage, storages

ALIAS = "attachments"
FOLDER = "attachments"


def attachment_storage() -> Storage:
    return storages[ALIAS]


def is_s3() -> bool:
    return settings.STORAGES[ALIAS]["BACKEND"].startswith("storages.backends.s3")


def new_name(task_id: int, suffix: str, *, kind: str = "files") -> str:
    """A fresh stored name: the task's folder and a random token; nothing of the given name."""
    return f"{FOLDER}/{kind}/{task_id}/{secrets.token_hex(16)}{suffix}"


def presigned_url(name: str, download_name: str, content_type: str, inline: bool) -> str | None:
    """A short-lived URL straight to the object (S3 with ATTACHMENTS_PRESIGNED_SECONDS only)."""
    seconds = settings.ATTACHMENTS_PRESIGNED_SECONDS
    if not seconds or not is_s3():
        return None
    from django.utils.http import content_disposition_header

    disposition = content_disposition_header(not inline, download_name)
    return attachment_storage().url(
        name,
        parameters={
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        },
        expire=seconds,
    )
