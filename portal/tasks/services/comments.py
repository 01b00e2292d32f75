"""Add, change and delete comments."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core.concurrency import RowGone, lock_row
from portal.events import kinds
from portal.events.services import record_events
from portal.tasks import permissions as task_perms
from portal.tasks.events import comment_event
from portal.tasks.models import Comment, Task


@transaction.atomic
def comment_add(*, actor: User, task: Task, body: str) -> Comment:
    if not task_perms.can_comment(actor, task):
        raise PermissionDenied(task_perms.DENIED_COMMENT)
    comment = Comment(task=task, author=actor, body=(body or "").strip())
    # Task and author are loaded objects: checking that they exist would cost two queries.
    comment.full_clean(exclude=["task", "author"])
    # Moving the task's `updated_at` first also locks its row: a task deleted meanwhile is
    # RowGone here, not a broken reference when the transaction commits.
    if not Task.objects.filter(pk=task.pk).update(updated_at=timezone.now()):
        raise RowGone(task)
    comment._history_user = actor
    comment.save()
    record_events([comment_event(kinds.COMMENT_CREATED, comment)], actor=actor)
    return comment


@transaction.atomic
def comment_update(*, actor: User, comment: Comment, body: str) -> Comment:
    """Change a comment's text (its author only). The previous text stays in the comment's
    history record; `edited_at` says when. The same text again changes nothing."""
    if not task_perms.can_edit_comment(actor, comment, comment.task.team_id):
        raise PermissionDenied(task_perms.DENIED_EDIT_COMMENT)
    lock_row(comment)
    old_body, comment.body = comment.body, (body or "").strip()
    comment.full_clean(exclude=["task", "author"])
    if comment.body == old_body:
        return comment
    comment.edited_at = timezone.now()
    comment._history_user = actor
    comment.save(force_update=True)
    event = comment_event(kinds.COMMENT_UPDATED, comment, old_body=old_body)
    record_events([event], actor=actor)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    """Delete a comment (its author, the team lead, administrators); its history keeps the
    text and who deleted it."""
    if not task_perms.can_delete_comment(actor, comment, comment.task.team_id):
        raise PermissionDenied(task_perms.DENIED_DELETE_COMMENT)
    lock_row(comment, refresh=False)
    comment._history_user = actor
    event = comment_event(kinds.COMMENT_DELETED, comment)
    comment.delete()
    record_events([event], actor=actor)
