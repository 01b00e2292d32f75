"""Spreadsheet doors for tasks, tags and comments (django-import-export resources).

A resource is built without arguments and takes the acting person per call:
`TaskResource().export(queryset=task_list(fetched_by=user, filters=...))` and
`TaskResource().import_data(dataset, dry_run=True, user=user)`. Reads come from the selectors
and writes go through the services, so a spreadsheet can never reach outside that person's
teams, and numbering, validation and history are the ones every other door uses.

Cells are human values (`OPS-42`, `OPS`, `marcus, priya`); `rows(queryset)` yields them as
Python values for the streaming writers in `portal.core.spreadsheets`, which neutralise
formulas. `export()` returns a tablib Dataset with the cells already neutralised and dates as
text, for import-export's own commands and formats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import tablib
from django.db.models import QuerySet
from django.utils import timezone
from import_export import fields, resources

from portal.core.spreadsheets import neutralise_formula
from portal.tasks.models import Task

# The task sheet's columns, in order; the last four are written on export and ignored on import.
TASK_IMPORT_COLUMNS = (
    "key",
    "team",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "estimated_hours",
    "actual_hours",
    "assignees",
    "tags",
    "parent",
    "is_archived",
)
TASK_EXPORT_ONLY = ("created_by", "created_at", "updated_at", "completed_at")
TASK_COLUMNS = TASK_IMPORT_COLUMNS + TASK_EXPORT_ONLY
YES, NO = "yes", "no"
LIST_SEPARATOR = ", "
EXPORT_CHUNK = 2000


def local_minute(moment: datetime | None) -> datetime | None:
    """A stored moment as the portal's local time, to the minute, without a time zone.

    Spreadsheets have no time zones; the sheet shows local times to the minute, and importing
    the same minute back leaves the stored moment as it is.
    """
    if moment is None:
        return None
    return timezone.localtime(moment).replace(second=0, microsecond=0, tzinfo=None)


def dataset_cell(value: Any) -> Any:
    """A cell for a tablib Dataset: text neutralised, dates as text to the minute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return neutralise_formula(value) if isinstance(value, str) else value


class SheetResource(resources.ModelResource):
    """What the portal's resources share: named columns, rows as values, a neutralised export."""

    columns: tuple[str, ...] = ()

    @classmethod
    def headers(cls) -> list[str]:
        return list(cls.columns)

    def row(self, obj) -> list[Any]:
        raise NotImplementedError

    def rows(self, queryset: QuerySet) -> Iterator[list[Any]]:
        """The rows of `queryset`, in chunks: memory and queries stay flat as rows grow."""
        for obj in queryset.iterator(chunk_size=EXPORT_CHUNK):
            yield self.row(obj)

    def export(self, queryset: QuerySet | None = None, **kwargs: Any) -> tablib.Dataset:
        if queryset is None:
            raise TypeError("Pass the rows to export: a queryset from the selectors.")
        dataset = tablib.Dataset(headers=self.headers())
        for values in self.rows(queryset):
            dataset.append([dataset_cell(v) for v in values])
        return dataset


def _names(items: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(sorted(items, key=str.lower))


class TaskResource(SheetResource):
    """The task sheet: see docs/spreadsheets.md for the columns and what each accepts."""

    columns = TASK_COLUMNS

    key = fields.Field(column_name="key")
    team = fields.Field(column_name="team")
    title = fields.Field(column_name="title")
    description = fields.Field(column_name="description")
    status = fields.Field(column_name="status")
    priority = fields.Field(column_name="priority")
    due_date = fields.Field(column_name="due_date")
    estimated_hours = fields.Field(column_name="estimated_hours")
    actual_hours = fields.Field(column_name="actual_hours")
    assignees = fields.Field(column_name="assignees")
    tags = fields.Field(column_name="tags")
    parent = fields.Field(column_name="parent")
    is_archived = fields.Field(column_name="is_archived")
    created_by = fields.Field(column_name="created_by", readonly=True)
    created_at = fields.Field(column_name="created_at", readonly=True)
    updated_at = fields.Field(column_name="updated_at", readonly=True)
    completed_at = fields.Field(column_name="completed_at", readonly=True)

    class Meta:
        model = Task
        fields = TASK_COLUMNS
        import_id_fields = ["key"]
        name = "Tasks"

    def row(self, task: Task) -> list[Any]:
        return [
            task.key,
            task.team.key,
            task.title,
            task.description,
            task.status,
            task.priority,
            local_minute(task.due_date),
            task.estimated_hours,
            task.actual_hours,
            _names(u.username for u in task.assignees.all()),
            _names(t.name for t in task.tags.all()),
            task.parent.key if task.parent_id else "",
            YES if task.is_archived else NO,
            task.created_by.username if task.created_by_id else "",
            local_minute(task.created_at),
            local_minute(task.updated_at),
            local_minute(task.completed_at),
        ]
