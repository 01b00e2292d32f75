"""Spreadsheet cells and files: the one place that reads and writes CSV and XLSX.

- `neutralise_formula` / `restore_formula`: text that a spreadsheet program would run as a
  formula (it starts with = + - @ TAB or CR; OWASP "CSV injection", ASVS 1.2.10) gets a leading
  single quote on export; the quote comes off again on import, so a round trip gives back the
  original text. Every export path and every import path of the portal calls these.
- `read_table` (in `portal.core.sheet_reading`, re-exported here): a CSV or XLSX upload as a
  header and rows of cells, with bounded memory, refusing what is not a spreadsheet with a
  message people can act on, never an exception they would see as a 500.
- `write_csv` / `write_xlsx` / `xlsx_bytes`: rows straight into a file; XLSX is written by
  XlsxWriter in constant-memory mode (about 3x faster than openpyxl's write-only mode, measured
  in docs/spreadsheets.md), so memory stays flat however many rows there are, and every text
  cell leaves out the characters XML cannot hold (`xml_safe`), whatever is stored.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.utils import timezone

from portal.core.sheet_reading import (  # noqa: F401 (the reader's names, for every door)
    CONTENT_TYPES,
    CSV_BROKEN,
    CSV_NOT_UTF8,
    CSV_NUL_BYTES,
    CSV_TOO_WIDE,
    FILE_EMPTY,
    FILE_TOO_BIG,
    FORMAT_NOT_TEXT,
    FORMAT_NOT_WORKBOOK,
    FORMAT_UNKNOWN,
    FORMATS,
    MAX_COLUMNS,
    OLE_MAGIC,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    XLSX_BOMB,
    XLSX_CORRUPT,
    XLSX_ENCRYPTED,
    XLSX_TOO_MUCH_TEXT,
    XLSX_UNSAFE,
    Cells,
    SpreadsheetError,
    Table,
    check_size,
    detect_format,
    file_format_of,
    read_table,
    upload_limits,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# What XML 1.0 cannot hold: control characters but tab, line feed and carriage return, lone
# surrogates, U+FFFE and U+FFFF. openpyxl refuses the first (IllegalCharacterError) and writes
# the others into files spreadsheet programs refuse to open.
XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --- cells ------------------------------------------------------------------------------------
def _needs_quote(text: str) -> bool:
    # A text that already starts with a quote before a formula character is quoted again, so
    # that restoring gives back exactly the quote the person typed.
    while text[:1] == QUOTE:
        text = text[1:]
    return text[:1] != "" and text[0] in FORMULA_PREFIXES


def export_name(stem: str, fmt: str, *, dated: bool = True) -> str:
    """The file name every export door gives: `tasks-2026-12-06.xlsx` (today, local time)."""
    day = f"-{timezone.localdate().isoformat()}" if dated else ""
    return f"{stem}{day}.{fmt}"


def download(content: bytes | str, fmt: str, name: str):
    """A response that saves `content` as the file `name` (a CSV or XLSX sheet)."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def neutralise_formula(text: Any) -> Any:
    """`'=SUM(A1)` for `=SUM(A1)`: a spreadsheet shows the text instead of running it.

    Anything that is not text (numbers, dates, None) is returned as it is.
    """
    if isinstance(text, str) and _needs_quote(text):
        return QUOTE + text
    return text


def xml_safe(value: Any) -> Any:
    """Text without the characters XML cannot hold (they are left out); other values as they
    are. Every XLSX cell, header and sheet title goes through it."""
    return XML_FORBIDDEN_RE.sub("", value) if isinstance(value, str) else value


def restore_formula(text: Any) -> Any:
    """The inverse of `neutralise_formula`: `restore_formula(neutralise_formula(t)) == t`."""
    if isinstance(text, str) and text[:1] == QUOTE and _needs_quote(text[1:]):
        return text[1:]
    return text


# --- writing ----------------------------------------------------------------------------------
# Every sheet shows a moment as the portal's local time to the minute, and a day as a date: one
# format for text cells (CSV, tablib) and one for XLSX date cells.
MOMENT_TEXT = "%Y-%m-%d %H:%M"
MOMENT_XLSX, DAY_XLSX = "yyyy-mm-dd hh:mm", "yyyy-mm-dd"


def _local(value: datetime) -> datetime:
    """A moment as the portal's local time without a time zone (sheets have none)."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def text_cell(value: Any) -> Any:
    """A cell as text-based sheets write it: formulas neutralised, moments to the minute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime(MOMENT_TEXT)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_formula(value) if isinstance(value, str) else value


