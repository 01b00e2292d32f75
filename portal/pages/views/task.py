"""A task's page: every field (edited in one form), subtasks, comments and history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal.notifications.selectors import is_watching
from portal.pages.forms import CommentForm, TaskForm
from portal.tasks import permissions as task_perms
from portal.tasks.custom_forms import team_people
from portal.tasks.custom_show import show_value
from portal.tasks.models import FieldType
from portal.tasks.selectors import (
    history_readable,
    tags_visible_to,
    task_history,
    task_history_entries,
    task_list,
    tasks_visible_to,
)
from portal.tasks.services import (
    tags_named,
    task_create,
    task_update,
)
from portal.teams.selectors import assignable_people

from .base import (
    page_view,
    render_page,
    task_or_404,
    team_context,
    team_or_404,
    team_task_or_404,
)
from .texts import page_comments, page_links

HISTORY_PAGE = 20
MAX_HISTORY_PAGE = 10_000
SUBTASKS_SHOWN = 50
SAVED = "{key} saved."
NOTHING_CHANGED = "Nothing changed."


def _page(raw: str | None) -> int:
    raw = (raw or "1").strip()
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_HISTORY_PAGE:
        return int(raw)
    return 1


def history_page(task, page: int) -> tuple[list[dict], bool]:
    """One page of the task's history as "who changed what, from, to" (constant queries)."""
    records = task_history(task)
    start = (page - 1) * HISTORY_PAGE
    chunk = list(records[start : start + HISTORY_PAGE + 1])
    entries = task_history_entries(records, chunk[:HISTORY_PAGE])
    rows = [
        {**entry, "rows": rows}
        for entry, rows in zip(entries, history_readable(entries), strict=True)
    ]
    return rows, len(chunk) > HISTORY_PAGE


def _people(user, team):
    return assignable_people(fetched_by=user, team_ids=[team.pk]).only(
        "id", "username", "first_name", "last_name"
    )


def task_form(user, team, task=None, data=None) -> TaskForm:
    """The task form of `team`: empty for a new task, or showing `task` as stored."""
    return TaskForm(
        data,
        initial=TaskForm.initial_for(task) if task is not None else None,
        custom_values=task.custom_fields if task is not None else None,
        auto_id="edit-%s" if task is not None else "id_%s",
        team=team,
        people=_people(user, team),
        tags=tags_visible_to(fetched_by=user).only("id", "name"),
        parents=tasks_visible_to(fetched_by=user).filter(team=team),
    )


def _context(request, team, task, **extra) -> dict:
    user = request.user
    context = team_context(user, team)
    context.update(
        {
            "task": task,
            "can_edit": task_perms.can_edit_task(user, task),
            "can_take": task_perms.can_take_task(user, task),
            "can_archive": task_perms.can_archive_task(user, task),
            "can_delete": task_perms.can_delete_task(user, task),
            "archive_days": settings.ARCHIVE_RETENTION_DAYS,
            "preview_url": reverse("pages:markdown_preview", args=[team.slug]),
            "can_comment": task_perms.can_comment(user, task),
            "watching": is_watching(user, task),
            "section": "task",
            "title": f"{task.key} {task.title}",
        }
    )
    context.update(extra)
    return context


def _task_url(team, task) -> str:
    return reverse("pages:task", args=[team.slug, task.number])


@page_view
@require_GET
def task_page(request, slug: str, number: int):
    team, task = team_task_or_404(request.user, slug, number)
    return _render_task_page(request, team, task, page=_page(request.GET.get("history")))


def custom_values(task, definitions) -> list[tuple[str, str]]:
    """The task's custom fields as the page lists them (name, value), every shown field."""
    people = {}
    if any(f.type == FieldType.PERSON for f in definitions):
        people = dict(team_people(task.team_id))
    stored = task.custom_fields or {}
    return [(f.name, show_value(f, stored.get(f.key), people)) for f in definitions]


def _render_task_page(request, team, task, *, page=1, edit_form=None, comment_form=None):
    """The whole page; `edit_form` / `comment_form` carry a failed form back with its errors."""
    user = request.user
    history, older = history_page(task, page)
    comments = page_comments(user, team, task)
    subtasks = list(
        task_list(fetched_by=user, filters={"team": str(team.pk), "parent": str(task.pk)})
        .with_overdue()
        .ordered(["number"])[: SUBTASKS_SHOWN + 1]
    )
    edit_form = edit_form or task_form(user, team, task)
    context = _context(
        request,
        team,
        task,
        edit_form=edit_form,
        custom_values=custom_values(task, edit_form.custom_definitions),
        subtasks=subtasks[:SUBTASKS_SHOWN],
        more_subtasks=len(subtasks) > SUBTASKS_SHOWN,
        comments=comments,
        links=page_links(user, team, [task.description, *(c.body for c in comments)]),
        comment_form=comment_form or CommentForm(),
        history=history,
        history_page=page,
        older=older,
    )
    return render_page(request, "teams/task.html", context)


@page_view
@require_GET
def history_fragment(request, slug: str, number: int):
    """The history section (htmx: reloaded after a change, and its older pages)."""
    team, task = team_task_or_404(request.user, slug, number)
    page = _page(request.GET.get("page"))
    history, older = history_page(task, page)
    context = _context(request, team, task, history=history, history_page=page, older=older)
    template = "teams/_history.html" if page == 1 else "teams/_history_entries.html"
    return render(request, template, context)


@page_view
@require_POST
def task_edit(request, slug: str, number: int):
    """Save the fields the person changed, all at once, through task_update (new tags first,
    in the same transaction). With an error nothing is saved and the form comes back as typed."""
    user = request.user
    # A write that is not allowed is refused before its input is read.
    team, task = team_task_or_404(user, slug, number, rule=task_perms.EDIT_TASK)
    form = task_form(user, team, task, request.POST)
    if form.is_valid():
        changes = form.changes()
        try:
            with transaction.atomic():
                new_tags = form.cleaned_data["new_tags"]
                if new_tags:
                    tags = [*changes.get("tags", form.cleaned_data["tags"])]
                    changes["tags"] = [*tags, *tags_named(actor=user, names=new_tags)]
                if changes:
                    task_update(actor=user, task=task, **changes)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error("new_tags" if form.cleaned_data["new_tags"] else None, str(exc))
        else:
            messages.success(request, SAVED.format(key=task.key) if changes else NOTHING_CHANGED)
            return redirect(_task_url(team, task))
    page = _render_task_page(request, team, task_or_404(user, team, number), edit_form=form)
    page.status_code = 422 if request.htmx else 200
    return page


TASK_CREATED = "{key} created."


@page_view
def task_new(request, slug: str):
    """Create a task in the team (members and leads): task_create decides and numbers it."""
    user = request.user
    team = team_or_404(user, slug)
    if not task_perms.can_create_task(user, team):
        raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
    form = task_form(user, team, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                fields = form.service_fields()
                new_tags = form.cleaned_data["new_tags"]
                if new_tags:
                    fields["tags"] = [*fields["tags"], *tags_named(actor=user, names=new_tags)]
                task = task_create(actor=user, team=team, **fields)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error("new_tags", str(exc))
        else:
            messages.success(request, TASK_CREATED.format(key=task.key))
            return redirect(_task_url(team, task))
    context = team_context(user, team)
    context.update(
        {
            "form": form,
            "section": "new",
            "title": f"New task in {team.name}",
            "preview_url": reverse("pages:markdown_preview", args=[team.slug]),
        }
    )
    return render_page(request, "teams/task_form.html", context)
