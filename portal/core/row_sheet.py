"""Small sheets (tags, teams, people) imported row by row, each row through its service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export.results import RowResult

from portal.core.resources import COLUMN_MISSING, HEADER_ROW, Columns, Problem, SheetResult, text

KEY_DUPLICATE_ROWS = "“{key}” appears more than once in the file (rows {rows})."


class RowSheet:
    """An import of a small sheet (tags, teams, people): each row through its service.

    Subclasses name their columns, find the stored object of a row (`existing`), say what the
    row would change (`changes`, empty when nothing) and apply it with the services (`apply`).
    All rows run in one transaction, each in a savepoint so that every row's errors are found;
    with any error, or for a dry run, the whole transaction is rolled back.
    """

    columns: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    key: str = ""
    # Model field names in the services' errors -> the sheet's columns.
    error_columns: dict[str, str] = {}

    def __init__(self, user, headers: list[Any], cells: list[list[Any]], progress=None):
        self.user = user
        self.progress = progress or (lambda percent, step: None)
        self.sheet = Columns(headers, self.columns, ignored=self.ignored)
        self.cells = cells
        self.result = SheetResult()
        self.result.diff_headers = list(self.columns)
        self.result.total_rows = len(cells)

    # -- to implement --
    def prepare(self) -> None:
        """Load what the rows refer to, in a few queries."""

    def existing(self, values: dict[str, Any]):
        raise NotImplementedError

    def changes(self, obj, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def apply(self, obj, values: dict[str, Any], changes: dict[str, Any]):
        raise NotImplementedError

    # -- the whole import --
    def values(self, cells: list[Any]) -> dict[str, Any]:
        return {name: self.sheet.value(cells, name) for name in self.columns if name in self.sheet}

    def run(self, *, dry_run: bool, on_written=None) -> SheetResult:
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        if self.sheet.problems:
            self.result.add_invalid(HEADER_ROW, list(self.sheet.problems), [])
        if self.key not in self.sheet:
            self.result.add_invalid(
                HEADER_ROW,
                [Problem(HEADER_ROW, self.key, "", COLUMN_MISSING.format(name=self.key))],
                [],
            )
            return self.result
        self.prepare()
        seen: dict[str, list[int]] = {}
        for number, cells in enumerate(self.cells, start=2):
            key = text(self.sheet.value(cells, self.key)).strip().lower()
            if key:
                seen.setdefault(key, []).append(number)
        with transaction.atomic():
            for number, cells in enumerate(self.cells, start=2):
                shown = [self.sheet.value(cells, name) for name in self.columns]
                problems = self.sheet.stray_cells(cells, number)
                key = text(self.sheet.value(cells, self.key)).strip().lower()
                if len(seen.get(key, [])) > 1:
                    rows = ", ".join(map(str, seen[key]))
                    problems.append(
                        self._problem(
                            number, self.key, KEY_DUPLICATE_ROWS.format(key=key, rows=rows)
                        )
                    )
                kind, obj = RowResult.IMPORT_TYPE_SKIP, None
                try:
                    values = self.values(cells)
                    obj = self.existing(values)
                    changes = self.changes(obj, values)
                    if changes:
                        kind = RowResult.IMPORT_TYPE_UPDATE if obj else RowResult.IMPORT_TYPE_NEW
                    if changes and not problems:
                        with transaction.atomic():
                            obj = self.apply(obj, values, changes)
                except CellProblem as exc:
                    problems.append(self._problem(number, exc.column, exc.message))
                except (ValidationError, PermissionDenied) as exc:
                    problems.extend(self._service_problems(number, exc))
                if problems:
                    self.result.add_invalid(number, problems, shown)
                else:
                    self.result.add_row(kind, shown, None if dry_run else obj)
                if (number - 1) % 100 == 0:
                    total = len(self.cells)
                    self.progress(95 * (number - 1) / total, f"{number - 1} of {total} rows")
            if dry_run or self.result.problems:
                transaction.set_rollback(True)
            elif on_written is not None:
                on_written()
        return self.result

    def _problem(self, number: int, column: str, message: str) -> Problem:
        return Problem(number, column, self.sheet.cell(column, number), message)

    def _service_problems(self, number: int, exc) -> list[Problem]:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            return [
                self._problem(
                    number,
                    self.error_columns.get(name, name if name in self.columns else self.key),
                    message,
                )
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return [self._problem(number, self.key, message) for message in messages]


class CellProblem(Exception):
    """A cell of a small sheet that cannot be used: its column and why."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message
