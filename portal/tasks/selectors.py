"""Reads about tasks, comments and tags, scoped once by team membership.

Every door starts from these querysets, so team scoping is written and tested once. The list
selectors preload what list pages show (team, creator, assignees, tags) so the number of queries
stays constant however many rows there are.
"""

import re

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from portal.accounts.models import User
from portal.tasks.models import PRIORITY_RANK, Comment, Status, Tag, Task
from portal.teams.permissions import is_superuser, team_ids_for

KEY_RE = re.compile(r"^\s*([A-Za-z]{2,10})-(\d+)\s*$")


def _scope(qs: QuerySet, user, field: str = "team_id") -> QuerySet:
    if is_superuser(user):
        return qs
    return qs.filter(**{f"{field}__in": team_ids_for(user)})


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks of the user's teams (all for superusers), archived ones included.

    Doors hide archived tasks by default with `.filter(is_archived=False)` or `active_tasks`.
    """
    people = User.objects.only("id", "username", "first_name", "last_name", "email")
    qs = Task.objects.select_related(
        "team", "created_by", "parent", "parent__team"
    ).prefetch_related(Prefetch("assignees", queryset=people), "tags")
    return _scope(qs, user)


def priority_rank() -> Case:
    """An integer per priority (urgent highest) for sorting; the text values sort wrongly."""
    ranks = [When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()]
    return Case(*ranks, default=Value(0), output_field=IntegerField())


def active_tasks(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.filter(is_archived=False)


def overdue(qs: QuerySet[Task], now=None) -> QuerySet[Task]:
    now = now or timezone.now()
    return qs.filter(due_date__lt=now, is_archived=False).exclude(status=Status.DONE)


def search_tasks(qs: QuerySet[Task], text: str) -> QuerySet[Task]:
    """Match a key such as OPS-42 exactly, otherwise title and description."""
    text = (text or "").strip()
    if not text:
        return qs
    match = KEY_RE.match(text)
    cond = Q(title__icontains=text) | Q(description__icontains=text)
    if match:
        cond |= Q(team__key=match.group(1).upper(), number=int(match.group(2)))
    return qs.filter(cond)


def task_get_for(user, pk) -> Task:
    """One task the user may see, or Task.DoesNotExist (doors turn it into 404)."""
    return tasks_visible_to(user).get(pk=pk)


def task_history(task: Task):
    """Change records, newest first, with who made each change."""
    return task.history.select_related("history_user").order_by("-history_date", "-history_id")


def comments_visible_to(user) -> QuerySet[Comment]:
    return _scope(
        Comment.objects.select_related("author", "task", "task__team"), user, "task__team_id"
    )


def tags_visible_to(user) -> QuerySet[Tag]:
    """Tags used by the user's teams plus tags not used anywhere yet (all for superusers)."""
    qs = Tag.objects.all()
    if is_superuser(user):
        return qs
    used_here = Task.objects.filter(tags=OuterRef("pk"), team_id__in=team_ids_for(user))
    used_anywhere = Task.objects.filter(tags=OuterRef("pk"))
    return qs.filter(Exists(used_here) | ~Exists(used_anywhere))


def tags_with_task_counts(user) -> QuerySet[Tag]:
    """Visible tags, each with how many of the user's visible tasks carry it."""
    in_scope = Q() if is_superuser(user) else Q(tasks__team_id__in=team_ids_for(user))
    return tags_visible_to(user).annotate(
        visible_tasks=Count("tasks", filter=in_scope, distinct=True)
    )
