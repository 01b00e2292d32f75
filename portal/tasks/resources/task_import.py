"""Reading a task sheet: each cell parsed, each row checked, then one bulk write, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from import_export.results import RowResult

from portal.core.parsing import parse_moment
from portal.core.resources import (
    ROW,
    CellError,
    Columns,
    Problem,
    SheetResult,
    local_minute,
    same_text,
    split_list,
    text,
    yes_no,
)
from portal.tasks import services
from portal.tasks.choices import Priority, Status
from portal.tasks.keys import parse_task_key
from portal.tasks.models import Task
from portal.tasks.resources.tags import TAG_NAME_TAKEN
from portal.tasks.resources.task_columns import (
    CHOICE_INVALID,
    CHOICE_REQUIRED,
    DATE_INVALID,
    KEY_DUPLICATE,
    KEY_INVALID,
    KEY_OTHER_TEAM,
    KEY_UNKNOWN,
    NUMBER_INVALID,
    PARENT_INVALID,
    PARENT_UNKNOWN,
    PERSON_UNKNOWN,
    PROGRESS_EVERY,
    TASK_EXPORT_ONLY,
    TASK_IMPORT_COLUMNS,
    TEAM_REQUIRED,
    TEAM_UNKNOWN,
    TITLE_REQUIRED,
)
from portal.tasks.selectors import tags_seen_by, tasks_by_key
from portal.teams.selectors import teams_by_name, users_by_login


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
        self.teams = teams_by_name(fetched_by=self.user)
        self.tasks = tasks_by_key(fetched_by=self.user, keys=keys)
        self.people = users_by_login(fetched_by=self.user, logins=logins)
        self.tags, self.tags_taken = tags_seen_by(fetched_by=self.user, names=tag_names)

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
