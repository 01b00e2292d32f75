"""The tasks a person may see, as lists, plain rows and links, and by key."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet, Value, Window
from django.db.models.functions import RowNumber

from portal.accounts.models import User
from portal.core.compiled import IdsQuery
from portal.tasks.fields import row_columns
from portal.tasks.filters import filter_tasks
from portal.tasks.keys import task_key
from portal.tasks.models import Task
from portal.tasks.querysets import order_terms
from portal.teams.permissions import in_my_teams


def _scope(qs: QuerySet, user, field: str = "team_id") -> QuerySet:
    return qs.filter(in_my_teams(user, field))


def tasks_visible_to(*, fetched_by) -> QuerySet[Task]:
    """Tasks of the user's teams (all for superusers), archived ones included.

    Lists hide archived tasks by default: start them from `task_list`, or say `.active()`.
    """
    people = User.objects.only("id", "username", "first_name", "last_name", "email")
    qs = Task.objects.select_related(
        "team", "created_by", "parent", "parent__team"
    ).prefetch_related(Prefetch("assignees", queryset=people), "tags")
    return _scope(qs, fetched_by)


# Columns of a task as lists show it, read without building model instances.
TASK_ROW_FIELDS = row_columns()


def task_rows(tasks: QuerySet[Task]) -> QuerySet:
    """`tasks` (scoped, filtered, ordered as given) as plain rows of TASK_ROW_FIELDS.

    For reads that show many tasks: no model instances and none of the preloads; take the
    links of a page with `task_links`.
    """
    return tasks.prefetch_related(None).values(*TASK_ROW_FIELDS)


ASSIGNEE, TAG = 0, 1
TaskLinks = dict[int, dict[str, list[dict]]]


def no_links(task_ids: Iterable[int]) -> TaskLinks:
    """Empty assignees and tags for each of these tasks: every id gets both lists."""
    return {pk: {"assignees": [], "tags": []} for pk in task_ids}


def _links_query(ids: list[int]) -> QuerySet:
    """The assignees and tags of these tasks as (task, kind, id, label, color) rows."""
    people = (
        Task.assignees.through.objects.filter(task_id__in=ids)
        .annotate(
            owner=F("task_id"),
            kind=Value(ASSIGNEE),
            ref=F("user_id"),
            label=F("user__username"),
            color=Value(""),
        )
        .values_list("owner", "kind", "ref", "label", "color")
    )
    tags = (
        Task.tags.through.objects.filter(task_id__in=ids)
        .annotate(
            owner=F("task_id"),
            kind=Value(TAG),
            ref=F("tag_id"),
            label=F("tag__name"),
            color=F("tag__color"),
        )
        .values_list("owner", "kind", "ref", "label", "color")
    )
    return people.union(tags, all=True).order_by("kind", "label")


# Compiled once per page size: a page's links are read on every list and detail.
_LINKS = IdsQuery(_links_query)


def task_links(task_ids: Iterable[int]) -> TaskLinks:
    """Assignees `{id, username}` and tags `{id, name, color}` of these tasks, in one query.

    Each list comes in the models' order (people by username, tags by name), as the
    preloaded relations of `tasks_visible_to` give them. Every id gets both lists.
    """
    links = no_links(task_ids)
    ids = list(links)
    if not ids:
        return links
    for owner, kind, ref, label, color in _LINKS.rows(ids):
        if kind == ASSIGNEE:
            links[owner]["assignees"].append({"id": ref, "username": label})
        else:
            links[owner]["tags"].append({"id": ref, "name": label, "color": color})
    return links


def open_tasks_assigned(*, fetched_by, per_team: int = 5) -> QuerySet[Task]:
    """Open tasks assigned to `fetched_by`, at most `per_team` of each team, due soonest first.

    One query plus the preloads, however many teams and tasks (a window function numbers the
    tasks inside each team).
    """
    terms = order_terms(["due_date", "-priority"])
    return (
        tasks_visible_to(fetched_by=fetched_by)
        .open()
        .assigned_to(fetched_by)
        .with_overdue()
        .with_priority_rank()
        .annotate(place=Window(RowNumber(), partition_by=F("team_id"), order_by=terms))
        .filter(place__lte=per_team)
        .order_by("team__name", *terms)
    )


def tasks_by_key(*, fetched_by, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Task]:
    """Tasks the user may see, by (team key, number), in one query (plus the preloads)."""
    wanted = [task_key(team_key, number) for team_key, number in keys]
    if not wanted:
        return {}
    return {
        (t.team.key, t.number): t for t in tasks_visible_to(fetched_by=fetched_by).with_keys(wanted)
    }


def tasks_like(
    *, fetched_by, teams: Iterable[int], titles: Iterable[str]
) -> list[tuple[int, str, str, object]]:
    """Tasks the user may see in `teams` whose title is one of `titles`, in one query, as
    (team id, title, key, due day) with the due day as the team sees it: the day given, or the
    local day of a due moment (None without a due date). The spreadsheet import's look-alike
    check asks once for all of a file's rows without a key."""
    from django.utils import timezone

    team_ids, wanted = sorted(set(teams)), sorted({t for t in titles if t})
    if not team_ids or not wanted:
        return []
    rows = (
        _scope(Task.objects.all(), fetched_by)
        .filter(team_id__in=team_ids, title__in=wanted)
        .order_by("team_id", "number")
        .values_list("team_id", "title", "team__key", "number", "due_date", "due_day")
    )
    return [
        (
            team_id,
            title,
            task_key(team_key, number),
            due_day if due_day is not None or due is None else timezone.localdate(due),
        )
        for team_id, title, team_key, number, due, due_day in rows
    ]


