"""Bulk edit of the tasks selected on a list (a team's or My work): each task through the
task services, as the admin's bulk actions do, and the refused ones named with the reason."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from portal.core.text import count
from portal.pages.forms import BulkEditForm
from portal.tasks.selectors import tags_visible_to, tasks_visible_to
from portal.tasks.services import task_edit, tasks_bulk_apply

from .base import page_view, safe_next, team_or_404
from .tasks import list_people, list_url

BULK_CHANGED = "Changed {tasks}."
BULK_REFUSED = "Not changed: {tasks} - {details}"


@page_view
@require_POST
def bulk_edit(request, slug: str | None = None):
    """POST `tasks` (ids) and the changes; back to the list with what changed and what not."""
    user = request.user
    team = team_or_404(user, slug) if slug else None
    tasks = tasks_visible_to(fetched_by=user)
    if team is not None:
        tasks = tasks.filter(team=team)
    form = BulkEditForm(
        request.POST,
        tasks=tasks,
        people=list_people(user, team),
        tags=tags_visible_to(fetched_by=user),
    )
    back = safe_next(request, list_url(team))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    result = tasks_bulk_apply(
        actor=user, tasks=form.cleaned_data["tasks"], operation=task_edit, **form.edit_changes()
    )
    if result.changed:
        messages.success(request, BULK_CHANGED.format(tasks=count(len(result.changed), "task")))
    if result.refused:
        tasks_refused = count(len(result.refused), "task")
        details = result.refusals()
        messages.error(request, BULK_REFUSED.format(tasks=tasks_refused, details=details))
    return redirect(back)
