"""Reads about tasks, comments and tags, scoped once by team membership.

Every door starts from these querysets, so team scoping is written and tested once. The list
selectors preload what list pages show (team, creator, assignees, tags) so the number of queries
stays constant however many rows there are.
"""

from collections.abc import Mapping

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from portal.accounts.models import User
from portal.tasks.filters import filter_tasks
from portal.tasks.models import Comment, Tag, Task
from portal.teams.permissions import is_superuser, team_ids_for


def _scope(qs: QuerySet, user, field: str = "team_id") -> QuerySet:
    if is_superuser(user):
        return qs
    return qs.filter(**{f"{field}__in": team_ids_for(user)})


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks of the user's teams (all for superusers), archived ones included.

    Lists hide archived tasks by default: start them from `task_list`, or say `.active()`.
    """
    people = User.objects.only("id", "username", "first_name", "last_name", "email")
    qs = Task.objects.select_related(
        "team", "created_by", "parent", "parent__team"
    ).prefetch_related(Prefetch("assignees", queryset=people), "tags")
    return _scope(qs, user)


def task_list(*, fetched_by, filters: Mapping | None = None) -> QuerySet[Task]:
    """The tasks `fetched_by` may see, filtered by plain values through the one task filter set.

    `task_list(fetched_by=user, filters={"status": "done", "overdue": True, "assignee": "me"})`.
    Archived tasks are left out unless `is_archived` asks for them; a bad value raises
    ValidationError naming the filter, with the message every door shows.
    """
    return filter_tasks(tasks_visible_to(fetched_by), user=fetched_by, filters=filters)


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
