"""What leads do to a whole task on its page (archive, unarchive, delete). The services decide
who may; the page only asks them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.tasks.services import task_archive, task_delete, task_unarchive

from .base import page_view, team_task_or_404

ARCHIVED = "{key} archived."
UNARCHIVED = "{key} is back from the archive."
DELETED = "{key} deleted."


@page_view
@require_POST
def archive(request, slug: str, number: int):
    """Archive (archived=true) or bring back (archived=false) a task: leads, or its creator."""
    team, task = team_task_or_404(request.user, slug, number)
    if request.POST.get("archived") == "false":
        task = task_unarchive(actor=request.user, task=task)
        messages.success(request, UNARCHIVED.format(key=task.key))
    else:
        task = task_archive(actor=request.user, task=task)
        messages.success(request, ARCHIVED.format(key=task.key))
    return redirect(reverse("pages:task", args=[team.slug, task.number]))


@page_view
@require_POST
def delete(request, slug: str, number: int):
    team, task = team_task_or_404(request.user, slug, number)
    key = task.key
    task_delete(actor=request.user, task=task)
    messages.success(request, DELETED.format(key=key))
    return redirect(reverse("pages:task_list", args=[team.slug]))
