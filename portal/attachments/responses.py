"""The answer to a download, the same at every door (team pages, API).

The door has already found the attachment through `attachments_visible_to` (404 for anyone
else). The file is streamed from storage (a `FileResponse` reads it in blocks) with the type
sniffed when it was uploaded, `nosniff`, and `Content-Disposition: attachment` except for the
images and PDFs shown inline; SVG never inline. With S3 and ATTACHMENTS_PRESIGNED_SECONDS the
answer is a redirect to a presigned URL carrying the same headers.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from portal.attachments import sniff
from portal.attachments.models import Attachment, ScanState
from portal.attachments.names import download_name
from portal.attachments.storage import attachment_storage, presigned_url

PENDING_SCAN = "{name} is waiting for its virus scan; try again in a minute."
REJECTED = "{name} was rejected by the virus scan and cannot be downloaded."
NO_THUMBNAIL = "This file has no thumbnail."
FILE_MISSING = "The file is no longer in storage."
SANDBOX = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def refusal(attachment: Attachment) -> str:
    """Why the file cannot be downloaded yet (or ever), or ""."""
    if attachment.scan_state == ScanState.PENDING:
        return PENDING_SCAN.format(name=attachment.name)
    if attachment.scan_state == ScanState.REJECTED:
        return REJECTED.format(name=attachment.name)
    return ""


def _plain(message: str, status: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_response(attachment: Attachment, *, thumbnail: bool = False) -> HttpResponse:
    why = refusal(attachment)
    if why:
        return _plain(why, 409)
    if thumbnail:
        if not attachment.thumbnail_name:
            return _plain(NO_THUMBNAIL, 404)
        stored = attachment.thumbnail_name
        content_type = sniff.PNG if stored.endswith(".png") else sniff.JPEG
        inline, name = True, f"thumbnail-{download_name(attachment.name)}"
    else:
        stored, content_type = attachment.storage_name, attachment.content_type
        inline, name = content_type in sniff.INLINE_TYPES, download_name(attachment.name)
    if not thumbnail:
        url = presigned_url(stored, name, content_type, inline)
        if url:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "private, no-store"
            return response
    try:
        handle = attachment_storage().open(stored, "rb")
    except FileNotFoundError:
        return _plain(FILE_MISSING, 410)
    response = FileResponse(handle, as_attachment=not inline, filename=name)
    # The sniffed type, never what the browser said (FileResponse would guess from the name).
    response["Content-Type"] = (
        content_type if content_type != sniff.TEXT else "text/plain; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    if content_type != sniff.PDF:
        # Opened in the browser, a file runs nothing (browsers' PDF viewers refuse to work in
        # a sandbox: PDFs keep the portal's own policy).
        response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    if not thumbnail:
        response["Content-Length"] = str(attachment.size)
    return response
