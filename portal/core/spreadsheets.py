"""Spreadsheet cells and files: the one place that reads and writes CSV and XLSX.

- `neutralise_formula` / `restore_formula`: text that a spreadsheet program would run as a
  formula (it starts with = + - @ TAB or CR; OWASP "CSV injection", ASVS 1.2.10) gets a leading
  single quote on export; the quote comes off again on import, so a round trip gives back the
  original text. Every export path and every import path of the portal calls these.
- `read_table`: a CSV or XLSX upload as a header and rows of cells, refusing what is not a
  spreadsheet (wrong type, corrupt, password-protected, a decompression or XML bomb, too big,
  too many rows) with a message people can act on, never an exception they would see as a 500.
- `write_csv` / `write_xlsx`: rows from an iterator straight into a file; XLSX is written in
  openpyxl's write-only mode, so memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Messages for SpreadsheetError, reused by doors and tests.
FORMAT_UNKNOWN = "Choose a CSV or XLSX file (this one is {found})."
FILE_TOO_BIG = "The file is {size} MB; the limit is {limit} MB."
TOO_MANY_ROWS = "The file has more than {limit} rows; split it into smaller files."
FILE_EMPTY = "The file is empty: it needs a header row and at least one row of data."
CSV_NOT_UTF8 = "The CSV file is not UTF-8 text; save it as “CSV UTF-8” and try again."
CSV_BROKEN = "The CSV file could not be read: {error}."
XLSX_CORRUPT = "The XLSX file is damaged or not really an XLSX file."
XLSX_ENCRYPTED = "The workbook is password-protected; save a copy without a password and try again."
XLSX_BOMB = (
    "The XLSX file expands to far more data than a spreadsheet of its size holds; it was refused."
)
XLSX_UNSAFE = (
    "The XLSX file contains XML the portal does not read (entities or external references)."
)

# A real workbook's XML compresses about 5-20 times; 100 is far beyond any honest file.
MAX_COMPRESSION_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted workbooks (and old .xls)
ZIP_MAGIC = b"PK\x03\x04"


# Every sheet the portal reads and writes, by the name commands and jobs use: its resource and
# the function giving the rows a person may export (`rows_for(user, filters)`). Dotted paths,
# so this base floor names the floors above without importing them.
SHEETS = {
    "tasks": ("portal.tasks.resources.TaskResource", "portal.tasks.resources.tasks_for_sheet"),
    "tags": ("portal.tasks.resources.TagResource", "portal.tasks.resources.tags_for_sheet"),
    "comments": (
        "portal.tasks.resources.CommentResource",
        "portal.tasks.resources.comments_for_sheet",
    ),
    "teams": ("portal.teams.resources.TeamResource", "portal.teams.resources.teams_for_sheet"),
    "users": ("portal.accounts.resources.UserResource", "portal.teams.resources.users_for_sheet"),
}
SHEET_UNKNOWN = "Unknown sheet {name}: choose one of {names}."
FILTERS_TASKS_ONLY = "Only the task sheet takes filters."


def _sheet(name: str) -> tuple[str, str]:
    for key, (resource, rows_for) in SHEETS.items():
        if name.lower() == key or name == resource:
            return resource, rows_for
    raise SpreadsheetError(SHEET_UNKNOWN.format(name=name, names=", ".join(SHEETS)))


def sheet_name_of(resource_class) -> str:
    """The short name of a resource class's sheet (tasks for TaskResource)."""
    dotted = f"{resource_class.__module__}.{resource_class.__qualname__}"
    return next(name for name, (resource, _) in SHEETS.items() if resource == dotted)


def background_rows() -> int:
    """Imports and exports with more rows than this run as background jobs."""
    from django.conf import settings

    return settings.SPREADSHEET_BACKGROUND_ROWS


def sheet_resource(name: str):
    """The resource class of a sheet, by short name (tasks) or dotted path."""
    from django.utils.module_loading import import_string

    return import_string(_sheet(name)[0])


