"""A task's comments on its page: add, edit (the author), delete (the author or a lead), and
the Markdown preview of a comment or a description. The services decide who may; the page
asks the same rules only to refuse before reading the input."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.pages.forms import CommentForm, add_service_errors
from portal.tasks import permissions as task_perms
from portal.tasks.richtext import rich_text
from portal.tasks.selectors import comments_visible_to
from portal.tasks.services import comment_add, comment_delete, comment_update

from .base import bad_request, page_view, team_or_404, team_task_or_404
from .task import _context, _render_task_page, _task_url
from .texts import page_comments, page_links

COMMENT_ADDED = "Comment added."
COMMENT_SAVED = "Comment saved."
COMMENT_DELETED = "Comment deleted."
# A text longer than this is not previewed (the form takes it; the preview is a courtesy).
PREVIEW_LIMIT = 100_000
PREVIEW_TOO_LONG = "The text is too long to preview; save it to see it."
PREVIEW_EMPTY = "Nothing to preview yet."
# The field the preview reads: `text` (comments), or `description` (the task form's own box).
PREVIEW_FIELDS = ("text", "description")


def _comments_response(request, team, task, *, form=None, message="", editing=None):
    user = request.user
    comments = page_comments(user, team, task, editing=editing)
    context = _context(
        request,
        team,
        task,
        comments=comments,
        # The comments area shows no description: only the comments' links are read.
        links=page_links(user, team, [c.body for c in comments]),
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
    """Change a comment's text: its author only (comment_update decides)."""
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


@page_view
@require_POST
def markdown_preview(request, slug: str):
    """A comment or a description as the task page will show it (for people of the team):
    the same renderer, with the task keys and mentions the saved text would link."""
    user = request.user
    team = team_or_404(user, slug)
    text = next((request.POST[name] for name in PREVIEW_FIELDS if name in request.POST), "")
    if len(text) > PREVIEW_LIMIT:
        return bad_request(PREVIEW_TOO_LONG)
    if not text.strip():
        return HttpResponse(f'<p class="pages-muted">{PREVIEW_EMPTY}</p>')
    return HttpResponse(rich_text(text, page_links(user, team, [text])))
