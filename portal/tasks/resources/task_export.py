"""The task sheet's export rows, read without model instances and built from the field
description (portal/tasks/fields.py).

The columns, their order and what is read are the description's: the sheet's fields in sheet
order (`sheet_fields`), the lean row's columns (`task_rows`, the description's `row` columns)
and the links of each chunk (`task_links`, one query per chunk). Each field's cell is its lean
row value, or what `CELLS` says for the fields whose cell is not a stored column as it is (a
key, names of links, a local minute). A field that joins the sheet in the description joins
the export with no change here when its cell is its stored value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import batched
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from portal.core.resources import EXPORT_CHUNK, names
from portal.tasks.fields import sheet_fields
from portal.tasks.keys import task_key
from portal.tasks.models import Task
from portal.tasks.repeat import repeat_text
from portal.tasks.resources.task_custom import CustomColumn, cells_of
from portal.tasks.selectors import task_links, task_rows

YES, NO = "yes", "no"

# A cell from (lean row, the task's links, what the chunk's rows share).
Cell = Callable[[dict, dict, "Chunk"], Any]


@dataclass(frozen=True)
class Chunk:
    """What the cells of a chunk of rows share: the parents' keys by id, and the local zone
    (read once per export rather than per cell)."""

    parents: dict[int, str]
    zone: tzinfo


def _minute(moment: datetime | None, chunk: Chunk) -> datetime | None:
    """`local_minute`, in the chunk's zone."""
    if moment is None:
        return None
    return moment.astimezone(chunk.zone).replace(second=0, microsecond=0, tzinfo=None)


def _due(row: dict, links: dict, chunk: Chunk) -> Any:
    # A due day as a date; a due moment in local time to the minute.
    return row["due_day"] if row["due_day"] is not None else _minute(row["due_date"], chunk)


def _moment(name: str) -> Cell:
    return lambda row, links, chunk: _minute(row[name], chunk)


# The fields whose cell is not their stored value, by field name; every other sheet field's
# cell is `row[field.name]`.
CELLS: dict[str, Cell] = {
    "number": lambda row, links, chunk: task_key(row["team__key"], row["number"]),
    "team": lambda row, links, chunk: row["team__key"],
    "due_date": _due,
    "assignees": lambda row, links, chunk: names(p["username"] for p in links["assignees"]),
    "tags": lambda row, links, chunk: names(t["name"] for t in links["tags"]),
    "parent": lambda row, links, chunk: chunk.parents.get(row["parent_id"], ""),
    "is_archived": lambda row, links, chunk: YES if row["is_archived"] else NO,
    "repeat": lambda row, links, chunk: repeat_text(row["repeat_rule"], row["repeat_from"]),
    "created_by": lambda row, links, chunk: row["created_by__username"] or "",
    "created_at": _moment("created_at"),
    "updated_at": _moment("updated_at"),
    "completed_at": _moment("completed_at"),
}


def _plain(name: str) -> Cell:
    return lambda row, links, chunk: row[name]


def sheet_cells() -> tuple[Cell, ...]:
    """One cell function per column of the task sheet, in the sheet's order."""
    fields = (*sheet_fields(export_only=False), *sheet_fields(export_only=True))
    return tuple(CELLS.get(f.name) or _plain(f.name) for f in fields)


def parent_keys(parent_ids: set[int]) -> dict[int, str]:
    """The keys of these tasks by id, in one query (none for no ids)."""
    if not parent_ids:
        return {}
    found = Task.objects.filter(pk__in=parent_ids).values_list("pk", "team__key", "number")
    return {pk: task_key(team_key, number) for pk, team_key, number in found}


def export_rows(
    queryset: QuerySet[Task], custom: list[CustomColumn], people: dict[int, str]
) -> Iterator[list[Any]]:
    """The sheet's rows of `queryset` (scoped and filtered by the selectors), as Python values,
    in chunks of EXPORT_CHUNK: three queries a chunk (rows, links, parents), memory flat."""
    cells, zone = sheet_cells(), timezone.get_current_timezone()
    rows = task_rows(queryset).iterator(chunk_size=EXPORT_CHUNK)
    for chunk in batched(rows, EXPORT_CHUNK):
        links = task_links(row["id"] for row in chunk)
        shared = Chunk(parent_keys({row["parent_id"] for row in chunk if row["parent_id"]}), zone)
        for row in chunk:
            mine = links[row["id"]]
            values = [cell(row, mine, shared) for cell in cells]
            if custom:
                values += cells_of(row["team_id"], row["custom_fields"], custom, people)
            yield values
