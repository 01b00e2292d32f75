"""Reads about tasks, comments and tags, scoped once by team membership.

Every door starts from these querysets, so team scoping is written and tested once. The list
selectors preload what list pages show (team, creator, assignees, tags) so the number of queries
stays constant however many rows there are.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format

from portal.accounts.models import User
from portal.core.history import history_entries
from portal.tasks.filters import filter_tasks
from portal.tasks.models import Comment, Priority, Status, Tag, Task
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


def tasks_by_key(user, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Task]:
    """Tasks the user may see, by (team key, number), in one query (plus the preloads)."""
    numbers: dict[str, set[int]] = {}
    for team_key, number in keys:
        numbers.setdefault(team_key.upper(), set()).add(number)
    if not numbers:
        return {}
    match = Q()
    for team_key, wanted in numbers.items():
        match |= Q(team__key=team_key, number__in=sorted(wanted))
    return {(t.team.key, t.number): t for t in tasks_visible_to(user).filter(match)}


def tags_by_name(names: Iterable[str]) -> dict[str, Tag]:
    """Tags by lower-cased name (tag names are shared by all teams, so all are looked at)."""
    wanted = {name.lower() for name in names}
    if not wanted:
        return {}
    found = Tag.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=wanted)
    return {tag.name.lower(): tag for tag in found}


def task_list(*, fetched_by, filters: Mapping | None = None) -> QuerySet[Task]:
    """The tasks `fetched_by` may see, filtered by plain values through the one task filter set.

    `task_list(fetched_by=user, filters={"status": "done", "overdue": True, "assignee": "me"})`.
    Archived tasks are left out unless `is_archived` asks for them; a bad value raises
    ValidationError naming the filter, with the message every door shows.
    """
    return filter_tasks(tasks_visible_to(fetched_by), user=fetched_by, filters=filters)


# Historical many-to-many rows of a task record: relation to prefetch and the id column.
TASK_HISTORY_M2M = {
    "assignees": ("historicaltask_assignees_set", "user_id"),
    "tags": ("historicaltask_tags_set", "tag_id"),
}


def task_history(task: Task) -> QuerySet:
    """Change records, newest first, with who made each change and the many-to-many rows."""
    return (
        task.history.select_related("history_user")
        .prefetch_related(*(relation for relation, _ in TASK_HISTORY_M2M.values()))
        .order_by("-history_date", "-history_id")
    )


def task_history_entries(records: QuerySet, page: Sequence) -> list[dict]:
    """The change records of `page` (a slice of `records`, newest first) with what changed.

    The one diff of a task's history: the API, the admin's history page and the activity feed
    show these. Two queries and the prefetches, whatever the page size.
    """
    page = list(page)
    older = None
    if page:
        last = page[-1]
        older = records.filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        ).first()
    return history_entries(page, older, m2m=TASK_HISTORY_M2M)


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


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def history_readable(entries: list[dict]) -> list[list[dict]]:
    """Each entry's changes as people read them: field labels, choice labels, names and keys.

    Ids of people, tags and parent tasks are resolved in at most three queries for all entries.
    """
    wanted: dict[str, set[int]] = {"assignees": set(), "tags": set(), "parent": set()}
    for entry in entries:
        for change in entry["changes"]:
            if change["field"] in wanted:
                for value in (change["old"], change["new"]):
                    values = value if isinstance(value, list) else [value]
                    wanted[change["field"]].update(v for v in values if isinstance(v, int))
    names = {
        "assignees": dict(
            User.objects.filter(pk__in=wanted["assignees"]).values_list("pk", "username")
        )
        if wanted["assignees"]
        else {},
        "tags": dict(Tag.objects.filter(pk__in=wanted["tags"]).values_list("pk", "name"))
        if wanted["tags"]
        else {},
        "parent": {
            t.pk: t.key
            for t in Task.objects.filter(pk__in=wanted["parent"])
            .select_related("team")
            .only("id", "number", "team__key")
        }
        if wanted["parent"]
        else {},
    }
    choices = {"status": dict(Status.choices), "priority": dict(Priority.choices)}

    def show(field: str, value) -> str:
        if field in names:
            values = value if isinstance(value, list) else [value]
            shown = [names[field].get(v, f"#{v}") for v in values if v is not None]
            return ", ".join(shown) or "—"
        if field in choices:
            return str(choices[field].get(value, value))
        return _text(value)

    readable = []
    for entry in entries:
        rows = []
        for change in entry["changes"]:
            name = change["field"]
            label = Task._meta.get_field(name).verbose_name
            rows.append(
                {
                    "field": str(label),
                    "old": show(name, change["old"]),
                    "new": show(name, change["new"]),
                }
            )
        readable.append(rows)
    return readable
