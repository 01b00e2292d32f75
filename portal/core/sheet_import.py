"""The one import engine every sheet runs on: header, row loop, duplicate keys, progress, result.

`SheetImport.run` matches the header, loads what the rows refer to (`prepare`), then reads and
writes row by row (`read`, `write_row`) and, for sheets written in one go, after the last row
(`write_all`); the rows whose key appears more than once are refused, each problem is kept
with its row, column and cell, and the result counts new, updated, unchanged and invalid rows.
Two kinds of sheet use it: `RowSheet` (tags, teams, people: each row through its service, in a
savepoint of one transaction) and the task sheet (every row checked, then one bulk write).
Either way a sheet with any error, or a dry run, writes nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from import_export.results import RowResult

from portal.core.resources import COLUMN_MISSING, HEADER_ROW, Columns, Problem, SheetResult, text

KEY_DUPLICATE_ROWS = "“{key}” appears more than once in the file (rows {rows})."
# The first cell of an explanation row (the CSV template's second row) starts with this.
EXPLANATION_MARK = "#"


def is_explanation(cells: list[Any]) -> bool:
    """Whether a row is the template's explanation row: its first cell starts with `#`.

    Only the row right below the header is looked at, so a title such as "#1 priority" further
    down is never taken for one (and no key or team starts with `#`).
    """
    return bool(cells) and text(cells[0]).lstrip().startswith(EXPLANATION_MARK)


@dataclass
class ImportRow:
    number: int  # the sheet's row number (the header is row 1)
    cells: list[Any]
    problems: list[Problem] = field(default_factory=list)
    write: Any = None  # what a sheet written in one go will write for this row
    kind: str | None = None  # new, update or skip, once known; None: the row is refused
    obj: Any = None  # the object written (None for a dry run)
    label: str = ""  # the stored object's key, for the preview's changes (OPS-42)
    changes: dict[str, list[str]] = field(default_factory=dict)  # {column: [old, new]}


class SheetImport:
    """One import of a sheet as `user`. Subclasses name their `columns` and `key` column and
    fill in the hooks; `run` is the same for every sheet."""

    columns: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # columns written on export and ignored on import
    key: str = ""
    duplicate_message = KEY_DUPLICATE_ROWS
    # Progress of a background import: every `progress_every` rows, from `progress_from` percent
    # over `progress_span` percent.
    progress_every, progress_from, progress_span = 100, 0, 95
    progress_text = "{done} of {total} rows"

    def __init__(self, user, headers: list[Any], cells: list[list[Any]], progress=None):
        self.user = user
        self.progress = progress or (lambda percent, step: None)
        self.sheet = Columns(headers, self.columns, ignored=self.ignored)
        self.cells = cells
        # The template's explanation row (right below the header) is read as no row at all.
        first = 1 if cells and is_explanation(cells[0]) else 0
        self.rows = [
            ImportRow(number=i + 2, cells=row) for i, row in enumerate(cells) if i >= first
        ]
        self.result = SheetResult()
        self.result.diff_headers = list(self.columns)
        self.result.total_rows = len(self.rows)
        self.dry_run = True
        # Rows without a key that look like stored objects are left out (the task sheet's
        # look-alikes); set by `SheetResource.import_data`.
        self.skip_lookalikes = False

    # -- hooks --
    def check_header(self) -> bool:
        """Record what is wrong with the header; False when no row can be read."""
        if self.sheet.problems:
            self.result.add_invalid(HEADER_ROW, list(self.sheet.problems), [])
        return True

    def prepare(self) -> None:
        """Load what the rows refer to, in a few queries."""

    def key_of(self, row: ImportRow) -> Hashable | None:
        """The row's key as compared for duplicates (None: the row has none)."""
        value = text(self.value(row, self.key)).strip().lower()
        return value or None

    def key_label(self, key: Hashable) -> str:
        return str(key)

    def read(self, row: ImportRow) -> None:
        """Read the row's cells (problems go to `row.problems`)."""

    def write_row(self, row: ImportRow) -> None:
        """Write the row now (its duplicate-key problem is known); set `row.kind`."""

    def write_all(self, *, on_written) -> None:
        """Write the rows read, after the last one; set each row's `kind`."""

    @contextmanager
    def writing(self, *, on_written) -> Iterator[None]:
        """What the row loop runs in (a sheet written row by row: one transaction)."""
        yield

    # -- helpers --
    def value(self, row: ImportRow, name: str) -> Any:
        return self.sheet.value(row.cells, name)

    def problem(self, row: ImportRow, column: str, message: str) -> None:
        row.problems.append(
            Problem(row.number, column, self.sheet.cell(column, row.number), message)
        )

    def shown(self, row: ImportRow) -> list[Any]:
        return [self.value(row, name) for name in self.columns]

    def stopped(self) -> bool:
        """Whether anything is wrong anywhere, so nothing may be written."""
        return bool(self.result.problems) or any(row.problems for row in self.rows)

    # -- the whole import --
    def run(self, *, dry_run: bool, on_written=None) -> SheetResult:
        self.dry_run = dry_run
        if not self.check_header():
            return self.result
        self.prepare()
        duplicates = self._duplicates()
        total = len(self.rows) or 1
        with self.writing(on_written=on_written):
            for done, row in enumerate(self.rows, start=1):
                row.problems.extend(self.sheet.stray_cells(row.cells, row.number))
                self.read(row)
                row.problems.extend(duplicates.get(row.number, []))
                self.write_row(row)
                if done % self.progress_every == 0:
                    step = self.progress_text.format(done=done, total=total)
                    self.progress(self.progress_from + self.progress_span * done / total, step)
            self.write_all(on_written=on_written)
        for row in self.rows:
            if row.problems or row.kind is None:
                self.result.add_invalid(row.number, row.problems, self.shown(row))
            else:
                self.result.add_row(
                    row.kind,
                    self.shown(row),
                    row.obj,
                    number=row.number,
                    key=row.label,
                    changes=row.changes,
                )
        return self.result

    def _duplicates(self) -> dict[int, list[Problem]]:
        """The one check of keys given more than once: a problem for each such row."""
        if self.key not in self.sheet:
            return {}
        seen: dict[Hashable, list[int]] = {}
        for row in self.rows:
            key = self.key_of(row)
            if key is not None:
                seen.setdefault(key, []).append(row.number)
        found: dict[int, list[Problem]] = {}
        for key, numbers in seen.items():
            if len(numbers) > 1:
                message = self.duplicate_message.format(
                    key=self.key_label(key), rows=", ".join(map(str, numbers))
                )
                for number in numbers:
                    cell = self.sheet.cell(self.key, number)
                    found[number] = [Problem(number, self.key, cell, message)]
        return found


