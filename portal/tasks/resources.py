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

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from import_export import fields
from import_export.results import RowResult

from portal.core.parsing import parse_moment
from portal.core.resources import (
    ROW,
    SHEET_EXPORT_ONLY,
    CellError,
    CellProblem,
    Columns,
    Problem,
    RowSheet,
    SheetResource,
    SheetResult,
    dataset_rows,
    local_minute,
    names,
    same_text,
    split_list,
    text,
    yes_no,
)
from portal.tasks import services
from portal.tasks.choices import Priority, Status
from portal.tasks.keys import parse_task_key
from portal.tasks.models import TAG_TAKEN, Comment, Tag, Task
from portal.tasks.selectors import (
    comments_visible_to,
    tags_by_name,
    tags_visible_to,
    task_list,
    tasks_by_key,
)
from portal.teams.selectors import teams_by_name, teams_writable_by, users_by_login

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
PROGRESS_EVERY = 500  # rows between progress reports of a background import

# Messages of the task sheet's cells, reused by tests.
KEY_INVALID = "Enter a task key such as OPS-42, or leave the cell empty to add a task."
KEY_UNKNOWN = "There is no task {key} in your teams."
KEY_OTHER_TEAM = "{key} is a task of team {found}, not {team}: tasks cannot move between teams."
KEY_DUPLICATE = "{key} appears more than once in the file (rows {rows})."
TEAM_UNKNOWN = "Unknown team “{value}”: enter the key (OPS) or the slug of one of your teams."
TEAM_REQUIRED = "Enter the team of the new task (its key, such as OPS)."
TITLE_REQUIRED = "The sheet needs a title column to add tasks."
CHOICE_INVALID = "“{value}” is not a {column}: enter one of {choices} (or its label)."
CHOICE_REQUIRED = "Enter a {column}: one of {choices}."
DATE_INVALID = "Enter a date (2026-12-31) or a date and time (2026-12-31 17:00)."
NUMBER_INVALID = "Enter a number of hours, such as 2.5."
PERSON_UNKNOWN = "Unknown person: {names} (enter usernames or emails of people in your teams)."
PARENT_UNKNOWN = "There is no task {key} in your teams to be the parent."
PARENT_INVALID = "Enter the key of the parent task, such as OPS-42."


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
        use_transactions = True
        fields = TASK_COLUMNS
        import_id_fields = ["key"]
        name = "Tasks"

    import_columns = TASK_IMPORT_COLUMNS

    def example(self, user) -> list[Any]:
        team = teams_writable_by(user).first()
        return [
            "",
            team.key if team else "OPS",
            "Renew the TLS certificate",
            "Order it from the usual provider.",
            Status.TODO.value,
            Priority.HIGH.value,
            "2026-12-31 17:00",
            "2.5",
            "",
            user.username,
            "infra, security",
            "",
            NO,
        ]

    def column_help(self, user) -> list[list[str]]:
        teams = ", ".join(f"{t.key} ({t.name})" for t in teams_writable_by(user)) or "none"
        statuses = ", ".join(f"{v} ({label})" for v, label in Status.choices)
        priorities = ", ".join(f"{v} ({label})" for v, label in Priority.choices)
        return [
            ["key", "The task's key; empty to add a task.", "Such as OPS-42"],
            ["team", "The task's team (its key or slug).", f"Your teams: {teams}"],
            ["title", "Required, 1 to 200 characters.", "Text"],
            ["description", "Optional.", "Text"],
            ["status", "Value or label, any case.", statuses],
            ["priority", "Value or label, any case.", priorities],
            ["due_date", f"In {timezone.get_current_timezone_name()}; empty: none.",
             "2026-12-31 or 2026-12-31 17:00, or a date cell"],
            ["estimated_hours", "Optional; 0 to 9999.99.", "A number, such as 2.5"],
            ["actual_hours", "Optional; 0 to 9999.99.", "A number, such as 2.5"],
            ["assignees", "Leads and members of the team; empty: nobody.",
             "Usernames or emails, comma-separated"],
            ["tags", "New names create tags; empty: none.", "Tag names, comma-separated"],
            ["parent", "A task of the same team; empty: none.", "Such as OPS-7"],
            ["is_archived", "Empty means no.", "yes or no"],
            ["created_by, created_at, updated_at, completed_at",
             "Written on export, ignored on import.", ""],
        ]  # fmt: skip

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
            names(u.username for u in task.assignees.all()),
            names(t.name for t in task.tags.all()),
            task.parent.key if task.parent_id else "",
            YES if task.is_archived else NO,
            task.created_by.username if task.created_by_id else "",
            local_minute(task.created_at),
            local_minute(task.updated_at),
            local_minute(task.completed_at),
        ]

    # --- import ---------------------------------------------------------------------------
    def import_data(
        self,
        dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        *,
        user=None,
        progress=None,
        on_written=None,
        **kwargs: Any,
    ) -> SheetResult:
        """Read the sheet, check every row, then write all of it through the services or none.

        Rows with a key change that task; rows without one add a task to their team. With
        `dry_run` nothing is written and the result says what would happen.
        """
        if user is None:
            raise TypeError("Pass the person importing: import_data(dataset, user=...).")
        headers, cells = dataset_rows(dataset)
        sheet = _TaskSheet(user, headers, cells, progress)
        return sheet.run(dry_run=dry_run, on_written=on_written)


