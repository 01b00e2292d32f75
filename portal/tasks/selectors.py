"""Reads about tasks, comments and tags, scoped once by team membership.

Every door starts from these querysets, so team scoping is written and tested once. The list
selectors preload what list pages show (team, creator, assignees, tags) so the number of queries
stays constant however many rows there are.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Lower, RowNumber
from django.utils import timezone

from portal.accounts.models import User
from portal.core.dates import show_date
from portal.core.history import HISTORY_TYPES, history_entries
from portal.tasks.filters import filter_tasks
from portal.tasks.keys import task_key
from portal.tasks.models import Comment, Priority, Status, Tag, Task
from portal.tasks.querysets import BOARD_DONE_DAYS, done_since_q, order_terms
from portal.teams.permissions import in_my_teams, is_superuser, team_ids_for


def _scope(qs: QuerySet, user, field: str = "team_id") -> QuerySet:
    return qs.filter(in_my_teams(user, field))


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks of the user's teams (all for superusers), archived ones included.

    Lists hide archived tasks by default: start them from `task_list`, or say `.active()`.
    """
    people = User.objects.only("id", "username", "first_name", "last_name", "email")
    qs = Task.objects.select_related(
        "team", "created_by", "parent", "parent__team"
    ).prefetch_related(Prefetch("assignees", queryset=people), "tags")
    return _scope(qs, user)


# Columns of a task as lists show it, read without building model instances.
TASK_ROW_FIELDS = (
    "id",
    "team_id",
    "team__key",
    "number",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "estimated_hours",
    "actual_hours",
    "created_by_id",
    "created_by__username",
    "parent_id",
    "metadata",
    "is_archived",
    "completed_at",
    "created_at",
    "updated_at",
)


def task_rows(tasks: QuerySet[Task]) -> QuerySet:
    """`tasks` (scoped, filtered, ordered as given) as plain rows of TASK_ROW_FIELDS.

    For reads that show many tasks: no model instances and none of the preloads; take the
    links of a page with `task_links`.
    """
    return tasks.prefetch_related(None).values(*TASK_ROW_FIELDS)


ASSIGNEE, TAG = 0, 1


def task_links(task_ids: Iterable[int]) -> dict[int, dict[str, list[dict]]]:
    """Assignees `{id, username}` and tags `{id, name, color}` of these tasks, in one query.

    Each list comes in the models' order (people by username, tags by name), as the
    preloaded relations of `tasks_visible_to` give them. Every id gets both lists.
    """
    ids = list(task_ids)
    links: dict[int, dict[str, list[dict]]] = {pk: {"assignees": [], "tags": []} for pk in ids}
    if not ids:
        return links
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
    for owner, kind, ref, label, color in people.union(tags, all=True).order_by("kind", "label"):
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
        tasks_visible_to(fetched_by)
        .open()
        .assigned_to(fetched_by)
        .with_overdue()
        .with_priority_rank()
        .annotate(place=Window(RowNumber(), partition_by=F("team_id"), order_by=terms))
        .filter(place__lte=per_team)
        .order_by("team__name", *terms)
    )


def tasks_by_key(user, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Task]:
    """Tasks the user may see, by (team key, number), in one query (plus the preloads)."""
    wanted = [task_key(team_key, number) for team_key, number in keys]
    if not wanted:
        return {}
    return {(t.team.key, t.number): t for t in tasks_visible_to(user).with_keys(wanted)}


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


# --- the board: one column per status, a page of cards each -----------------------------------
BOARD_COLUMNS = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE)
# The done column shows what was finished lately, not the team's whole past.
BOARD_PAGE = 50
BOARD_ORDER = ["-priority", "due_date"]
BOARD_DONE_ORDER = ["-completed_at"]


def board_filters(team, status: str, now=None) -> dict[str, str]:
    """The task filters of one board column, as the list page and the API would write them."""
    filters = {"team": str(team.pk), "status": status}
    if status == Status.DONE:
        since = (now or timezone.now()) - timedelta(days=BOARD_DONE_DAYS)
        filters["completed_after"] = since.isoformat()
    return filters


def board_counts(*, fetched_by, team, now=None) -> dict[str, int]:
    """How many cards each column holds in all (one query)."""
    now = now or timezone.now()
    since = now - timedelta(days=BOARD_DONE_DAYS)
    qs = task_list(fetched_by=fetched_by, filters={"team": str(team.pk)})
    counts = {
        status: Count("id", filter=Q(status=status))
        for status in BOARD_COLUMNS
        if status != Status.DONE
    }
    counts[Status.DONE] = Count("id", filter=done_since_q(since))
    return qs.aggregate(**counts)


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


