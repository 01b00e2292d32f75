"""The comments a person may see."""

from django.db.models import QuerySet

from portal.tasks.models import Comment, Task
from portal.tasks.selectors.tasks import _scope


def comments_visible_to(*, fetched_by) -> QuerySet[Comment]:
    return _scope(
        Comment.objects.select_related("author", "task", "task__team"), fetched_by, "task__team_id"
    )


def task_comments(*, fetched_by, task: Task) -> QuerySet[Comment]:
    """A task's comments that `fetched_by` may see, oldest first (the order every door shows)."""
    return comments_visible_to(fetched_by=fetched_by).filter(task=task).order_by("created_at", "id")
