"""What the task lists show beside the rows: the total (counted up to a cap) and the column
headers that sort (links that set `ordering`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from portal.core.text import count

# Counting stops here: a COUNT over a very large list costs more than the number tells.
TOTAL_CAP = 10_000
TOTAL_OVER_CAP = "more than {cap:,} tasks"
# Columns that sort, by the ordering field they set; the first click sorts the way people
# mostly want (highest priority, latest change first), the next one the other way.
SORTS = {
    "Key": "number",
    "Title": "title",
    "Priority": "-priority",
    "Due": "due_date",
    "Updated": "-updated_at",
}
COLUMNS = ("Key", "Team", "Title", "Status", "Priority", "Assignees", "Due", "Tags", "Updated")


def count_capped(qs: QuerySet) -> int:
    """How many rows, counting no further than one past TOTAL_CAP."""
    return qs.prefetch_related(None).order_by()[: TOTAL_CAP + 1].count()


def count_text(total: int) -> str:
    """ "58 tasks", "1 task", or "more than 10,000 tasks" when the count reached the cap."""
    if total > TOTAL_CAP:
        return TOTAL_OVER_CAP.format(cap=TOTAL_CAP)
    return count(total, "task")


@dataclass(frozen=True)
class Column:
    label: str
    ordering: str = ""  # what a click on the header sets; empty: the column does not sort
    sort: str = ""  # aria-sort: "ascending" or "descending" when the list is sorted by it


def sort_columns(ordering: str, *, with_team: bool) -> list[Column]:
    """The list's columns; the one the list is sorted by first says so and flips on a click."""
    first = (ordering or "").split(",")[0].strip()
    columns = []
    for label in COLUMNS:
        if label == "Team" and not with_team:
            continue
        default = SORTS.get(label, "")
        field = default.lstrip("-")
        if not default:
            columns.append(Column(label))
        elif first.lstrip("-") == field:
            descending = first.startswith("-")
            flipped = field if descending else f"-{field}"
            columns.append(Column(label, flipped, "descending" if descending else "ascending"))
        else:
            columns.append(Column(label, default))
    return columns
