"""System clean-up: archived tasks deleted in batches (the weekly job)."""

from __future__ import annotations

from django.db import router, transaction
from django.db.models.deletion import Collector

from portal.core.history import record_deletions
from portal.tasks.models import COMMENT_HISTORY, TASK_HISTORY, Comment, Task


def tasks_purge_archived(*, before, batch_size: int = 500, by: str = "") -> dict[str, int]:
    """Delete tasks archived before `before`; returns how many per team key.

    A system action (the weekly clean-up job), so no actor and no role check. Each batch is its
    own transaction: a large clean-up never holds long locks, and if it stops half-way the next
    run simply continues. History keeps a deletion record for every task (no user; `by` names
    the clean-up in the feeds).
    """
    counts: dict[str, int] = {}
    while True:
        with transaction.atomic():
            batch = list(
                Task.objects.filter(is_archived=True, archived_at__lt=before)
                .select_related("team")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return counts
            # The deletion records of the batch and of its comments in a few inserts, then the
            # rows; a constant number of queries per batch, not five per task.
            comments = list(Comment.objects.filter(task__in=batch))
            record_deletions(COMMENT_HISTORY, comments, by=by)
            record_deletions(TASK_HISTORY, batch, by=by)
            for doomed in (comments, batch):
                collector = Collector(using=router.db_for_write(Task))
                collector.collect(doomed)
                collector.delete()
        for key in (task.team.key for task in batch):
            counts[key] = counts.get(key, 0) + 1
