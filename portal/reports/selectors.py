"""Analytics over the tasks a person may see: a handful of aggregate queries, whatever the size."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.tasks.models import Status, Task
from portal.tasks.querysets import done_since_q, due_within_q, open_q, overdue_q
from portal.tasks.selectors import tasks_visible_to


def _base(user) -> QuerySet[Task]:
    # Aggregates need no preloading: drop the selector's prefetches.
    return tasks_visible_to(user).prefetch_related(None).select_related(None)


def kpis(user, now=None) -> dict[str, int]:
    """Open, overdue, due in the next 7 days and done in the last 7 days (one query)."""
    now = now or timezone.now()
    return _base(user).aggregate(
        open=Count("id", filter=open_q()),
        overdue=Count("id", filter=overdue_q(now)),
        due_soon=Count("id", filter=due_within_q(7, now)),
        done_recently=Count("id", filter=done_since_q(now - timedelta(days=7))),
    )


def team_counts(user, now=None) -> dict[int, dict[str, int]]:
    """Per visible team: open, overdue, due in the next 7 days, and open assigned to `user`.

    One query for all teams; teams without tasks are missing from the result.
    """
    now = now or timezone.now()
    mine = Exists(Task.assignees.through.objects.filter(task_id=OuterRef("pk"), user_id=user.pk))
    rows = (
        _base(user)
        .values("team_id")
        .annotate(
            open=Count("id", filter=open_q()),
            overdue=Count("id", filter=overdue_q(now)),
            due_soon=Count("id", filter=due_within_q(7, now)),
            mine=Count("id", filter=open_q() & Q(mine)),
        )
        .order_by()
    )
    return {row.pop("team_id"): row for row in rows}


def created_vs_done(user, days: int = 30, now=None) -> dict[str, list]:
    """Tasks created and completed per day over the last `days` days (two queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=days - 1)
    since = now - timedelta(days=days + 1)
    qs = _base(user)

    def per_day(field: str) -> dict:
        rows = (
            qs.filter(**{f"{field}__gte": since})
            .annotate(day=TruncDate(field))
            .values("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row["day"]: row["n"] for row in rows}

    created, done = per_day("created_at"), per_day("completed_at")
    labels = [start + timedelta(days=i) for i in range(days)]
    return {
        "labels": [d.strftime("%b %d") for d in labels],
        "created": [created.get(d, 0) for d in labels],
        "done": [done.get(d, 0) for d in labels],
    }


def open_by_status(user) -> dict[str, int]:
    rows = _base(user).open().values("status").annotate(n=Count("id")).order_by()
    counts = {row["status"]: row["n"] for row in rows}
    return {label: counts.get(value, 0) for value, label in Status.choices if value != Status.DONE}


def workload_by_assignee(user, limit: int = 10) -> list[tuple[str, int]]:
    """Open tasks per assignee, busiest first."""
    rows = (
        _base(user)
        .open()
        .filter(assignees__isnull=False)
        .values(name=F("assignees__username"))
        .annotate(n=Count("id"))
        .order_by("-n", "name")[:limit]
    )
    return [(row["name"], row["n"]) for row in rows]


def my_tasks(user, limit: int = 10) -> QuerySet[Task]:
    """Open tasks assigned to `user`, due soonest first (no due date last)."""
    return (
        tasks_visible_to(user).open().assigned_to(user).ordered(["due_date", "-priority"])[:limit]
    )
