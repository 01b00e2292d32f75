"""A task's fields, described once: what each door reads and writes is derived from here.

Each entry says what a field is to every door: whether the services take it as a keyword
(`editable`, many-to-many `link`s), which columns the API's lean rows read (`row`), which
names the API's JSON gives it (`api`, in the JSON's order), where it stands in the task sheet
(`sheet`: position and column; `export_only` columns are written and not read back) and
whether the team pages' new-task form asks for it (`page_form`). The services' editable set,
the API's rows and serializer fields, the sheet's columns and the page form's fields are all
computed from `TASK_FIELDS`, so a new field is one entry here (plus its model field, parser and
widget where it needs new ones). Fields defined per team at run time join the same list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskField:
    name: str
    editable: bool = False
    link: bool = False
    row: tuple[str, ...] = ()
    api: tuple[str, ...] = ()
    sheet: tuple[int, str] | None = None
    export_only: bool = False
    page_form: bool = False

    @classmethod
    def plain(cls, name: str, **kwargs) -> TaskField:
        """A column of the task table, read and named as itself at every door."""
        return cls(name, row=(name,), api=(name,), **kwargs)


_ = TaskField.plain
# In the order of the API's JSON; the sheet's order is each field's `sheet` position.
TASK_FIELDS: tuple[TaskField, ...] = (
    _("id"),
    TaskField("number", row=("number",), api=("key",), sheet=(0, "key")),
    TaskField("team", row=("team_id", "team__key"), api=("team",), sheet=(1, "team")),
    _("title", editable=True, sheet=(2, "title"), page_form=True),
    _("description", editable=True, sheet=(3, "description"), page_form=True),
    _("status", editable=True, sheet=(4, "status"), page_form=True),
    _("priority", editable=True, sheet=(5, "priority"), page_form=True),
    TaskField(
        "due_date",
        editable=True,
        row=("due_date", "due_day"),
        api=("due_date",),
        sheet=(6, "due_date"),
        page_form=True,
    ),
    _("estimated_hours", editable=True, sheet=(7, "estimated_hours"), page_form=True),
    _("actual_hours", editable=True, sheet=(8, "actual_hours"), page_form=True),
    TaskField(
        "created_by",
        row=("created_by_id", "created_by__username"),
        api=("created_by",),
        sheet=(13, "created_by"),
        export_only=True,
    ),
    TaskField(
        "assignees",
        editable=True,
        link=True,
        api=("assignees", "assignee_ids"),
        sheet=(9, "assignees"),
    ),
    TaskField("tags", editable=True, link=True, api=("tags", "tag_ids"), sheet=(10, "tags")),
    TaskField("parent", editable=True, row=("parent_id",), api=("parent",), sheet=(11, "parent")),
    _("metadata", editable=True),
    _("is_archived", editable=True, sheet=(12, "is_archived")),
    _("completed_at", sheet=(16, "completed_at"), export_only=True),
    _("created_at", sheet=(14, "created_at"), export_only=True),
    _("updated_at", sheet=(15, "updated_at"), export_only=True),
)


def editable_names(fields: Iterable[TaskField] = TASK_FIELDS) -> frozenset[str]:
    """The keywords task_create / task_update take (besides team on create)."""
    return frozenset(f.name for f in fields if f.editable)


def link_names(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The many-to-many fields, written as links."""
    return tuple(f.name for f in fields if f.link)


def row_columns(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The columns a lean row of a task reads (`QuerySet.values()`)."""
    return tuple(column for f in fields for column in f.row)


def api_names(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The names of the API's task JSON, in order."""
    return tuple(name for f in fields for name in f.api)


def sheet_columns(
    fields: Iterable[TaskField] = TASK_FIELDS, *, export_only: bool
) -> tuple[str, ...]:
    """The task sheet's columns read on import (`export_only=False`) or only written."""
    placed = sorted(
        (f.sheet for f in fields if f.sheet is not None and f.export_only == export_only),
        key=lambda position_and_column: position_and_column[0],
    )
    return tuple(column for _, column in placed)


def page_form_names(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The simple fields the team pages' new-task form asks for, in order."""
    return tuple(f.name for f in fields if f.page_form)


def form_value(task, name: str):
    """A task's field as a form shows it: links as lists, the due date as it was given (a day,
    or a day and a time)."""
    if name == "due_date":
        from portal.tasks.due import due_given

        return due_given(task.due_date, task.due_day)
    if name in link_names():
        return list(getattr(task, name).all())
    return getattr(task, name)
