"""The board in swimlanes: its rows grouped by assignee, priority or parent task, with the count
of each lane's cells (lane x column) and a first few cards of each cell.

A constant number of queries whatever the number of tasks or lanes: one counts the lanes and
their cells, two (open columns, done column) read the first cards of every cell with a window
numbering each cell's tasks. A task with several assignees is in each of their lanes.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from portal.accounts.models import display_name
from portal.tasks.keys import task_key
from portal.tasks.models import Priority, Status, Task
from portal.tasks.querysets import BOARD_DONE_DAYS, order_terms
from portal.tasks.selectors.board import (
    BOARD_COLUMNS,
    BOARD_DONE_ORDER,
    BOARD_ORDER,
    board_q,
    board_tasks,
    column_q,
    done_since,
)
from portal.tasks.selectors.tasks import BOARD_CARD_FIELDS

ASSIGNEE, PRIORITY, PARENT = "assignee", "priority", "parent"
BOARD_GROUPS = (ASSIGNEE, PRIORITY, PARENT)
# Cards shown per cell; the rest are a link to the list away.
LANE_CARDS = 10
# Lanes shown at most (a team's people, four priorities, or the parents of its tasks).
MAX_LANES = 20
UNASSIGNED = "Unassigned"
NO_PARENT = "No parent task"
PRIORITY_ORDER = [p for p, _ in reversed(Priority.choices)]
# What each grouping reads of a lane, besides its key.
_LANE_VALUE = {ASSIGNEE: "assignees__id", PRIORITY: "priority", PARENT: "parent_id"}
_LANE_FIELDS = {
    ASSIGNEE: ("assignees__username", "assignees__first_name", "assignees__last_name"),
    PRIORITY: (),
    PARENT: ("parent__team__key", "parent__number", "parent__title"),
}
_LANE_ORDER = {
    ASSIGNEE: ("assignees__first_name", "assignees__last_name", "assignees__username"),
    PRIORITY: ("lane",),
    PARENT: ("parent__number",),
}


@dataclass
class Lane:
    """One swimlane: its key (a person's id, a priority, a parent task's id; None for
    unassigned or no parent), what it is called, its cells' counts and first cards."""

    key: int | str | None
    label: str
    total: int
    counts: dict[str, int]
    rows: dict[str, list[dict]] = field(default_factory=dict)
    parent_number: int | None = None


@dataclass
class BoardLanes:
    lanes: list[Lane]
    # More lanes exist than MAX_LANES.
    more: bool


def lane_filter(group: str, key) -> dict[str, str]:
    """The filter set's values that pick one lane's tasks (for the list's address)."""
    if group == PRIORITY:
        return {"priority": str(key)}
    name = "assignee" if group == ASSIGNEE else "parent"
    return {name: "none" if key is None else str(key)}


def _grouped(shown: QuerySet, group: str) -> QuerySet:
    """The board's tasks again, each with its lane: a fresh query over the chosen ids, so a
    filter by assignee does not narrow the assignees a task is grouped by (one row per
    assignee, one with none for an unassigned task)."""
    return Task.objects.filter(pk__in=shown.values("pk")).annotate(lane=F(_LANE_VALUE[group]))


def _label(group: str, key, row: dict) -> tuple[str, int | None]:
    if group == PRIORITY:
        return str(Priority(key).label), None
    if key is None:
        return (UNASSIGNED if group == ASSIGNEE else NO_PARENT), None
    if group == ASSIGNEE:
        names = row["assignees__first_name"], row["assignees__last_name"]
        return display_name(*names, row["assignees__username"]), None
    number = row["parent__number"]
    return f"{task_key(row['parent__team__key'], number)} {row['parent__title']}", number


def board_lanes(
    *,
    fetched_by,
    team,
    group: str,
    filters: Mapping | None = None,
    now=None,
    done_days: int = BOARD_DONE_DAYS,
    per_cell: int = LANE_CARDS,
    max_lanes: int = MAX_LANES,
) -> BoardLanes:
    """The team's board grouped into lanes by `group` (one of BOARD_GROUPS), narrowed by the
    list's `filters`; each lane's rows are BOARD_CARD_FIELDS rows by column, at most
    `per_cell` a cell. Lanes come in their natural order (people by name, urgent first,
    parents by number), with the unassigned or no-parent lane last; when there are more than
    `max_lanes`, that lane is always among those shown. Three queries."""
    if group not in BOARD_GROUPS:
        raise ValueError(group)
    now = now or timezone.now()
    since = done_since(now, done_days)
    shown = (
        board_tasks(fetched_by=fetched_by, team=team, filters=filters)
        .filter(board_q(since))
        .prefetch_related(None)
        .select_related(None)
    )
    grouped = _grouped(shown, group)
    cells = {status: Count("id", filter=column_q(status, since)) for status in BOARD_COLUMNS}
    found = list(
        grouped.values("lane", *_LANE_FIELDS[group])
        .annotate(total=Count("id"), **cells)
        .order_by(Case(When(lane__isnull=True, then=0), default=1), *_LANE_ORDER[group])[
            : max_lanes + 1
        ]
    )
    more = len(found) > max_lanes
    lanes = []
    for row in found[:max_lanes]:
        key = row["lane"]
        label, number = _label(group, key, row)
        counts = {status: row[status] for status in BOARD_COLUMNS}
        lane = Lane(key, label, row["total"], counts, {s: [] for s in BOARD_COLUMNS}, number)
        lanes.append(lane)
    if group == PRIORITY:
        lanes.sort(key=lambda lane: PRIORITY_ORDER.index(lane.key))
    else:
        lanes.sort(key=lambda lane: lane.key is None)  # stable: the empty lane goes last
    if lanes:
        _fill(grouped, lanes, now, since, per_cell)
    return BoardLanes(lanes, more)


def _fill(grouped: QuerySet, lanes: list[Lane], now, since, per_cell: int) -> None:
    """The first `per_cell` cards of each lane's cells: one query for the open columns and
    one for Done, each numbering the tasks of every (lane, column) in the board's order."""
    keys = [lane.key for lane in lanes if lane.key is not None]
    chosen = Q(lane__in=keys)
    if any(lane.key is None for lane in lanes):
        chosen |= Q(lane__isnull=True)
    by_key = {lane.key: lane for lane in lanes}
    open_columns = [s for s in BOARD_COLUMNS if s != Status.DONE]
    for columns, order in ((open_columns, BOARD_ORDER), ([Status.DONE], BOARD_DONE_ORDER)):
        where = Q(pk__in=[])
        for status in columns:
            where |= column_q(status, since)
        terms = order_terms(order)
        rows = (
            grouped.filter(chosen & where)
            .with_overdue(now)
            .with_priority_rank()
            .annotate(
                place=Window(RowNumber(), partition_by=[F("lane"), F("status")], order_by=terms)
            )
            .filter(place__lte=per_cell)
            .values(*BOARD_CARD_FIELDS, "lane", "place")
            .order_by("place")
        )
        for row in rows:
            del row["place"]
            by_key[row.pop("lane")].rows[row["status"]].append(row)
