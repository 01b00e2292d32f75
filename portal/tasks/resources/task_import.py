"""Reading a task sheet: each cell parsed, each row checked, then one bulk write, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export.results import RowResult

from portal.core.resources import (
    ROW,
    CellError,
    Lookalike,
    Problem,
    cell_changes,
    same_text,
    split_list,
    text,
    yes_no,
)
from portal.core.sheet_import import ImportRow, SheetImport
from portal.tasks import services
from portal.tasks.choices import Priority, Status
from portal.tasks.custom_fields import PERSON_INVALID, _is_empty, clean_value
from portal.tasks.custom_show import sheet_cell, sheet_value
from portal.tasks.due import due_given
from portal.tasks.models import FieldType, Task
from portal.tasks.repeat import parse_repeat_text
from portal.tasks.resources import task_columns as spec
from portal.tasks.resources.tags import TAG_NAME_TAKEN
from portal.tasks.resources.task_cells import (
    cell_text,
    due_day_of,
    parse_choice,
    parse_due_cell,
    parse_hours,
    parse_key,
    same_due,
    stored_value,
)
from portal.tasks.resources.task_custom import (
    NO_SUCH_FIELD,
    columns_for_teams,
    match_headers,
    member_logins,
)
from portal.tasks.selectors import tags_seen_by, tasks_by_key, tasks_like
from portal.teams.selectors import teams_by_name, users_by_login


class _TaskSheet(SheetImport):
    """One import of the task sheet: parse cells, resolve names in bulk, then write every row
    through the services in one go (`tasks_write_bulk`), all or nothing."""

    columns = spec.TASK_IMPORT_COLUMNS
    ignored = spec.TASK_EXPORT_ONLY
    key = "key"
    duplicate_message = spec.KEY_DUPLICATE
    progress_every, progress_from, progress_span = spec.PROGRESS_EVERY, 5, 55
    progress_text = "read {done} of {total} rows"

    def __init__(self, user, headers, cells, progress=None):
        # The custom fields of the user's teams that the header row names (by name or key)
        # join the columns read.
        from portal.teams.selectors import teams_visible_to

        custom = columns_for_teams(teams_visible_to(fetched_by=user).values_list("pk", flat=True))
        self.custom = match_headers(custom, headers)
        self.columns = (*spec.TASK_IMPORT_COLUMNS, *self.custom)
        self.members = member_logins(list(self.custom.values()))
        super().__init__(user, headers, cells, progress)

    # -- the engine's hooks --
    def check_header(self) -> bool:
        problems = list(self.sheet.problems)
        if "key" not in self.sheet and "title" not in self.sheet:
            problems.append(Problem(1, "title", "", spec.TITLE_REQUIRED))
        if problems:
            self.result.add_invalid(1, problems, [])
        return True

    def prepare(self) -> None:
        self.progress(5, "looking up teams, tasks, people and tags")
        self._resolve()

    def key_of(self, row: ImportRow) -> tuple[str, int] | None:
        try:
            return parse_key(self.value(row, "key"))
        except CellError:
            return None

    def key_label(self, key: tuple[str, int]) -> str:
        return f"{key[0]}-{key[1]}"

    def write_all(self, *, on_written) -> None:
        self.progress(60, "checking every row" if self.dry_run else "checking and writing")
        # The domain checks every row it can (a cell that could not be read is left out of its
        # row), so one upload shows every error; any error anywhere stops the writing.
        ready = [row for row in self.rows if row.write is not None]
        lookalikes = self._lookalikes(ready)
        if self.skip_lookalikes and lookalikes:
            for row in lookalikes:
                row.kind = RowResult.IMPORT_TYPE_SKIP
            self.result.skipped = len(lookalikes)
            ready = [row for row in ready if row not in lookalikes]
        must_stop = self.stopped()
        outcome = services.tasks_write_bulk(
            actor=self.user,
            rows=[row.write for row in ready],
            dry_run=self.dry_run or must_stop,
            then=on_written,
        )
        for index, messages in outcome.errors.items():
            row = ready[index]
            seen = {p.column for p in row.problems}
            for name, texts in messages.items():
                column = self._column_for(row, name)
                for message in texts if column not in seen else []:
                    self.problem(row, column, message)
        for row, kind, task in zip(ready, outcome.kinds, outcome.tasks, strict=True):
            row.kind = _IMPORT_TYPE.get(kind)  # a refused row has problems: its kind is unused
            row.obj = task if not (self.dry_run or must_stop) else None

    def _lookalikes(self, ready: list[ImportRow]) -> list[ImportRow]:
        """Rows without a key whose team, title and due day are those of a task that exists,
        found with one query for the whole file; a warning names the tasks."""
        candidates = [row for row in ready if row.write.task is None and not row.problems]
        if not candidates:
            return []
        stored = tasks_like(
            fetched_by=self.user,
            teams={row.write.team.pk for row in candidates},
            titles={row.write.fields.get("title", "").strip() for row in candidates},
        )
        keys: dict[tuple, str] = {}
        for team_id, title, key, day in stored:
            keys.setdefault((team_id, title, day), key)
        found = []
        for row in candidates:
            fields = row.write.fields
            title, due = fields.get("title", "").strip(), due_day_of(fields.get("due_date"))
            wanted = (row.write.team.pk, title, due)
            if wanted in keys:
                self.result.lookalikes.append(Lookalike(row.number, keys[wanted]))
                found.append(row)
        if found:
            shown = list(dict.fromkeys(x.key for x in self.result.lookalikes))
            more = len(shown) - spec.LOOKALIKE_KEYS_SHOWN
            listed = ", ".join(shown[: spec.LOOKALIKE_KEYS_SHOWN])
            if more > 0:
                listed += spec.LOOKALIKE_MORE.format(count=more)
            template = spec.LOOKALIKES_SKIPPED if self.skip_lookalikes else spec.LOOKALIKES
            self.result.warnings.append(
                template.format(
                    count=len(found),
                    rows=spec.LOOKALIKE_ONE if len(found) == 1 else spec.LOOKALIKE_MANY,
                    keys=listed,
                )
            )
        return found

    def _column_for(self, row: ImportRow, name: str) -> str:
        if name in spec.TASK_IMPORT_COLUMNS:
            return name
        if name == "custom_fields":
            return next(iter(self.custom), ROW)
        if name == services.ROW_RULE:
            return "key" if row.write.task is not None else "team"
        return ROW

    # -- names to objects, a few queries for the whole sheet --
    def _resolve(self) -> None:
        keys, logins, tag_names = set(), set(), set()
        for row in self.rows:
            for name in ("key", "parent"):
                try:
                    found = parse_key(self.value(row, name)) if name in self.sheet else None
                except CellError:
                    found = None
                if found:
                    keys.add(found)
            if "assignees" in self.sheet:
                logins.update(split_list(self.value(row, "assignees")))
            if "tags" in self.sheet:
                tag_names.update(split_list(self.value(row, "tags")))
        self.teams = teams_by_name(fetched_by=self.user)
        self.tasks = tasks_by_key(fetched_by=self.user, keys=keys)
        self.people = users_by_login(fetched_by=self.user, logins=logins)
        self.tags, self.tags_taken = tags_seen_by(fetched_by=self.user, names=tag_names)

    # -- one row --
    def read(self, row: ImportRow) -> None:
        task = self._task(row)
        if row.problems:
            return
        team = self._team(row, task)
        if team is None:
            return
        fields: dict[str, Any] = {}
        for name in spec.TASK_IMPORT_COLUMNS[2:]:
            if name not in self.sheet:
                continue
            try:
                self._field(row, name, task, fields)
            except CellError as exc:
                self.problem(row, name, str(exc))
        custom_before, custom_after = self._custom_cells(row, team, task, fields)
        if task is None and "title" not in self.sheet:
            self.problem(row, "title", spec.TITLE_REQUIRED)
            return
        if task is not None:
            row.label = task.key
            # What the row changes, from the cells as stored and as given (read before the
            # write, which drops the preloaded links).
            before = {
                name: cell_text(name, stored_value(task, name))
                for name in fields
                if name in spec.TASK_COLUMNS
            }
            after = {
                name: cell_text(name, value) for name, value in fields.items() if name in before
            }
            row.changes = cell_changes({**before, **custom_before}, {**after, **custom_after})
        row.write = services.TaskWrite(team=team, fields=fields, task=task)

    def _custom_cells(self, row: ImportRow, team, task, fields: dict) -> tuple[dict, dict]:
        """Read the row's custom field cells into `fields["custom_fields"]` (each cell checked
        by its team's field, so a refusal names the cell); returns the cells as stored and as
        given, for the preview."""
        values, before, after = {}, {}, {}
        stored = task.custom_fields if task is not None else {}
        people = {v: k for k, v in self.members.get(team.pk, {}).items()}
        for header, column in self.custom.items():
            raw = self.value(row, header)
            definition = column.by_team.get(team.pk)
            if definition is None:
                if raw not in (None, ""):
                    self.problem(row, header, NO_SUCH_FIELD.format(team=team.key, name=header))
                continue
            given = sheet_value(definition, raw)
            try:
                if definition.type == FieldType.PERSON and not _is_empty(given):
                    login = str(given).strip().lower()
                    found = self.members.get(team.pk, {}).get(login)
                    if found is None:
                        raise ValidationError(
                            PERSON_INVALID.format(name=definition.name, team=team.key)
                        )
                    value = found
                else:
                    value = clean_value(definition, given)
            except ValidationError as exc:
                for message in exc.messages:
                    self.problem(row, header, message)
                continue
            values[column.key] = value
            before[header] = str(sheet_cell(definition, stored.get(column.key), people))
            after[header] = str(sheet_cell(definition, value, people))
        if values:
            fields["custom_fields"] = values
        return before, after

    def _task(self, row: ImportRow) -> Task | None:
        if "key" not in self.sheet:
            return None
        try:
            key = parse_key(self.value(row, "key"))
        except CellError as exc:
            self.problem(row, "key", str(exc))
            return None
        if key is None:
            return None
        task = self.tasks.get(key)
        if task is None:
            self.problem(row, "key", spec.KEY_UNKNOWN.format(key=f"{key[0]}-{key[1]}"))
        return task

    def _team(self, row: ImportRow, task: Task | None):
        raw = text(self.value(row, "team")).strip() if "team" in self.sheet else ""
        if not raw:
            if task is not None:
                return task.team
            self.problem(row, "team", spec.TEAM_REQUIRED)
            return None
        team = self.teams.get(raw.upper()) or self.teams.get(raw.lower())
        if team is None:
            self.problem(row, "team", spec.TEAM_UNKNOWN.format(value=raw[:50]))
            return None
        if task is not None and task.team_id != team.pk:
            self.problem(
                row,
                "key",
                spec.KEY_OTHER_TEAM.format(key=task.key, found=task.team.key, team=team.key),
            )
            return None
        return team

    def _field(self, row: ImportRow, name: str, task: Task | None, fields: dict[str, Any]) -> None:
        value = self.value(row, name)
        if name in ("title", "description"):
            given = text(value)
            if task is not None and same_text(given, getattr(task, name)):
                given = getattr(task, name)
            fields[name] = given
        elif name in ("status", "priority"):
            choices = Status if name == "status" else Priority
            choice = parse_choice(value, choices, name, required=task is not None)
            if choice is not None:
                fields[name] = choice
        elif name == "due_date":
            given = parse_due_cell(value)
            if task is not None and same_due(given, task):
                given = due_given(task.due_date, task.due_day)  # as stored: unchanged
            fields[name] = given
        elif name in ("estimated_hours", "actual_hours"):
            fields[name] = parse_hours(value)
        elif name == "assignees":
            logins = split_list(value)
            unknown = [login for login in logins if login.lower() not in self.people]
            if unknown:
                raise CellError(spec.PERSON_UNKNOWN.format(names=", ".join(unknown)[:200]))
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
        elif name == "repeat":
            try:
                fields[name] = parse_repeat_text(text(value))
            except ValidationError as exc:
                raise CellError(" ".join(exc.messages)) from None

    def _parent(self, value: Any) -> Task | None:
        try:
            key = parse_key(value)
        except CellError:
            raise CellError(spec.PARENT_INVALID) from None
        if key is None:
            return None
        parent = self.tasks.get(key)
        if parent is None:
            raise CellError(spec.PARENT_UNKNOWN.format(key=f"{key[0]}-{key[1]}"))
        return parent


_IMPORT_TYPE = {
    services.ROW_NEW: RowResult.IMPORT_TYPE_NEW,
    services.ROW_UPDATE: RowResult.IMPORT_TYPE_UPDATE,
    services.ROW_SKIP: RowResult.IMPORT_TYPE_SKIP,
}
