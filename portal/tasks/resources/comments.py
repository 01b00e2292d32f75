"""The comment sheet (export only)."""

from __future__ import annotations

from typing import Any

from import_export import fields

from portal.core.resources import (
    SHEET_EXPORT_ONLY,
    Problem,
    SheetResource,
    SheetResult,
    local_minute,
)
from portal.tasks.models import Comment
from portal.tasks.selectors import comments_visible_to

COMMENT_COLUMNS = ("task", "author", "body", "created_at", "updated_at")


def comments_for_sheet(user, filters=None):
    return comments_visible_to(fetched_by=user).order_by(
        "task__team__key", "task__number", "created_at", "id"
    )


class CommentResource(SheetResource):
    """Comments with their task's key and author; for reading elsewhere, not for importing."""

    columns = COMMENT_COLUMNS
    task = fields.Field(column_name="task", readonly=True)
    author = fields.Field(column_name="author", readonly=True)
    body = fields.Field(column_name="body", readonly=True)
    created_at = fields.Field(column_name="created_at", readonly=True)
    updated_at = fields.Field(column_name="updated_at", readonly=True)

    class Meta:
        model = Comment
        fields = COMMENT_COLUMNS
        name = "Comments"

    def row(self, comment: Comment) -> list[Any]:
        return [
            comment.task.key,
            comment.author.username if comment.author_id else "",
            comment.body,
            local_minute(comment.created_at),
            local_minute(comment.updated_at),
        ]

    def import_data(
        self, dataset, dry_run=False, *args, user=None, progress=None, on_written=None, **kwargs
    ) -> SheetResult:
        result = SheetResult()
        result.total_rows = len(dataset)
        result.add_invalid(1, [Problem(1, "task", "", SHEET_EXPORT_ONLY)], [])
        return result
