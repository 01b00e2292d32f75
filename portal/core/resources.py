"""What the portal's spreadsheet resources share (tasks, tags, comments, teams, people).

- `SheetResource`: named columns, rows as Python values for the streaming writers, and an
  `export()` for import-export's own commands with formulas neutralised.
- `SheetResult`: an import's outcome as import-export's admin shows it (new, update, skip and
  invalid rows), plus every problem with its row, column and cell (`G5`), and the counts the
  admin preview, the API and the background jobs report (`summary()`).
- Cell helpers: text with formulas restored, yes/no, comma-separated lists, headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from import_export import resources
from import_export.results import InvalidRow, Result, RowResult
from openpyxl.utils import get_column_letter

from portal.core.spreadsheets import (
    Table,
    restore_formula,
    text_cell,
    xml_safe,
)

EXPORT_CHUNK = 2000
LIST_SEPARATOR = ", "
YES, NO = "yes", "no"
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", ""})
HEADER_ROW = 1

# Messages about the sheet as a whole and about cells any resource has; reused by tests.
COLUMN_UNKNOWN = "Unknown column “{name}”: the columns are {columns}."
COLUMN_NO_HEADER = "This column has values but no header."
COLUMN_TWICE = "The column “{name}” appears more than once (also {other})."
COLUMN_MISSING = "The sheet needs the column “{name}”."
YES_NO_INVALID = "Enter yes or no."
ROW = "row"  # the "column" of a problem about a whole row
SHEET_EXPORT_ONLY = "This sheet can only be exported."


class CellError(ValueError):
    """A cell that cannot be read: its message says why."""


def local_minute(moment: datetime | None) -> datetime | None:
    """A stored moment as the portal's local time, to the minute, without a time zone.

    Spreadsheets have no time zones: sheets show local times to the minute, and importing the
    same minute back leaves the stored moment as it is.
    """
    if moment is None:
        return None
    return timezone.localtime(moment).replace(second=0, microsecond=0, tzinfo=None)


def dataset_cell(value: Any) -> Any:
    """A cell for a tablib Dataset: text neutralised and without what XML cannot hold (any
    writer may make XLSX of it: tablib's, import-export's), dates as text to the minute."""
    return text_cell(xml_safe(value))


def names(items: Iterable[str]) -> str:
    """A comma-separated list, sorted as people sort (ignoring case)."""
    return LIST_SEPARATOR.join(sorted(items, key=str.lower))


def text(value: Any) -> str:
    """A cell as text, with a neutralised formula restored (`'=A1` -> `=A1`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool):
        return YES if value else NO
    return restore_formula(str(value))


def split_list(value: Any) -> list[str]:
    """`a, b,,c ` -> ["a", "b", "c"] (spaces ignored, each item once, order kept)."""
    seen: dict[str, str] = {}
    for part in text(value).split(","):
        item = part.strip()
        if item and item.lower() not in seen:
            seen[item.lower()] = item
    return list(seen.values())


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(YES_NO_INVALID)


def same_text(a: str, b: str) -> bool:
    """Equal but for line endings (XLSX keeps \\n where a browser sent \\r\\n)."""
    return a.replace("\r\n", "\n").replace("\r", "\n") == b.replace("\r\n", "\n").replace(
        "\r", "\n"
    )


@dataclass
class Problem:
    """One reason an import cannot go ahead: sheet row (1 = header), column and cell."""

    row: int
    column: str
    cell: str
    message: str

    @property
    def label(self) -> str:
        return f"{self.column} ({self.cell})" if self.cell else self.column


@dataclass
class RowChange:
    """The cells an updated row changes: {column: [old, new]}, as the sheet shows them."""

    row: int
    key: str
    changes: dict[str, list[str]]


@dataclass
class Lookalike:
    """A row without a key that looks like a task that exists (`key`)."""

    row: int
    key: str


def cell_changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """{column: [old, new]} for the cells whose text differs; unchanged cells are left out."""
    return {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if not same_text(before.get(name, ""), value)
    }


