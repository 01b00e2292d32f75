"""A task's attachments on its page: upload (several files at once), download, thumbnail, delete.

Rules live in portal/attachments (services, permissions, selectors); the download's answer in
`portal.attachments.responses`, shared with the API. Outsiders get 404 for every address here,
even with an attachment's exact id.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal.attachments import permissions as attachment_perms
from portal.attachments.names import readable_name
from portal.attachments.responses import file_response
from portal.attachments.selectors import attachment_for, task_attachments
from portal.attachments.services import attachment_delete, attachment_upload, megabytes
from portal.tasks.selectors import comments_visible_to

from .base import page_view, team_task_or_404

ATTACHED = "{name} attached."
DELETED = "{name} deleted."
NO_FILES = "Choose one or more files to attach."
TOO_MANY_FILES = "Attach at most {limit} files at once."
MAX_FILES = 20
NO_SUCH_FILE = "No such file on this task."
LIMITS = "Up to {file} a file, {task} for the task. No programs, web pages or SVG."


def limits_text() -> str:
    return LIMITS.format(
        file=megabytes(settings.ATTACHMENTS_MAX_FILE_MB * 1024 * 1024),
        task=megabytes(settings.ATTACHMENTS_MAX_TASK_MB * 1024 * 1024),
    )


def attachments_context(user, team, task) -> dict:
    """What the attachments section shows: each file with what the person may do with it."""
    items = list(task_attachments(fetched_by=user, task=task))
    for item in items:
        item.shown_name = readable_name(item.name)
        item.deletable = attachment_perms.can_delete(user, item, team.pk)
    return {
        "attachments": items,
        "can_attach": attachment_perms.can_upload(user, task),
        "limits": limits_text(),
        "attach_comments": list(
            comments_visible_to(fetched_by=user).filter(task=task).order_by("created_at", "id")
        ),
    }


def _section(request, team, task, *, notes=(), status=200):
    context = {
        "team": team,
        "task": task,
        "notes": notes,
        **attachments_context(request.user, team, task),
    }
    return render(request, "teams/_attachments.html", context, status=status)


def _back(team, task):
    return redirect(reverse("pages:task", args=[team.slug, task.number]) + "#attachments")


def _asked_for_fragment(request) -> bool:
    return bool(request.htmx) or request.headers.get("X-Requested-With") == "XMLHttpRequest"


@page_view
@require_POST
def attachment_add(request, slug: str, number: int):
    """Attach the chosen files, each on its own: a refused file names its reason and the others
    are still attached."""
    user = request.user
    team, task = team_task_or_404(user, slug, number)
    if not attachment_perms.can_upload(user, task):
        raise PermissionDenied(attachment_perms.DENIED_UPLOAD)
    files = request.FILES.getlist("files")
    comment = None
    raw_comment = (request.POST.get("comment") or "").strip()
    if raw_comment:
        if not (raw_comment.isascii() and raw_comment.isdigit() and len(raw_comment) <= 18):
            raise Http404(NO_SUCH_FILE)
        comment = comments_visible_to(fetched_by=user).filter(task=task, pk=raw_comment).first()
        if comment is None:
            raise Http404(NO_SUCH_FILE)
    notes: list[tuple[str, str]] = []
    if not files:
        notes.append(("error", NO_FILES))
    elif len(files) > MAX_FILES:
        notes.append(("error", TOO_MANY_FILES.format(limit=MAX_FILES)))
        files = []
    for upload in files:
        try:
            item = attachment_upload(actor=user, task=task, file=upload, comment=comment)
        except ValidationError as exc:
            notes.extend(("error", message) for message in exc.messages)
        else:
            notes.append(("success", ATTACHED.format(name=readable_name(item.name))))
    refused = any(level == "error" for level, _ in notes)
    if _asked_for_fragment(request):
        return _section(request, team, task, notes=notes, status=422 if refused else 200)
    for level, text in notes:
        (messages.error if level == "error" else messages.success)(request, text)
    return _back(team, task)


def _attachment_or_404(user, task, attachment_id: int):
    item = attachment_for(fetched_by=user, pk=attachment_id)
    if item is None or item.task_id != task.pk:
        raise Http404(NO_SUCH_FILE)
    return item


@page_view
@require_GET
def attachment_download(request, slug: str, number: int, attachment_id: int):
    _team, task = team_task_or_404(request.user, slug, number)
    return file_response(_attachment_or_404(request.user, task, attachment_id))


@page_view
@require_GET
def attachment_thumbnail(request, slug: str, number: int, attachment_id: int):
    _team, task = team_task_or_404(request.user, slug, number)
    return file_response(_attachment_or_404(request.user, task, attachment_id), thumbnail=True)


@page_view
@require_POST
def attachment_remove(request, slug: str, number: int, attachment_id: int):
    user = request.user
    team, task = team_task_or_404(user, slug, number)
    item = _attachment_or_404(user, task, attachment_id)
    attachment_delete(actor=user, attachment=item)
    note = DELETED.format(name=readable_name(item.name))
    if _asked_for_fragment(request):
        return _section(request, team, task, notes=[("success", note)])
    messages.success(request, note)
    return _back(team, task)