def task_list(*, fetched_by, filters: Mapping | None = None) -> QuerySet[Task]:
    """The tasks `fetched_by` may see, filtered by plain values through the one task filter set.

    `task_list(fetched_by=user, filters={"status": "done", "overdue": True, "assignee": "me"})`.
    Archived tasks are left out unless `is_archived` asks for them; a bad value raises
    ValidationError naming the filter, with the message every door shows.
    """
    return filter_tasks(tasks_visible_to(fetched_by=fetched_by), user=fetched_by, filters=filters)


# Historical many-to-many rows of a task record: relation to prefetch and the id column.
TASK_HISTORY_M2M = {
    "assignees": ("historicaltask_assignees_set", "user_id"),
    "tags": ("historicaltask_tags_set", "tag_id"),
}


def task_ids_by_key(*, fetched_by, keys: Iterable[str]) -> dict[str, int]:
    """The ids of the tasks with these keys (OPS-42) that `user` may see (one query)."""
    rows = (
        tasks_visible_to(fetched_by=fetched_by)
        .prefetch_related(None)
        .with_keys(keys)
        .values_list("pk", "team__key", "number")
    )
    return {task_key(team_key, number): pk for pk, team_key, number in rows}


@dataclass(frozen=True)
class TaskRef:
    """Enough of a task to link to it from any door (its id, team slug and number)."""

    pk: int
    team_slug: str
    number: int


def task_refs_by_key(*, fetched_by, keys: Iterable[str]) -> dict[str, TaskRef]:
    """The tasks with these keys (OPS-42) that `user` may see, by key (one query, none for
    no keys)."""
    keys = set(keys)
    if not keys:
        return {}
    rows = (
        tasks_visible_to(fetched_by=fetched_by)
        .prefetch_related(None)
        .with_keys(keys)
        .values_list("pk", "team__key", "team__slug", "number")
    )
    return {
        task_key(team_key, number): TaskRef(pk, slug, number) for pk, team_key, slug, number in rows
    }


def open_tasks_assigned_by_team(*, fetched_by, per_team: int = 5) -> dict[int, dict]:
    """Per team: how many open tasks are assigned to `fetched_by` (`count`) and the first
    `per_team` of them as `open_tasks_assigned` orders them (`tasks`), for pages that show
    each task's key, title and due date only. Teams with none are left out.

    Two queries, no preloads. The window numbers and counts the tasks from columns the index of
    open tasks by team holds (no table rows read for the thousands it numbers); then only the
    chosen few are read, with just the columns shown and the team's key. Two steps rather than
    a subquery: the planner cannot tell that the window keeps few rows, and would scan the table
    to join them.
    """
    chosen = list(
        open_tasks_assigned(fetched_by=fetched_by, per_team=per_team)
        .order_by()  # the ids only: no join to the teams for their names
        .annotate(total=Window(Count("id"), partition_by=F("team_id")))
        .values_list("pk", "team_id", "total")
    )
    teams: dict[int, dict] = {}
    for _, team_id, total in chosen:
        teams[team_id] = {"count": total, "tasks": []}
    if not teams:
        return teams
    tasks = (
        Task.objects.filter(pk__in=[pk for pk, _, _ in chosen])
        .with_overdue()
        .with_priority_rank()
        .select_related("team")
        .only("id", "team_id", "number", "title", "due_date", "due_day", "team__key", "team__name")
        .order_by("team__name", *order_terms(["due_date", "-priority"]))
    )
    for task in tasks:
        teams[task.team_id]["tasks"].append(task)
    return teams


# What a board card shows, read as plain rows (no model instances, no preloads).
BOARD_CARD_FIELDS = (
    "id",
    "team__key",
    "number",
    "title",
    "status",
    "priority",
    "due_date",
    "due_day",
    "is_overdue",
    "is_archived",
)