def _parse_moment(value: Any) -> datetime | None:
    """An aware moment from a date cell, a date-time cell or ISO text (local time if naive)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        # Excel stores times as fractions of a day: round away floating-point dust.
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    elif not isinstance(value, date):
        value = text(value).strip()
        if not value:
            return None
    moment = parse_moment(value)
    if moment is None:
        raise CellError(DATE_INVALID)
    return moment


def _parse_hours(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(NUMBER_INVALID)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise CellError(NUMBER_INVALID) from None
    if not number.is_finite():
        raise CellError(NUMBER_INVALID)
    return number


def _choice(value: Any, choices, column: str, required: bool) -> str | None:
    word = text(value).strip()
    listed = ", ".join(choices.values)
    if not word:
        if required:
            raise CellError(CHOICE_REQUIRED.format(column=column, choices=listed))
        return None
    for stored, label in choices.choices:
        if word.lower() in (stored, str(label).lower()):
            return stored
    raise CellError(CHOICE_INVALID.format(value=word[:50], column=column, choices=listed))


def _key(value: Any) -> tuple[str, int] | None:
    raw = text(value).strip()
    if not raw:
        return None
    key = parse_task_key(raw)
    if key is None:
        raise CellError(KEY_INVALID)
    return key


@dataclass
class _Row:
    number: int  # the sheet's row number (the header is row 1)
    cells: list[Any]
    problems: list[Problem] = field(default_factory=list)
    write: services.TaskWrite | None = None


class _TaskSheet:
    """One import of the task sheet: parse cells, resolve names in bulk, write through services."""

    def __init__(self, user, headers: list[Any], cells: list[list[Any]], progress=None):
        self.user = user
        self.progress = progress or (lambda percent, step: None)
        self.columns = Columns(headers, TASK_IMPORT_COLUMNS, ignored=TASK_EXPORT_ONLY)
        self.rows = [_Row(number=i + 2, cells=row) for i, row in enumerate(cells)]
        self.result = SheetResult()
        self.result.diff_headers = list(TASK_IMPORT_COLUMNS)
        self.result.total_rows = len(self.rows)

    def value(self, row: _Row, name: str) -> Any:
        return self.columns.value(row.cells, name)

    def problem(self, row: _Row, name: str, message: str) -> None:
        row.problems.append(Problem(row.number, name, self.columns.cell(name, row.number), message))

    def shown(self, row: _Row) -> list[Any]:
        return [self.value(row, name) for name in TASK_IMPORT_COLUMNS]

    # -- the whole import --
    def run(self, *, dry_run: bool, on_written=None) -> SheetResult:
        header_problems = list(self.columns.problems)
        if "key" not in self.columns and "title" not in self.columns:
            header_problems.append(Problem(1, "title", "", TITLE_REQUIRED))
        if header_problems:
            self.result.add_invalid(1, header_problems, [])
        self.progress(5, "looking up teams, tasks, people and tags")
        self._resolve()
        total = len(self.rows) or 1
        for done, row in enumerate(self.rows, start=1):
            row.problems.extend(self.columns.stray_cells(row.cells, row.number))
            self._parse(row)
            if done % PROGRESS_EVERY == 0:
                self.progress(5 + 55 * done / total, f"read {done} of {total} rows")
        self._check_duplicates()
        self.progress(60, "checking every row" if dry_run else "checking and writing")
        # The domain checks every row it can (a cell that could not be read is left out of its
        # row), so one upload shows every error; any error anywhere stops the writing.
        ready = [row for row in self.rows if row.write is not None]
        must_stop = bool(header_problems) or any(row.problems for row in self.rows)
        outcome = services.tasks_write_bulk(
            actor=self.user,
            rows=[row.write for row in ready],
            dry_run=dry_run or must_stop,
            then=on_written,
        )
        for index, messages in outcome.errors.items():
            row = ready[index]
            seen = {p.column for p in row.problems}
            for name, texts in messages.items():
                column = self._column_for(row, name)
                for message in texts if column not in seen else []:
                    self.problem(row, column, message)
        kinds = dict(zip((id(r) for r in ready), outcome.kinds, strict=True))
        tasks = dict(zip((id(r) for r in ready), outcome.tasks, strict=True))
        for row in self.rows:
            if row.problems or row.write is None:
                self.result.add_invalid(row.number, row.problems, self.shown(row))
            else:
                task = tasks[id(row)] if not (dry_run or must_stop) else None
                self.result.add_row(_IMPORT_TYPE[kinds[id(row)]], self.shown(row), task)
        return self.result

    def _column_for(self, row: _Row, name: str) -> str:
        if name in TASK_IMPORT_COLUMNS:
            return name
        if name == services.ROW_RULE:
            return "key" if row.write.task is not None else "team"
        return ROW

    # -- names to objects, a few queries for the whole sheet --
    def _resolve(self) -> None:
        keys, logins, tag_names = set(), set(), set()
        for row in self.rows:
            for name in ("key", "parent"):
                try:
                    found = _key(self.value(row, name)) if name in self.columns else None
                except CellError:
                    found = None
                if found:
                    keys.add(found)
            if "assignees" in self.columns:
                logins.update(split_list(self.value(row, "assignees")))
            if "tags" in self.columns:
                tag_names.update(split_list(self.value(row, "tags")))
        self.teams = teams_by_name(self.user)
        self.tasks = tasks_by_key(self.user, keys)
        self.people = users_by_login(self.user, logins)
        self.tags, self.tags_taken = tags_seen_by(self.user, tag_names)

    # -- one row --
    def _parse(self, row: _Row) -> None:
        task = self._task(row)
        if row.problems:
            return
        team = self._team(row, task)
        if team is None:
            return
        fields: dict[str, Any] = {}
        for name in TASK_IMPORT_COLUMNS[2:]:
            if name not in self.columns:
                continue
            try:
                self._field(row, name, task, fields)
            except CellError as exc:
                self.problem(row, name, str(exc))
        if task is None and "title" not in self.columns:
            self.problem(row, "title", TITLE_REQUIRED)
            return
        row.write = services.TaskWrite(team=team, fields=fields, task=task)

    def _task(self, row: _Row) -> Task | None:
        if "key" not in self.columns:
            return None
        try:
            key = _key(self.value(row, "key"))
        except CellError as exc:
            self.problem(row, "key", str(exc))
            return None
        if key is None:
            return None
        task = self.tasks.get(key)
        if task is None:
            self.problem(row, "key", KEY_UNKNOWN.format(key=f"{key[0]}-{key[1]}"))
        return task

    def _team(self, row: _Row, task: Task | None):
        raw = text(self.value(row, "team")).strip() if "team" in self.columns else ""
        if not raw:
            if task is not None:
                return task.team
            self.problem(row, "team", TEAM_REQUIRED)
            return None
        team = self.teams.get(raw.upper()) or self.teams.get(raw.lower())
        if team is None:
            self.problem(row, "team", TEAM_UNKNOWN.format(value=raw[:50]))
            return None
        if task is not None and task.team_id != team.pk:
            self.problem(
                row, "key", KEY_OTHER_TEAM.format(key=task.key, found=task.team.key, team=team.key)
            )
            return None
        return team

    def _field(self, row: _Row, name: str, task: Task | None, fields: dict[str, Any]) -> None:
        value = self.value(row, name)
        if name in ("title", "description"):
            given = text(value)
            if task is not None and same_text(given, getattr(task, name)):
                given = getattr(task, name)
            fields[name] = given
        elif name in ("status", "priority"):
            choices = Status if name == "status" else Priority
            choice = _choice(value, choices, name, required=task is not None)
            if choice is not None:
                fields[name] = choice
        elif name == "due_date":
            moment = _parse_moment(value)
            if (
                task is not None
                and moment is not None
                and local_minute(moment) == local_minute(task.due_date)
            ):
                moment = task.due_date  # the same minute as stored: unchanged
            fields[name] = moment
        elif name in ("estimated_hours", "actual_hours"):
            fields[name] = _parse_hours(value)
        elif name == "assignees":
            logins = split_list(value)
            unknown = [login for login in logins if login.lower() not in self.people]
            if unknown:
                raise CellError(PERSON_UNKNOWN.format(names=", ".join(unknown)[:200]))
            people = {self.people[login.lower()].pk: self.people[login.lower()] for login in logins}
            fields[name] = list(people.values())
        elif name == "tags":
            names = split_list(value)
            taken = [tag for tag in names if tag.lower() in self.tags_taken]
            if taken:
                raise CellError(TAG_NAME_TAKEN.format(names=", ".join(taken)[:200]))
            fields[name] = [self.tags.get(tag.lower(), tag) for tag in names]
        elif name == "parent":
            fields[name] = self._parent(value)
        elif name == "is_archived":
            fields[name] = yes_no(value)

    def _parent(self, value: Any) -> Task | None:
        try:
            key = _key(value)
        except CellError:
            raise CellError(PARENT_INVALID) from None
        if key is None:
            return None
        parent = self.tasks.get(key)
        if parent is None:
            raise CellError(PARENT_UNKNOWN.format(key=f"{key[0]}-{key[1]}"))
        return parent

    def _check_duplicates(self) -> None:
        if "key" not in self.columns:
            return
        seen: dict[tuple[str, int], list[_Row]] = {}
        for row in self.rows:
            try:
                key = _key(self.value(row, "key"))
            except CellError:
                continue
            if key is not None:
                seen.setdefault(key, []).append(row)
        for key, rows in seen.items():
            if len(rows) > 1:
                numbers = ", ".join(str(r.number) for r in rows)
                for row in rows:
                    self.problem(
                        row, "key", KEY_DUPLICATE.format(key=f"{key[0]}-{key[1]}", rows=numbers)
                    )


_IMPORT_TYPE = {
    services.ROW_NEW: RowResult.IMPORT_TYPE_NEW,
    services.ROW_UPDATE: RowResult.IMPORT_TYPE_UPDATE,
    services.ROW_SKIP: RowResult.IMPORT_TYPE_SKIP,
}


def tasks_for_sheet(user, filters=None):
    """The task sheet's rows for `user`: the one task filter set (archived ones on ask)."""
    return task_list(fetched_by=user, filters=filters)