class SheetResult(Result):
    """import-export's Result, with the cell of every problem, the counts people see, the
    changed cells of each updated row (`changes`) and warnings that do not stop an import."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[Problem] = []
        self.changes: list[RowChange] = []
        self.lookalikes: list[Lookalike] = []
        self.warnings: list[str] = []
        self.skipped = 0  # rows left out on request (look-alikes), counted as unchanged

    def add_row(
        self,
        import_type: str,
        values: Sequence[Any],
        instance=None,
        *,
        number: int = 0,
        key: str = "",
        changes: dict[str, list[str]] | None = None,
    ) -> None:
        row = RowResult()
        row.import_type = import_type
        row.number, row.key, row.changes = number, key, changes or {}
        if import_type == RowResult.IMPORT_TYPE_UPDATE and changes:
            self.changes.append(RowChange(number, key, changes))
        row.diff = [text(v) if not isinstance(v, datetime) else dataset_cell(v) for v in values]
        if instance is not None and instance.pk:
            row.instance = instance
            row.add_instance_info(instance)
        self.increment_row_result_total(row)
        # Unchanged rows are counted, not listed: the preview shows what will change.
        if import_type != RowResult.IMPORT_TYPE_SKIP:
            self.append_row_result(row)

    def add_invalid(self, number: int, problems: list[Problem], values: Sequence[Any]) -> None:
        self.problems.extend(problems)
        messages: dict[str, list[str]] = {}
        for problem in problems:
            messages.setdefault(problem.label, []).append(problem.message)
        self.invalid_rows.append(
            InvalidRow(
                number=number,
                validation_error=ValidationError(messages),
                values=tuple(text(v) for v in values),
            )
        )
        self.totals[RowResult.IMPORT_TYPE_INVALID] += 1

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.total_rows,
            "new": self.totals[RowResult.IMPORT_TYPE_NEW],
            "updated": self.totals[RowResult.IMPORT_TYPE_UPDATE],
            "unchanged": self.totals[RowResult.IMPORT_TYPE_SKIP],
            "errors": len(self.problems),
        }

    def summary(self) -> dict[str, Any]:
        """Counts, every problem, each updated row's changed cells and the warnings, as JSON
        values (the API's answer, a job's result)."""
        return {
            **self.counts(),
            "skipped": self.skipped,
            "problems": [asdict(p) for p in self.problems],
            "changes": [asdict(c) for c in self.changes],
            "lookalikes": [asdict(x) for x in self.lookalikes],
            "warnings": list(self.warnings),
        }


class Columns:
    """The header row of an uploaded sheet, matched against a resource's columns."""

    def __init__(self, headers: Sequence[Any], known: Sequence[str], ignored: Sequence[str] = ()):
        self.index: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.ignored = set(ignored)
        for position, raw in enumerate(headers):
            name = text(raw).strip().lower().replace(" ", "_")
            cell = f"{get_column_letter(position + 1)}{HEADER_ROW}"
            if not name:
                continue  # columns without a header are checked row by row
            if name in self.index:
                other = f"{get_column_letter(self.index[name] + 1)}{HEADER_ROW}"
                self.problems.append(
                    Problem(HEADER_ROW, name, cell, COLUMN_TWICE.format(name=name, other=other))
                )
            elif name in known or name in self.ignored:
                self.index[name] = position
            else:
                listed = ", ".join(list(known) + list(ignored))
                self.problems.append(
                    Problem(
                        HEADER_ROW, name, cell, COLUMN_UNKNOWN.format(name=name, columns=listed)
                    )
                )
        self.unnamed = [position for position, raw in enumerate(headers) if not text(raw).strip()]
        self.width = len(headers)

    def __contains__(self, name: str) -> bool:
        return name in self.index and name not in self.ignored

    def cell(self, name: str, row: int) -> str:
        if name not in self.index:
            return ""
        return f"{get_column_letter(self.index[name] + 1)}{row}"

    def value(self, cells: Sequence[Any], name: str) -> Any:
        position = self.index.get(name)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def stray_cells(self, cells: Sequence[Any], row: int) -> list[Problem]:
        """Values in columns without a header, and the first value right of the header row
        (one is enough to say where; a row may hold thousands)."""
        positions = [p for p in self.unnamed if p < len(cells) and cells[p] not in (None, "")]
        beyond = getattr(cells, "beyond", None)  # what the reader cut off (`Cells`)
        if beyond is None:
            beyond = next(
                (p for p in range(self.width, len(cells)) if cells[p] not in (None, "")), None
            )
        if beyond is not None:
            positions.append(beyond)
        return [
            Problem(
                row, get_column_letter(p + 1), f"{get_column_letter(p + 1)}{row}", COLUMN_NO_HEADER
            )
            for p in positions
        ]


