"""What the task page shows of people's text: its comments and what texts link to."""

from __future__ import annotations

from collections.abc import Iterable

from portal.pages.forms import CommentForm
from portal.tasks import permissions as task_perms
from portal.tasks.richtext import TextLinks, team_page_url, text_links
from portal.tasks.selectors import task_comments


def page_links(user, team, texts: Iterable[str | None]) -> TextLinks:
    """Task keys and mentions of every text a page shows (at most two queries)."""
    return text_links(user=user, team=team, texts=texts, task_url=team_page_url)


def page_comments(user, team, task, editing: CommentForm | None = None) -> list:
    """The task's comments, oldest first, each saying whether `user` may edit or delete it,
    with an edit form for its author (`editing` is a failed edit form to show again)."""
    rows = list(task_comments(fetched_by=user, task=task))
    for comment in rows:
        comment.editable = task_perms.can_edit_comment(user, comment, team.pk)
        comment.deletable = task_perms.can_delete_comment(user, comment, team.pk)
        if editing is not None and editing.comment_id == comment.pk:
            comment.form = editing
        elif comment.editable:
            comment.form = CommentForm(
                initial={"body": comment.body}, auto_id=f"comment-{comment.pk}-%s"
            )
    return rows