# --- a team's activity: task changes and comments, newest first ---------------------------------
ACTIVITY_PAGE = 25
# Order of the two kinds of record at the same moment (and the cursor's middle part).
TASK_CHANGE, COMMENT_CHANGE = 2, 1
ActivityCursor = tuple  # (history_date, kind, history_id) of the last record shown


def _team_scope(qs: QuerySet, user, team, field: str) -> QuerySet:
    if is_superuser(user) or team.pk in team_ids_for(user):
        return qs.filter(**{field: team.pk})
    return qs.none()


def team_task_history(*, fetched_by, team) -> QuerySet:
    """Change records of the team's tasks (deleted tasks' included), newest first."""
    qs = Task.history.select_related("history_user").prefetch_related(
        *(relation for relation, _ in TASK_HISTORY_M2M.values())
    )
    return _team_scope(qs, fetched_by, team, "team_id").order_by("-history_date", "-history_id")


def team_comment_history(*, fetched_by, team) -> QuerySet:
    """Change records of the comments on the team's tasks, newest first."""
    qs = Comment.history.select_related("history_user")
    return _team_scope(qs, fetched_by, team, "task__team_id").order_by(
        "-history_date", "-history_id"
    )


def _previous_records(records: Sequence, prefetch: Sequence[str] = ()) -> dict[int, object]:
    """For records of different objects, each one's previous record of the same object.

    Two queries (plus `prefetch`) for the whole page: one finds the predecessors' ids, one
    loads them.
    """
    if not records:
        return {}
    model = type(records[0])
    earlier = model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    pairs = dict(
        model.objects.filter(history_id__in=[r.history_id for r in records])
        .annotate(
            previous_id=Subquery(
                earlier.order_by("-history_date", "-history_id").values("history_id")[:1]
            )
        )
        .values_list("history_id", "previous_id")
    )
    wanted = {p for p in pairs.values() if p is not None}
    loaded = {}
    if wanted:
        loaded = {
            r.history_id: r
            for r in model.objects.filter(history_id__in=wanted).prefetch_related(*prefetch)
        }
    return {hid: loaded[p] for hid, p in pairs.items() if p is not None}


def team_history_entries(records: Sequence) -> list[dict]:
    """Task change records of many tasks (a team's feed) with what each changed.

    The same diff as `task_history_entries`, each record compared with the previous record
    of its own task; a constant number of queries for the page.
    """
    records = list(records)
    previous = _previous_records(records, [relation for relation, _ in TASK_HISTORY_M2M.values()])
    return [
        history_entries([r], previous.get(r.history_id), m2m=TASK_HISTORY_M2M)[0] for r in records
    ]


def _older_than(qs: QuerySet, before: ActivityCursor | None, kind: int) -> QuerySet:
    if before is None:
        return qs
    moment, cursor_kind, cursor_id = before
    same_moment = Q(history_date=moment)
    if kind < cursor_kind:
        later_in_order = same_moment
    elif kind == cursor_kind:
        later_in_order = same_moment & Q(history_id__lt=cursor_id)
    else:
        later_in_order = Q(pk__in=[])
    return qs.filter(Q(history_date__lt=moment) | later_in_order)


def team_activity(
    *, fetched_by, team, before: ActivityCursor | None = None, size: int = ACTIVITY_PAGE
) -> tuple[list[dict], ActivityCursor | None]:
    """The team's task changes and comments, newest first, `size` at a time.

    Returns the entries and the cursor of the next (older) page, or None at the end. Each
    entry: kind ("task" or "comment"), date, user, type (created/changed/deleted), the task's
    key, number and title, and for tasks `rows` (history_readable) or for comments `body`
    and `old_body`. A constant number of queries, however long the history.
    """
    tasks = list(
        _older_than(team_task_history(fetched_by=fetched_by, team=team), before, TASK_CHANGE)[
            : size + 1
        ]
    )
    comments = list(
        _older_than(team_comment_history(fetched_by=fetched_by, team=team), before, COMMENT_CHANGE)[
            : size + 1
        ]
    )
    merged = sorted(
        [(r.history_date, TASK_CHANGE, r.history_id, r) for r in tasks]
        + [(r.history_date, COMMENT_CHANGE, r.history_id, r) for r in comments],
        key=lambda row: row[:3],
        reverse=True,
    )
    page = merged[:size]
    shown_tasks = [row[3] for row in page if row[1] == TASK_CHANGE]
    shown_comments = [row[3] for row in page if row[1] == COMMENT_CHANGE]

    task_entries = team_history_entries(shown_tasks)
    readable = dict(
        zip(
            (e["id"] for e in task_entries),
            history_readable(task_entries),
            strict=True,
        )
    )
    by_task_record = {e["id"]: e for e in task_entries}
    previous_comments = _previous_records(shown_comments)
    keys = {
        t.pk: t
        for t in Task.objects.filter(pk__in={c.task_id for c in shown_comments})
        .select_related("team")
        .only("id", "number", "title", "team__key")
    }

    entries = []
    for moment, kind, history_id, record in page:
        if kind == TASK_CHANGE:
            entry = by_task_record[history_id]
            entries.append(
                {
                    **entry,
                    "kind": "task",
                    "task_number": record.number,
                    "task_key": task_key(team.key, record.number),
                    "task_title": record.title,
                    "rows": readable[history_id],
                }
            )
        else:
            task = keys.get(record.task_id)
            older = previous_comments.get(history_id)
            entries.append(
                {
                    "id": history_id,
                    "kind": "comment",
                    "date": moment,
                    "user": record.history_user,
                    "type": HISTORY_TYPES.get(record.history_type, "changed"),
                    "task_number": task.number if task else None,
                    "task_key": task.key if task else "",
                    "task_title": task.title if task else "",
                    "body": record.body,
                    "old_body": older.body if older is not None else None,
                }
            )
    cursor = page[-1][:3] if len(merged) > size else None
    return entries, cursor