class SheetResource(resources.ModelResource):
    """Named columns, rows as values for the streaming writers, a neutralised `export()`."""

    columns: tuple[str, ...] = ()
    # Whether the import warns of (and may skip) rows that look like stored ones.
    has_lookalikes = False

    def headers(self, queryset: QuerySet | None = None) -> list[str]:
        """The export's header row (a resource may add columns that depend on the rows)."""
        return list(self.columns)

    def row(self, obj) -> list[Any]:
        raise NotImplementedError

    def rows(self, queryset: QuerySet) -> Iterator[list[Any]]:
        """The rows of `queryset`, in chunks: memory and queries stay flat as rows grow."""
        for obj in queryset.iterator(chunk_size=EXPORT_CHUNK):
            yield self.row(obj)

    def export(self, queryset: QuerySet | None = None, **kwargs: Any) -> tablib.Dataset:
        if queryset is None:
            raise TypeError("Pass the rows to export: a queryset from the selectors.")
        dataset = tablib.Dataset(headers=self.headers(queryset))
        for values in self.rows(queryset):
            dataset.append([dataset_cell(v) for v in values])
        return dataset

    def get_result_class(self):
        return SheetResult

    # -- import: the rows read as a whole by the resource's sheet (see portal.core.sheet_import) --
    def sheet_for(self, user, headers, cells, progress):
        """The sheet that checks and writes these rows; resources that import define it."""
        raise NotImplementedError

    def import_data(
        self,
        dataset,
        dry_run=False,
        *args,
        user=None,
        progress=None,
        on_written=None,
        skip_lookalikes=False,
        **kwargs,
    ) -> SheetResult:
        """Check (`dry_run`) or import the rows as `user`; `skip_lookalikes` leaves out rows
        without a key that look like stored ones (the task sheet warns of them either way)."""
        if user is None:
            raise TypeError("Pass the person importing: import_data(dataset, user=...).")
        headers, cells = dataset_rows(dataset)
        sheet = self.sheet_for(user, headers, cells, progress)
        sheet.skip_lookalikes = bool(skip_lookalikes)
        return sheet.run(dry_run=dry_run, on_written=on_written)

    # -- the downloadable template: header, one example row, a sheet explaining each column --
    import_columns: tuple[str, ...] = ()  # default: all columns

    @classmethod
    def template_headers(cls) -> list[str]:
        return list(cls.import_columns or cls.columns)

    def example(self, user) -> list[Any]:
        return ["" for _ in self.template_headers()]

    def column_help(self, user) -> list[list[str]]:
        """[column, what it holds, the values it takes] for each template column."""
        return [[name, "", ""] for name in self.template_headers()]

    def template(self, user) -> tuple[list[str], list[list[Any]], list[list[str]]]:
        """Headers, rows (one example) and the explanation sheet of the import template."""
        explanation = [["column", "what it holds", "values"], *self.column_help(user)]
        return self.template_headers(), [self.example(user)], explanation


def explanation_row(headers: list[str], explanation: list[list[str]]) -> list[str]:
    """The CSV template's explanation row: under each column what it holds and takes, the first
    cell marked with `#` so the import skips the row (`portal.core.sheet_import`)."""
    helps = {name: " ".join(part for part in rest if part) for name, *rest in explanation[1:]}
    cells = [helps.get(name, "") for name in headers]
    if cells:
        cells[0] = f"# {cells[0]}".rstrip()
    return cells


def template_bytes(resource: SheetResource, user, fmt: str) -> bytes:
    """The import template as a file: XLSX with a second sheet explaining each column; CSV,
    which has one sheet, with an explanation row under the header (its first cell starts with
    `#`, and the import skips it), then the example row."""
    from portal.core.spreadsheets import as_bytes

    headers, rows, explanation = resource.template(user)
    if fmt != "xlsx":
        return as_bytes(fmt, headers, [explanation_row(headers, explanation), *rows])
    name = str(resource.get_display_name())
    return as_bytes(fmt, headers, rows, title=name, extra_sheets=[("Columns", explanation)])


def dataset_rows(dataset: tablib.Dataset | Table) -> tuple[list[Any], list[list[Any]]]:
    """Headers and rows of a tablib Dataset (or of a Table from `read_table`, not copied)."""
    if isinstance(dataset, Table):
        return list(dataset.headers), dataset.rows
    return list(dataset.headers or []), [list(row) for row in dataset]
