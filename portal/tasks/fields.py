"""A task's fields, described once: what each door reads and writes is derived from here.

Each entry says what a field is to every door: whether the services take it as a keyword
(`editable`, many-to-many `link`s), which columns the API's lean rows read (`row`), which
names the API's JSON gives it (`api`, in the JSON's order), where it stands in the task sheet
(`sheet`: position and column; `export_only` columns are written and not read back) and
whether the team pages' new-task form asks for it (`page_form`), and where the task admin's
form shows it (`admin`). The services' editable set, the API's rows and serializer fields, the
sheet's columns, the page form's fields and the admin's fieldsets are all computed from
`TASK_FIELDS`, so a new field is one entry here (plus its model field, parser and widget where
it needs new ones). Fields defined per team at run time join the same list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from portal.tasks.due import due_given


@dataclass(frozen=True)
class AdminPlace:
    """Where the task admin's form shows a field: its section (`ADMIN_SECTIONS`), its line in
    the section (fields given the same line stand side by side, in the description's order),
    the name the admin shows it by when not its own (a read-only display), and whether a new
    task's form shows it."""

    section: str | None
    line: int
    shown_as: str = ""
    on_add: bool = True


# The task admin form's sections in order: the untitled first one, then tabs.
ADMIN_SECTIONS: tuple[str | None, ...] = (None, "Planning", "Details")
# An editable field given no place goes to the end of the last section, on a line of its own.
_UNPLACED_LINE = 1000


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
    admin: AdminPlace | None = None
    # The team's custom fields: one form field or sheet column per field the team defines,
    # built at run time after the built-in ones (portal/tasks/custom_fields.py).
    per_team: bool = False

    @classmethod
    def plain(cls, name: str, **kwargs) -> TaskField:
        """A column of the task table, read and named as itself at every door."""
        return cls(name, row=(name,), api=(name,), **kwargs)


_ = TaskField.plain
# A place in each section of the admin's form: `_plan(1)` is the second line of Planning.
_main, _plan, _more = (partial(AdminPlace, section) for section in ADMIN_SECTIONS)
# In the order of the API's JSON; the sheet's order is each field's `sheet` position.
TASK_FIELDS: tuple[TaskField, ...] = (
    _("id"),
    TaskField(
        "number",
        row=("number",),
        api=("key",),
        sheet=(0, "key"),
        admin=_main(0, "key", on_add=False),
    ),
    TaskField(
        "team", row=("team_id", "team__key"), api=("team",), sheet=(1, "team"), admin=_main(1)
    ),
    _("title", editable=True, sheet=(2, "title"), page_form=True, admin=_main(2)),
    _("description", editable=True, sheet=(3, "description"), page_form=True, admin=_main(3)),
    _("status", editable=True, sheet=(4, "status"), page_form=True, admin=_main(4)),
    _("priority", editable=True, sheet=(5, "priority"), page_form=True, admin=_main(5)),
    TaskField(
        "due_date",
        editable=True,
        row=("due_date", "due_day"),
        api=("due_date",),
        sheet=(6, "due_date"),
        page_form=True,
        admin=_plan(0),
    ),
    _(
        "estimated_hours",
        editable=True,
        sheet=(7, "estimated_hours"),
        page_form=True,
        admin=_plan(1),
    ),
    _("actual_hours", editable=True, sheet=(8, "actual_hours"), page_form=True, admin=_plan(1)),
    TaskField(
        "created_by",
        row=("created_by_id", "created_by__username"),
        api=("created_by",),
        sheet=(13, "created_by"),
        export_only=True,
        admin=_more(3),
    ),
    TaskField(
        "assignees",
        editable=True,
        link=True,
        api=("assignees", "assignee_ids"),
        sheet=(9, "assignees"),
        admin=_plan(2),
    ),
    TaskField(
        "tags",
        editable=True,
        link=True,
        api=("tags", "tag_ids"),
        sheet=(10, "tags"),
        admin=_plan(3),
    ),
    TaskField(
        "parent",
        editable=True,
        row=("parent_id",),
        api=("parent",),
        sheet=(11, "parent"),
        admin=_plan(4),
    ),
    # A repeat rule (portal/tasks/repeat.py): the services take a Repeat or None.
    TaskField(
        "repeat",
        editable=True,
        row=("repeat_rule", "repeat_from"),
        api=("repeat",),
        sheet=(13, "repeat"),
        admin=_plan(5),
    ),
    _("metadata", editable=True, admin=_more(1)),
    # The values of the team's own fields (portal/tasks/custom_fields.py): the sheet gives
    # each field a column and the forms a field of its own, after the built-in ones.
    _("custom_fields", editable=True, per_team=True),
    _("is_archived", editable=True, sheet=(12, "is_archived"), admin=_more(2)),
    _(
        "completed_at",
        sheet=(16, "completed_at"),
        export_only=True,
        admin=_more(4, "completed_at_display"),
    ),
    _(
        "created_at",
        sheet=(14, "created_at"),
        export_only=True,
        admin=_more(3, "created_at_display"),
    ),
    _(
        "updated_at",
        sheet=(15, "updated_at"),
        export_only=True,
        admin=_more(3, "updated_at_display"),
    ),
    # Shown by the admin only.
    TaskField("archived_at", admin=_more(4, "archived_at_display")),
    TaskField("subtasks", admin=_more(0, "subtasks_display")),
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


def api_shown_names(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The names of the API's task JSON as answers show it, in order: each field's first name
    (the others, such as `assignee_ids`, are only written)."""
    return tuple(f.api[0] for f in fields if f.api)


def plain_names(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The fields read and named as themselves: a lean row's column is the JSON's value."""
    return tuple(f.name for f in fields if f.row == (f.name,) and f.api == (f.name,))


def sheet_fields(
    fields: Iterable[TaskField] = TASK_FIELDS, *, export_only: bool
) -> tuple[TaskField, ...]:
    """The fields with a column in the task sheet, in the sheet's order: those read on import
    (`export_only=False`) or those only written."""
    return tuple(
        sorted(
            (f for f in fields if f.sheet is not None and f.export_only == export_only),
            key=lambda f: f.sheet[0],
        )
    )


def sheet_columns(
    fields: Iterable[TaskField] = TASK_FIELDS, *, export_only: bool
) -> tuple[str, ...]:
    """The task sheet's columns read on import (`export_only=False`) or only written."""
    return tuple(f.sheet[1] for f in sheet_fields(fields, export_only=export_only))


def page_form_names(fields: Iterable[TaskField] = TASK_FIELDS) -> tuple[str, ...]:
    """The simple fields the team pages' new-task form asks for, in order."""
    return tuple(f.name for f in fields if f.page_form)


def form_value(task, name: str):
    """A task's field as a form shows it: links as lists, the due date as it was given (a day,
    or a day and a time)."""
    if name == "due_date":
        return due_given(task.due_date, task.due_day)
    if name in link_names():
        return list(getattr(task, name).all())
    return getattr(task, name)


def admin_fieldsets(
    fields: Iterable[TaskField] | None = None, *, adding: bool = False
) -> list[tuple[str | None, dict]]:
    """The task admin form's fieldsets: the sections in order (the titled ones as tabs), each
    field on its line. An editable field with no place shows on a line of its own at the end,
    so every field the services take reaches the form. The description is read on each call,
    so a field that joins it at run time shows too."""
    lines: dict[tuple[int, int], list[str]] = {}
    for position, f in enumerate(TASK_FIELDS if fields is None else fields):
        place = f.admin
        if f.per_team:
            continue
        if place is None and f.editable:
            place = AdminPlace(ADMIN_SECTIONS[-1], _UNPLACED_LINE + position)
        if place is None or (adding and not place.on_add):
            continue
        key = (ADMIN_SECTIONS.index(place.section), place.line)
        lines.setdefault(key, []).append(place.shown_as or f.name)
    fieldsets = []
    for index, section in enumerate(ADMIN_SECTIONS):
        names = [
            line[0] if len(line) == 1 else tuple(line)
            for (at, _line), line in sorted(lines.items())
            if at == index
        ]
        if names:
            options = (
                {"fields": names} if section is None else {"fields": names, "classes": ["tab"]}
            )
            fieldsets.append((section, options))
    return fieldsets