def write_csv(out: BinaryIO, headers: list[str], rows: Iterable[list[Any]]) -> int:
    """Write UTF-8 CSV with a byte-order mark (so spreadsheet programs read it as UTF-8).

    Returns the number of data rows written. Text cells are neutralised here.
    """
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([neutralise_formula(h) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([text_cell(v) for v in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(
    out: BinaryIO,
    headers: list[str],
    rows: Iterable[list[Any]],
    *,
    title: str = "Sheet1",
    extra_sheets: Iterable[tuple[str, list[list[Any]]]] = (),
    work_dir: Path | None = None,
) -> int:
    """Write an XLSX workbook in streaming mode; returns the data rows written.

    Text cells are neutralised; dates and times become date cells shown to the minute.
    XlsxWriter's constant-memory mode writes each row to a temporary file as it comes (memory
    stays flat) and zips the parts when the workbook closes: its files go to `work_dir` when
    given (a job's own folder, emptied by its next attempt), else to the system's.
    """
    with _XlsxBook(out, work_dir) as book:
        sheet = book.sheet(title)
        sheet.append(headers)
        count = sheet.extend(rows)
        for name, extra_rows in extra_sheets:
            book.sheet(name).extend(extra_rows)
    return count


class _XlsxBook:
    """An XlsxWriter workbook in constant-memory mode, with the portal's cells (`_XlsxSheet`).

    Strings are always written as text (never read as formulas, addresses or numbers), and a
    workbook that fails half-way removes its temporary files instead of leaving them behind.
    """

    def __init__(self, out: BinaryIO, work_dir: Path | None = None):
        import xlsxwriter

        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        if work_dir is not None:
            options["tmpdir"] = str(work_dir)
        self.book = xlsxwriter.Workbook(out, options)
        self.formats = {
            datetime: self.book.add_format({"num_format": MOMENT_XLSX}),
            date: self.book.add_format({"num_format": DAY_XLSX}),
        }
        self.used: set[str] = set()

    def sheet(self, title: str) -> _XlsxSheet:
        worksheet = self.book.add_worksheet(_sheet_title(title, self.used))
        # An export must import back whole: a text over Excel's 32,767 characters is written
        # in full, as openpyxl wrote it (XlsxWriter would cut it; Excel shows the start).
        worksheet.xls_strmax = sys.maxsize
        return _XlsxSheet(worksheet, self.formats)

    def __enter__(self) -> _XlsxBook:
        return self

    def __exit__(self, kind, exc, trace) -> None:
        if kind is None:
            self.book.close()
            return
        for worksheet in self.book.worksheets():  # the rows written so far, on disk
            handle = getattr(worksheet, "row_data_fh", None)
            if handle is not None:
                handle.close()
                Path(worksheet.row_data_filename).unlink(missing_ok=True)


class _XlsxSheet:
    """Rows appended to one worksheet, each cell written by its type (`_xlsx_cell` rules)."""

    def __init__(self, worksheet, formats: dict[type, Any]):
        self.worksheet, self.row = worksheet, 0
        moment, day = formats[datetime], formats[date]
        text, number = worksheet.write_string, worksheet.write_number
        stamp, flag = worksheet.write_datetime, worksheet.write_boolean
        # One writer per type of value; a subclass (or another type) takes the slow path.
        self.writers: dict[type, Any] = {
            str: lambda r, c, v: text(r, c, _xlsx_text(v)),
            int: number,
            float: number,
            Decimal: number,
            bool: flag,
            datetime: lambda r, c, v: stamp(r, c, _local(v), moment),
            date: lambda r, c, v: stamp(r, c, v, day),
        }

    def append(self, values: Iterable[Any]) -> None:
        writers, row = self.writers, self.row
        for column, value in enumerate(values):
            if value is None:
                continue
            write = writers.get(type(value))
            if write is None:
                write, value = self._slow(value)
            write(row, column, value)
        self.row += 1

    def _slow(self, value: Any):
        for kind, write in self.writers.items():
            if kind is not str and isinstance(value, kind):
                return write, value
        return self.writers[str], str(value)

    def extend(self, rows: Iterable[Iterable[Any]]) -> int:
        start = self.row
        for values in rows:
            self.append(values)
        return self.row - start


def _xlsx_text(value: str) -> str:
    # XML reads a carriage return as a line feed: write it as one (a line break either way)
    # rather than as XlsxWriter's _x000D_ escape.
    text = neutralise_formula(xml_safe(value))
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def write_table(
    out: BinaryIO,
    fmt: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    **xlsx_options: Any,
) -> int:
    if fmt == "csv":
        return write_csv(out, headers, rows)
    if fmt == "xlsx":
        return write_xlsx(out, headers, rows, **xlsx_options)
    raise SpreadsheetError(FORMAT_UNKNOWN.format(found=fmt))


def as_bytes(fmt: str, headers: list[str], rows: Iterable[list[Any]], **xlsx_options) -> bytes:
    buffer = io.BytesIO()
    write_table(buffer, fmt, headers, rows, **xlsx_options)
    return buffer.getvalue()


# --- several small tables in one file (the team reports' exports) -------------------------------
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """A titled table: a header row and data rows (numbers, dates, text or None)."""

    title: str
    header: Sequence[str]
    rows: list[Sequence] = field(default_factory=list)


def csv_text(sheets: Iterable[Sheet], *, titles: bool = True) -> str:
    """The sheets one after another (a title row before each, a blank row after) as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        if titles:
            writer.writerow([neutralise_formula(sheet.title)])
        writer.writerow([neutralise_formula(h) for h in sheet.header])
        for row in sheet.rows:
            writer.writerow([text_cell(v) for v in row])
    return out.getvalue()


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as an XLSX workbook, one worksheet each, written as `write_xlsx` writes."""
    out = io.BytesIO()
    with _XlsxBook(out) as book:
        for sheet in sheets:
            book.sheet(sheet.title).extend([[str(h) for h in sheet.header], *sheet.rows])
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """Worksheet names: XML-safe, at most 31 characters, none of []:*?/\\, unique in the
    workbook."""
    base = SHEET_TITLE_BAD.sub(" ", xml_safe(title)).strip("' ")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
