"""A team's activity: task changes and comments, newest first, a page at a time."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from portal.core.history import HISTORY_TYPES, history_entries
from portal.tasks.keys import task_key
from portal.tasks.models import Comment, Task
from portal.tasks.selectors.history import history_readable
from portal.tasks.selectors.tasks import TASK_HISTORY_M2M
from portal.teams.permissions import is_superuser, team_ids_for

ACTIVITY_PAGE = 25
# Order of the two kinds of record at the same moment (and the cursor's middle part).
TASK_CHANGE, COMMENT_CHANGE = 2, 1
ActivityCursor = tuple  # (history_date, kind, history_id) of the last record shown


@dataclass(frozen=True)
class ActivitySource:
    """Another app's change records in a team's feed (the attachments app's uploads).

    `records(fetched_by=, team=)` gives its history records newest first, scoped to what the
    person may see; `entries(records)` makes them entries by history id (as `_comment_entries`
    does). `kind` orders records of the same moment and appears in the pages' cursor.
    """

    kind: int
    records: Callable[..., QuerySet]
    entries: Callable[[list], dict[int, dict]]


_SOURCES: dict[int, ActivitySource] = {}


def register_activity_source(source: ActivitySource) -> None:
    """Called once at start-up by an app above this one (its AppConfig.ready)."""
    if source.kind in (TASK_CHANGE, COMMENT_CHANGE):
        raise ValueError(f"Activity kind {source.kind} is the tasks app's own.")
    _SOURCES[source.kind] = source


def activity_kinds() -> set[int]:
    return {TASK_CHANGE, COMMENT_CHANGE, *_SOURCES}


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
    tasks = team_task_history(fetched_by=fetched_by, team=team)
    comments = team_comment_history(fetched_by=fetched_by, team=team)
    merged = sorted(
        [(r.history_date, TASK_CHANGE, r.history_id, r) for r in _page(tasks, before, size)]
        + [(r.history_date, COMMENT_CHANGE, r.history_id, r) for r in _page(comments, before, size)]
        + [
            (r.history_date, source.kind, r.history_id, r)
            for source in _SOURCES.values()
            for r in _older_than(
                source.records(fetched_by=fetched_by, team=team), before, source.kind
            )[: size + 1]
        ],
        key=lambda row: row[:3],
        reverse=True,
    )
    page = merged[:size]
    built = {
        TASK_CHANGE: _task_change_entries(team, [row[3] for row in page if row[1] == TASK_CHANGE]),
        COMMENT_CHANGE: _comment_entries([row[3] for row in page if row[1] == COMMENT_CHANGE]),
    }
    for source in _SOURCES.values():
        mine = [row[3] for row in page if row[1] == source.kind]
        built[source.kind] = source.entries(mine) if mine else {}
    entries = [built[kind][history_id] for _, kind, history_id, _ in page]
    cursor = page[-1][:3] if len(merged) > size else None
    return entries, cursor


def _page(records: QuerySet, before: ActivityCursor | None, size: int) -> list:
    """One more record than a page, older than the cursor (the kind comes from the model)."""
    kind = TASK_CHANGE if records.model is Task.history.model else COMMENT_CHANGE
    return list(_older_than(records, before, kind)[: size + 1])


def _task_change_entries(team, records: list) -> dict[int, dict]:
    """Task change records as activity entries, by history id (what changed, readable)."""
    entries = team_history_entries(records)
    readable = dict(zip((e["id"] for e in entries), history_readable(entries), strict=True))
    by_id = {e["id"]: e for e in entries}
    return {
        record.history_id: {
            **by_id[record.history_id],
            "kind": "task",
            "task_number": record.number,
            "task_key": task_key(team.key, record.number),
            "task_title": record.title,
            "rows": readable[record.history_id],
        }
        for record in records
    }


def record_tasks(records) -> dict:
    """The tasks history records of other models name (`task_id`), with what an activity
    entry shows of them: one query."""
    return {
        t.pk: t
        for t in Task.objects.filter(pk__in={r.task_id for r in records})
        .select_related("team")
        .only("id", "number", "title", "team__key")
    }


def entry_head(record, task, kind: str) -> dict:
    """What every activity entry of a task's part (comment, attachment) starts with."""
    return {
        "id": record.history_id,
        "kind": kind,
        "date": record.history_date,
        "user": record.history_user,
        "by": record.history_change_reason or "",
        "type": HISTORY_TYPES.get(record.history_type, "changed"),
        "task_number": task.number if task else None,
        "task_key": task.key if task else "",
        "task_title": task.title if task else "",
    }


def _comment_entries(records: list) -> dict[int, dict]:
    """Comment records as activity entries, by history id, with the text before each edit."""
    previous = _previous_records(records)
    tasks = record_tasks(records)
    entries = {}
    for record in records:
        task, older = tasks.get(record.task_id), previous.get(record.history_id)
        entries[record.history_id] = {
            **entry_head(record, task, "comment"),
            "body": record.body,
            "old_body": older.body if older is not None else None,
        }
    return entries