def sheet_rows_for(name: str, user, filters: dict | None = None):
    """The queryset of the sheet `name` that `user` may export (filters: the task sheet's)."""
    from django.utils.module_loading import import_string

    resource, rows_for = _sheet(name)
    if filters and not resource.endswith(".TaskResource"):
        raise SpreadsheetError(FILTERS_TASKS_ONLY)
    return import_string(rows_for)(user, filters)


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message says why, for people."""


# --- cells ------------------------------------------------------------------------------------
def _needs_quote(text: str) -> bool:
    # A text that already starts with a quote before a formula character is quoted again, so
    # that restoring gives back exactly the quote the person typed.
    while text[:1] == QUOTE:
        text = text[1:]
    return text[:1] != "" and text[0] in FORMULA_PREFIXES


def neutralise_formula(text: Any) -> Any:
    """`'=SUM(A1)` for `=SUM(A1)`: a spreadsheet shows the text instead of running it.

    Anything that is not text (numbers, dates, None) is returned as it is.
    """
    if isinstance(text, str) and _needs_quote(text):
        return QUOTE + text
    return text


def restore_formula(text: Any) -> Any:
    """The inverse of `neutralise_formula`: `restore_formula(neutralise_formula(t)) == t`."""
    if isinstance(text, str) and text[:1] == QUOTE and _needs_quote(text[1:]):
        return text[1:]
    return text


# --- reading ----------------------------------------------------------------------------------
@dataclass
class Table:
    """A sheet as read: the header cells and the rows of cells (without the header)."""

    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def file_format_of(name: str, content_type: str | None = None) -> str:
    """csv or xlsx from a file's name (or its content type); SpreadsheetError otherwise."""
    lowered = (name or "").lower()
    for fmt in FORMATS:
        if lowered.endswith("." + fmt):
            return fmt
    if content_type and content_type.split(";")[0].strip() in {
        c.split(";")[0] for c in CONTENT_TYPES.values()
    }:
        return "csv" if content_type.startswith("text/csv") else "xlsx"
    found = lowered.rsplit(".", 1)[-1] if "." in lowered else "a file without an extension"
    raise SpreadsheetError(FORMAT_UNKNOWN.format(found=f".{found}" if "." in lowered else found))


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise SpreadsheetError(
            FILE_TOO_BIG.format(size=_mb(size), limit=_mb(max_bytes, ceil=False))
        )


def _mb(size: int, ceil: bool = True) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f}" if ceil else f"{value:g}"


def upload_limits() -> dict[str, int]:
    """The limits of an upload from the settings: rows of data and bytes."""
    from django.conf import settings

    return {
        "max_rows": settings.SPREADSHEET_MAX_ROWS,
        "max_bytes": int(settings.SPREADSHEET_MAX_UPLOAD_MB * 1024 * 1024),
    }