# --- tags ----------------------------------------------------------------------------------------
TAG_COLUMNS = ("name", "color")
COLOR_REQUIRED = "Enter a colour as #RRGGBB."
TAG_NAME_REQUIRED = "Enter the tag's name."
# What creating a tag of a taken name answers at every door (the API, the tag sheet).
TAG_NAME_TAKEN = TAG_TAKEN.removesuffix(".") + ": {names}."


def tags_seen_by(user, names) -> tuple[dict[str, Tag], set[str]]:
    """The named tags `user` may see (by lower-cased name), and the names other tags take.

    Imports see tags as the API does: a tag only other teams use cannot be attached by its
    name, and its name cannot be given to a new tag either (docs/decisions.md).
    """
    found = tags_by_name(names)
    ids = [tag.pk for tag in found.values()]
    visible = set(tags_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    seen = {key: tag for key, tag in found.items() if tag.pk in visible}
    return seen, set(found) - set(seen)


def tags_for_sheet(user, filters=None):
    return tags_visible_to(user).order_by("name")


class TagResource(SheetResource):
    """Tags: name (unique ignoring case) and colour. Members add tags; administrators change them."""

    columns = TAG_COLUMNS
    name = fields.Field(column_name="name")
    color = fields.Field(column_name="color")

    class Meta:
        model = Tag
        fields = TAG_COLUMNS
        import_id_fields = ["name"]
        name = "Tags"

    def row(self, tag: Tag) -> list[Any]:
        return [tag.name, tag.color]

    def example(self, user) -> list[Any]:
        return ["security", "#E53935"]

    def column_help(self, user) -> list[list[str]]:
        return [
            ["name", "Up to 50 characters, unique ignoring case; new names add tags.", "Text"],
            ["color", "Empty for a new tag: grey. Changing a tag: administrators.", "#RRGGBB"],
        ]

    def sheet_for(self, user, headers, cells, progress):
        return _TagSheet(user, headers, cells, progress)


class _TagSheet(RowSheet):
    columns = TAG_COLUMNS
    key = "name"

    def prepare(self) -> None:
        names = [text(self.sheet.value(cells, "name")).strip() for cells in self.cells]
        self.tags, _ = tags_seen_by(self.user, (n for n in names if n))

    def existing(self, values):
        name = text(values.get("name")).strip()
        if not name:
            raise CellProblem("name", TAG_NAME_REQUIRED)
        return self.tags.get(name.lower())

    def changes(self, tag, values):
        name = text(values.get("name")).strip()
        color = text(values.get("color")).strip() if "color" in values else None
        if tag is None:
            return {"name": name, "color": color or None}
        if color == "":
            raise CellProblem("color", COLOR_REQUIRED)
        found = {"name": name, "color": color if color is not None else tag.color}
        return {k: v for k, v in found.items() if v != getattr(tag, k)}

    def apply(self, tag, values, changes):
        if tag is None:
            return services.tag_create(actor=self.user, **changes)
        return services.tag_update(actor=self.user, tag=tag, **changes)


# --- comments (export only) ----------------------------------------------------------------------
COMMENT_COLUMNS = ("task", "author", "body", "created_at", "updated_at")


def comments_for_sheet(user, filters=None):
    return comments_visible_to(user).order_by("task__team__key", "task__number", "created_at", "id")


class CommentResource(SheetResource):
    """Comments with their task's key and author; for reading elsewhere, not for importing."""

    columns = COMMENT_COLUMNS
    task = fields.Field(column_name="task", readonly=True)
    author = fields.Field(column_name="author", readonly=True)
    body = fields.Field(column_name="body", readonly=True)
    created_at = fields.Field(column_name="created_at", readonly=True)
    updated_at = fields.Field(column_name="updated_at", readonly=True)

    class Meta:
        model = Comment
        fields = COMMENT_COLUMNS
        name = "Comments"

    def row(self, comment: Comment) -> list[Any]:
        return [
            comment.task.key,
            comment.author.username if comment.author_id else "",
            comment.body,
            local_minute(comment.created_at),
            local_minute(comment.updated_at),
        ]

    def import_data(
        self, dataset, dry_run=False, *args, user=None, progress=None, on_written=None, **kwargs
    ) -> SheetResult:
        result = SheetResult()
        result.total_rows = len(dataset)
        result.add_invalid(1, [Problem(1, "task", "", SHEET_EXPORT_ONLY)], [])
        return result
