"""Search across the teams a person may see: a task by its key, or words grouped by team."""

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from portal.tasks.filters import TaskFilter
from portal.tasks.keys import parse_task_key
from portal.tasks.selectors.tasks import task_list, tasks_visible_to

# The longest search the task filter set takes (the list and the API refuse longer ones too).
SEARCH_MAX_LENGTH = TaskFilter.base_filters["search"].extra["max_length"]
# Matches shown per team, and in all: the team's list pages through the rest.
SEARCH_PER_TEAM = 5
SEARCH_MAX_ROWS = 100
SEARCH_FIELDS = (
    "id",
    "team_id",
    "team__name",
    "team__slug",
    "team__key",
    "number",
    "title",
    "status",
    "due_date",
    "due_day",
    "is_overdue",
    "total",
)


def task_at_key(*, fetched_by, text: str) -> tuple[str, int] | None:
    """(team slug, number) of the task whose key `text` is (" ops-42 "), if `fetched_by` may
    see it, archived or not; None otherwise (one query, none when `text` is not a key)."""
    if parse_task_key(text) is None:
        return None
    return (
        tasks_visible_to(fetched_by=fetched_by)
        .prefetch_related(None)
        .select_related(None)
        .with_keys([text])
        .values_list("team__slug", "number")
        .first()
    )


def _matches(*, fetched_by, text: str, per_team: int) -> QuerySet:
    """The first `per_team` matches of each team (the latest changed first) with each team's
    number of matches (`total`), from the list's own search (`TaskFilter`'s `search`)."""
    latest = [F("updated_at").desc(), F("id").desc()]
    return (
        task_list(fetched_by=fetched_by, filters={"search": text})
        .prefetch_related(None)
        .select_related(None)
        .with_overdue()
        .annotate(
            place=Window(RowNumber(), partition_by=F("team_id"), order_by=latest),
            total=Window(Count("id"), partition_by=F("team_id")),
        )
        .filter(place__lte=per_team)
        .order_by("team__name", "team_id", "place")
    )


def task_search_by_team(
    *, fetched_by, text: str, per_team: int = SEARCH_PER_TEAM, max_rows: int = SEARCH_MAX_ROWS
) -> tuple[list[dict], bool]:
    """Tasks `fetched_by` may see whose title or description holds `text` (or whose key it is),
    as the list's search finds them (archived ones left out), grouped by team in the teams'
    order: `[{"team": {id, name, slug, key}, "total": n, "tasks": [rows]}]`, and whether more
    teams matched than `max_rows` rows hold.

    One query however many tasks match (a window numbers and counts each team's matches).
    Raises ValidationError for a search the filter set refuses (too long, NUL characters).
    """
    rows = list(
        _matches(fetched_by=fetched_by, text=text, per_team=per_team).values(*SEARCH_FIELDS)[
            : max_rows + 1
        ]
    )
    groups: dict[int, dict] = {}
    for row in rows[:max_rows]:
        group = groups.get(row["team_id"])
        if group is None:
            team = {
                "id": row["team_id"],
                "name": row["team__name"],
                "slug": row["team__slug"],
                "key": row["team__key"],
            }
            group = groups[row["team_id"]] = {"team": team, "total": row["total"], "tasks": []}
        group["tasks"].append(row)
    return list(groups.values()), len(rows) > max_rows