def read_table(data: bytes, fmt: str, *, max_rows: int, max_bytes: int) -> Table:
    """The first sheet of a CSV or XLSX file; SpreadsheetError with a message when refused."""
    check_size(len(data), max_bytes)
    if fmt == "csv":
        table = _read_csv(data, max_rows)
    elif fmt == "xlsx":
        table = _read_xlsx(data, max_rows, max_bytes)
    else:
        raise SpreadsheetError(FORMAT_UNKNOWN.format(found=fmt))
    if not table.headers:
        raise SpreadsheetError(FILE_EMPTY)
    return table


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop rows with no value at all (spreadsheet programs leave them behind)."""
    return [row for row in rows if any(cell not in (None, "") for cell in row)]


def _read_csv(data: bytes, max_rows: int) -> Table:
    if data.startswith(OLE_MAGIC) or data.startswith(ZIP_MAGIC):
        raise SpreadsheetError(CSV_NOT_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(CSV_NOT_UTF8) from None
    if "\x00" in text:
        raise SpreadsheetError(CSV_NOT_UTF8)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if any(cell != "" for cell in row):
                rows.append(row)
                if len(rows) > max_rows + 1:  # the header and max_rows rows of data
                    raise SpreadsheetError(TOO_MANY_ROWS.format(limit=max_rows))
    except csv.Error as exc:
        raise SpreadsheetError(CSV_BROKEN.format(error=exc)) from None
    if not rows:
        raise SpreadsheetError(FILE_EMPTY)
    return Table(headers=[str(h) for h in rows[0]], rows=rows[1:])


def _check_zip(data: bytes, max_bytes: int) -> None:
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(XLSX_ENCRYPTED)
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetError(XLSX_CORRUPT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "EncryptionInfo" in names or "EncryptedPackage" in names:
                raise SpreadsheetError(XLSX_ENCRYPTED)
            if "[Content_Types].xml" not in names:
                raise SpreadsheetError(XLSX_CORRUPT)
            expanded = sum(info.file_size for info in infos)
    except zipfile.BadZipFile:
        raise SpreadsheetError(XLSX_CORRUPT) from None
    # The sizes in the directory are what the archive claims; openpyxl reads at most that much
    # (zipfile stops at the declared size), so checking the claim bounds the real expansion.
    if expanded > max(len(data) * MAX_COMPRESSION_RATIO, 1024 * 1024) or expanded > 20 * max_bytes:
        raise SpreadsheetError(XLSX_BOMB)


def _xlsx_refused(exc: BaseException) -> SpreadsheetError:
    """Why openpyxl could not read a file: unsafe XML (defusedxml said no) or damage.

    openpyxl wraps the parser's error in its own ValueError, so the chain is searched.
    """
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return SpreadsheetError(XLSX_UNSAFE)
        seen = seen.__cause__ or seen.__context__
    return SpreadsheetError(XLSX_CORRUPT)


def _read_xlsx(data: bytes, max_rows: int, max_bytes: int) -> Table:
    _check_zip(data, max_bytes)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise _xlsx_refused(exc) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise SpreadsheetError(FILE_EMPTY)
        rows: list[list[Any]] = []
        kept = 0
        for values in sheet.iter_rows(values_only=True):
            row = list(values)
            if any(cell not in (None, "") for cell in row):
                kept += 1
                if kept > max_rows + 1:
                    raise SpreadsheetError(TOO_MANY_ROWS.format(limit=max_rows))
            rows.append(row)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise _xlsx_refused(exc) from None
    finally:
        workbook.close()
    rows = _trim(rows)
    if not rows:
        raise SpreadsheetError(FILE_EMPTY)
    headers = ["" if h is None else str(h) for h in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    return Table(headers=headers, rows=rows[1:])


# --- writing ----------------------------------------------------------------------------------
def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
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
        writer.writerow([_csv_cell(v) for v in row])
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
) -> int:
    """Write an XLSX workbook in write-only (streaming) mode; returns the data rows written.

    Text cells are neutralised; dates and times become date cells shown to the minute.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_text(h) for h in headers])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell) for v in row])
        count += 1
    for name, extra_rows in extra_sheets:
        extra = workbook.create_sheet(title=name[:31])
        for extra_row in extra_rows:
            extra.append([_xlsx_cell(extra, v, WriteOnlyCell) for v in extra_row])
    workbook.save(out)
    return count


def _xlsx_text(value: str) -> str:
    # XML cannot hold most control characters; openpyxl refuses them, so they are left out.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def _xlsx_cell(sheet, value: Any, cell_class) -> Any:
    if isinstance(value, str):
        return _xlsx_text(value)
    if isinstance(value, datetime):
        cell = cell_class(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal | int | float) or value is None:
        return value
    return _xlsx_text(str(value))


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
XLSX_CONTENT_TYPE = CONTENT_TYPES["xlsx"]
CSV_CONTENT_TYPE = CONTENT_TYPES["csv"]
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """A titled table: a header row and data rows (numbers, dates, text or None)."""

    title: str
    header: Sequence[str]
    rows: list[Sequence] = field(default_factory=list)


def _plain(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    return value


def _iso(value):
    value = _plain(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


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
            writer.writerow(["" if v is None else neutralise_formula(_iso(v)) for v in row])
    return out.getvalue()


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as an XLSX workbook, one worksheet each (openpyxl's streaming writer)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(title=_sheet_title(sheet.title, used))
        ws.append([neutralise_formula(h) for h in sheet.header])
        for row in sheet.rows:
            ws.append([neutralise_formula(_plain(v)) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """Worksheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = SHEET_TITLE_BAD.sub(" ", title).strip("' ")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