class RowSheet(SheetImport):
    """A small sheet (tags, teams, people): each row through its service.

    Subclasses name their columns, find the stored object of a row (`existing`), say what the
    row would change (`changes`, empty when nothing) and apply it with the services (`apply`).
    All rows run in one transaction, each in a savepoint so that every row's errors are found;
    with any error, or for a dry run, the whole transaction is rolled back.
    """

    # Model field names in the services' errors -> the sheet's columns.
    error_columns: dict[str, str] = {}

    # -- to implement --
    def existing(self, values: dict[str, Any]):
        raise NotImplementedError

    def changes(self, obj, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def apply(self, obj, values: dict[str, Any], changes: dict[str, Any]):
        raise NotImplementedError

    def change_cells(self, obj, name: str, value: Any) -> tuple[str, str]:
        """A change as the sheet's cells show it, (old, new): the preview lists it."""
        return text(getattr(obj, name, "")), text(value)

    # -- the engine's hooks --
    def check_header(self) -> bool:
        super().check_header()
        if self.key in self.sheet:
            return True
        missing = Problem(HEADER_ROW, self.key, "", COLUMN_MISSING.format(name=self.key))
        self.result.add_invalid(HEADER_ROW, [missing], [])
        return False

    def values(self, cells: list[Any]) -> dict[str, Any]:
        return {name: self.sheet.value(cells, name) for name in self.columns if name in self.sheet}

    @contextmanager
    def writing(self, *, on_written) -> Iterator[None]:
        with transaction.atomic():
            yield
            if self.dry_run or self.stopped():
                transaction.set_rollback(True)
            elif on_written is not None:
                on_written()

    def write_row(self, row: ImportRow) -> None:
        kind, obj = RowResult.IMPORT_TYPE_SKIP, None
        try:
            values = self.values(row.cells)
            obj = self.existing(values)
            changes = self.changes(obj, values)
            if changes:
                kind = RowResult.IMPORT_TYPE_UPDATE if obj else RowResult.IMPORT_TYPE_NEW
            if changes and obj is not None:
                # Old values are read before the service changes the object.
                row.label = text(self.value(row, self.key)).strip()
                row.changes = {
                    name: list(self.change_cells(obj, name, value))
                    for name, value in changes.items()
                }
            if changes and not row.problems:
                with transaction.atomic():
                    obj = self.apply(obj, values, changes)
        except CellProblem as exc:
            self.problem(row, exc.column, exc.message)
        except (ValidationError, PermissionDenied) as exc:
            self._service_problems(row, exc)
        row.kind, row.obj = kind, None if self.dry_run else obj

    def _service_problems(self, row: ImportRow, exc) -> None:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                column = self.error_columns.get(name, name if name in self.columns else self.key)
                for message in messages:
                    self.problem(row, column, message)
            return
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        for message in messages:
            self.problem(row, self.key, message)


class CellProblem(Exception):
    """A cell of a small sheet that cannot be used: its column and why."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message
