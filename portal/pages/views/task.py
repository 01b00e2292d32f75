"""A task's page: every field, subtasks, comments, history, and quick edits in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal.pages.forms import CommentForm, TaskCreateForm, TaskFieldForm, add_service_errors
from portal.tasks import permissions as task_perms
from portal.tasks.fields import form_value
from portal.tasks.selectors import (
    comments_visible_to,
    history_readable,
    tags_visible_to,
    task_comments,
    task_history,
    task_history_entries,
    task_list,
    tasks_visible_to,
)
from portal.tasks.services import (
    comment_add,
    comment_delete,
    comment_update,
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

HISTORY_PAGE = 20
MAX_HISTORY_PAGE = 10_000
SUBTASKS_SHOWN = 50
QUICK_FIELDS = ("status", "priority", "due_date", "assignees")
SAVED = "{field} saved."
COMMENT_ADDED = "Comment added."
COMMENT_SAVED = "Comment saved."
COMMENT_DELETED = "Comment deleted."
# Quick-edit and comment responses tell the page that the task changed (its history reloads).
CHANGED_EVENT = "task-changed"


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


def _quick_forms(user, team, task, bound=None) -> dict:
    """A form per quick-edit field, showing the task's values (or the one that failed)."""
    forms = {}
    for name in QUICK_FIELDS:
        if bound is not None and bound.field_name == name:
            forms[name] = bound
            continue
        initial = {name: form_value(task, name)}
        forms[name] = TaskFieldForm(field=name, people=_people(user, team), initial=initial)
    return forms


def _comments(user, team, task, editing=None) -> list:
    """The task's comments, oldest first, each with an edit form for those who may edit it
    (`editing` is a failed edit form to show again with its errors)."""
    rows = list(task_comments(fetched_by=user, task=task))
    for comment in rows:
        comment.editable = task_perms.can_edit_comment(user, comment, team.pk)
        if editing is not None and editing.comment_id == comment.pk:
            comment.form = editing
        elif comment.editable:
            comment.form = CommentForm(
                initial={"body": comment.body}, auto_id=f"comment-{comment.pk}-%s"
            )
    return rows


def _context(request, team, task, **extra) -> dict:
    user = request.user
    context = team_context(user, team)
    context.update(
        {
            "task": task,
            "can_edit": task_perms.can_edit_task(user, task),
            "can_comment": task_perms.can_comment(user, task),
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


def _render_task_page(request, team, task, *, page=1, bound=None, comment_form=None):
    """The whole page; `bound` / `comment_form` carry a failed form back with its errors."""
    user = request.user
    history, older = history_page(task, page)
    subtasks = list(
        task_list(fetched_by=user, filters={"team": str(team.pk), "parent": str(task.pk)})
        .with_overdue()
        .ordered(["number"])[: SUBTASKS_SHOWN + 1]
    )
    context = _context(
        request,
        team,
        task,
        forms=_quick_forms(user, team, task, bound=bound),
        subtasks=subtasks[:SUBTASKS_SHOWN],
        more_subtasks=len(subtasks) > SUBTASKS_SHOWN,
        comments=_comments(user, team, task),
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
def quick_edit(request, slug: str, number: int, field: str):
    """Change one field (status, priority, due date, assignees) through task_update."""
    if field not in QUICK_FIELDS:
        raise Http404(field)
    user = request.user
    # A write that is not allowed is refused before its input is read.
    team, task = team_task_or_404(user, slug, number, rule=task_perms.EDIT_TASK)
    form = TaskFieldForm(request.POST, field=field, people=_people(user, team))
    saved = False
    if form.is_valid():
        try:
            task_update(actor=user, task=task, **{field: form.cleaned_data[field]})
            saved = True
        except ValidationError as exc:
            add_service_errors(form, exc)
    if saved and not request.htmx:
        return redirect(_task_url(team, task))
    if not request.htmx:
        # Without htmx a failed edit shows the whole page with the error next to the field.
        return _render_task_page(request, team, task_or_404(user, team, number), bound=form)
    task = task_or_404(user, team, number)
    label = str(form.fields[field].label or field).capitalize()
    context = _context(
        request,
        team,
        task,
        forms=_quick_forms(user, team, task, bound=None if saved else form),
        saved=field if saved else None,
        message=SAVED.format(field=label) if saved else "",
    )
    response = render(request, "teams/_quick_edit.html", context)
    if saved:
        response["HX-Trigger"] = CHANGED_EVENT
    return response


def _comments_response(request, team, task, *, form=None, message="", editing=None):
    user = request.user
    context = _context(
        request,
        team,
        task,
        comments=_comments(user, team, task, editing=editing),
        comment_form=form or CommentForm(),
        message=message,
    )
    return render(request, "teams/_comments.html", context)


@page_view
@require_POST
def comment_create(request, slug: str, number: int):
    user = request.user
    team, task = team_task_or_404(user, slug, number, rule=task_perms.COMMENT)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(actor=user, task=task, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                return redirect(_task_url(team, task) + "#comments")
            return _comments_response(request, team, task, message=COMMENT_ADDED)
    if not request.htmx:
        return _render_task_page(request, team, task, comment_form=form)
    return _comments_response(request, team, task, form=form)


def _comment_or_404(user, task, comment_id: int):
    comment = comments_visible_to(fetched_by=user).filter(task=task, pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment.")
    return comment


@page_view
@require_POST
def comment_edit(request, slug: str, number: int, comment_id: int):
    """Change a comment's text: its author or a lead (comment_update decides)."""
    user = request.user
    team, task = team_task_or_404(user, slug, number)
    comment = _comment_or_404(user, task, comment_id)
    if not task_perms.can_edit_comment(user, comment, team.pk):
        raise PermissionDenied(task_perms.DENIED_EDIT_COMMENT)
    form = CommentForm(request.POST, auto_id=f"comment-{comment.pk}-%s")
    form.comment_id = comment.pk
    if form.is_valid():
        try:
            comment_update(actor=user, comment=comment, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                return redirect(_task_url(team, task) + f"#comment-{comment.pk}")
            return _comments_response(request, team, task, message=COMMENT_SAVED)
    if not request.htmx:
        return redirect(_task_url(team, task) + f"#comment-{comment.pk}")
    return _comments_response(request, team, task, editing=form)


@page_view
@require_POST
def comment_remove(request, slug: str, number: int, comment_id: int):
    """Delete a comment: its author or a lead (comment_delete decides)."""
    user = request.user
    team, task = team_task_or_404(user, slug, number)
    comment_delete(actor=user, comment=_comment_or_404(user, task, comment_id))
    if not request.htmx:
        return redirect(_task_url(team, task) + "#comments")
    return _comments_response(request, team, task, message=COMMENT_DELETED)


TASK_CREATED = "{key} created."


@page_view
def task_new(request, slug: str):
    """Create a task in the team (members and leads): task_create decides and numbers it."""
    user = request.user
    team = team_or_404(user, slug)
    if not task_perms.can_create_task(user, team):
        raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
    form = TaskCreateForm(
        request.POST if request.method == "POST" else None,
        team=team,
        people=_people(user, team),
        tags=tags_visible_to(fetched_by=user).only("id", "name"),
        parents=tasks_visible_to(fetched_by=user).filter(team=team),
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = task_create(actor=user, team=team, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, TASK_CREATED.format(key=task.key))
            return redirect(_task_url(team, task))
    context = team_context(user, team)
    context.update({"form": form, "section": "new", "title": f"New task in {team.name}"})
    return render_page(request, "teams/task_form.html", context)