def comments_visible_to(user) -> QuerySet[Comment]:
    return _scope(
        Comment.objects.select_related("author", "task", "task__team"), user, "task__team_id"
    )


def task_comments(*, fetched_by, task: Task) -> QuerySet[Comment]:
    """A task's comments that `fetched_by` may see, oldest first (the order every door shows)."""
    return comments_visible_to(fetched_by).filter(task=task).order_by("created_at", "id")


def task_ids_by_key(user, keys: Iterable[str]) -> dict[str, int]:
    """The ids of the tasks with these keys (OPS-42) that `user` may see (one query)."""
    rows = (
        tasks_visible_to(user)
        .prefetch_related(None)
        .with_keys(keys)
        .values_list("pk", "team__key", "number")
    )
    return {task_key(team_key, number): pk for pk, team_key, number in rows}


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
    in_scope = in_my_teams(user, "tasks__team_id")
    return tags_visible_to(user).annotate(
        visible_tasks=Count("tasks", filter=in_scope, distinct=True)
    )


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return show_date(value, with_time=isinstance(value, datetime))
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
        .only("id", "team_id", "number", "title", "due_date", "team__key", "team__name")
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
    "is_overdue",
)


def board_cards(
    *, fetched_by, team, status: str, now=None, offset: int = 0, limit: int = BOARD_PAGE
) -> tuple[list[dict], bool]:
    """A page of one column's cards as rows of BOARD_CARD_FIELDS, and whether more follow.

    One query, any team size. Open columns put urgent and soon-due tasks first; the done column
    the latest finished. A board shows 200 cards: building and preloading model instances for them cost more than
    the queries. Take the cards' people and tags with `board_card_links`.
    """
    now = now or timezone.now()
    order = BOARD_DONE_ORDER if status == Status.DONE else BOARD_ORDER
    qs = task_list(fetched_by=fetched_by, filters=board_filters(team, status, now))
    rows = list(
        qs.prefetch_related(None)
        .select_related(None)
        .with_overdue(now)
        .ordered(order)
        .values(*BOARD_CARD_FIELDS)[offset : offset + limit + 1]
    )
    return rows[:limit], len(rows) > limit


def board_card(*, fetched_by, team, number: int, now=None) -> dict:
    """One card's row (BOARD_CARD_FIELDS) as the board shows it; DoesNotExist if not visible."""
    return (
        tasks_visible_to(fetched_by)
        .prefetch_related(None)
        .select_related(None)
        .with_overdue(now)
        .values(*BOARD_CARD_FIELDS)
        .get(team=team, number=number)
    )


def board_card_links(task_ids: Iterable[int]) -> dict[int, dict[str, list[dict]]]:
    """Assignees `{id, username, first_name, last_name}` (by username) and tags `{name, color}`
    (by name) of these tasks, in two queries whatever their number. Every id gets both lists.
    """
    ids = list(task_ids)
    links: dict[int, dict[str, list[dict]]] = {pk: {"assignees": [], "tags": []} for pk in ids}
    if not ids:
        return links
    people = (
        Task.assignees.through.objects.filter(task_id__in=ids)
        .order_by("user__username")
        .values_list("task_id", "user_id", "user__username", "user__first_name", "user__last_name")
    )
    for task_id, user_id, username, first_name, last_name in people:
        links[task_id]["assignees"].append(
            {"id": user_id, "username": username, "first_name": first_name, "last_name": last_name}
        )
    tags = (
        Task.tags.through.objects.filter(task_id__in=ids)
        .order_by("tag__name")
        .values_list("task_id", "tag__name", "tag__color")
    )
    for task_id, name, color in tags:
        links[task_id]["tags"].append({"name": name, "color": color})
    return links
