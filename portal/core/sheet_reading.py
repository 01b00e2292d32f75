"""Reading an uploaded CSV or XLSX: the one reader every door uses (`read_table`).

It refuses what is not a spreadsheet (wrong type, corrupt, password-protected, a decompression
or XML bomb, too big) with a message people can act on, never an exception they would see as
a 500. Its memory is bounded by what the sheet holds, not by what it declares: rows are read
one at a time, every row counts against the row limit (empty or not, so a sheet whose last row
is far down stops early), the declared dimension of an XLSX sheet is ignored, and each row is
kept only as wide as the header (at most `MAX_COLUMNS` columns).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Messages for SpreadsheetError, reused by doors and tests.
FORMAT_UNKNOWN = "Choose a CSV or XLSX file (this one is {found})."
FILE_TOO_BIG = "The file is {size} MB; the limit is {limit} MB."
TOO_MANY_ROWS = (
    "The file has more than {limit} rows, counting empty ones; split it into smaller files."
)
TOO_MANY_COLUMNS = (
    "The header row has {count} columns; a sheet has at most {limit}: remove the extra columns."
)
FILE_EMPTY = "The file is empty: it needs a header row and at least one row of data."
CSV_NOT_UTF8 = "The CSV file is not UTF-8 text; save it as “CSV UTF-8” and try again."
CSV_NUL_BYTES = (
    "The CSV file holds NUL bytes, which text never has: it is binary data or damaged. "
    "Save it again as “CSV UTF-8” and try again."
)
CSV_BROKEN = "The CSV file could not be read: {error}."
CSV_TOO_WIDE = "A line of the CSV file has far more columns than any sheet; it was refused."
XLSX_CORRUPT = "The XLSX file is damaged or not really an XLSX file."
XLSX_ENCRYPTED = "The workbook is password-protected; save a copy without a password and try again."
XLSX_BOMB = (
    "The XLSX file expands to far more data than a spreadsheet of its size holds; it was refused."
)
XLSX_TOO_MUCH_TEXT = (
    "The XLSX file holds {size} MB of text; the limit is {limit} MB: split it into smaller files."
)
FORMAT_NOT_TEXT = (
    "The file is named {name} but holds a workbook or other binary data, not CSV text: "
    "save it as CSV (UTF-8), or name it .xlsx if it is an Excel workbook."
)
FORMAT_NOT_WORKBOOK = (
    "The file is named {name} but holds text, not an XLSX workbook: "
    "name it .csv if it is CSV, or save it from your spreadsheet program as XLSX."
)
XLSX_UNSAFE = (
    "The XLSX file contains XML the portal does not read (entities or external references)."
)

# The widest sheet has 17 columns and an unknown column is an error anyway; the cap keeps
# rows x columns (what is held in memory) bounded whatever the header claims.
MAX_COLUMNS = 32
# Separators on one CSV line before it is split into cells (a split line costs 8 bytes a cell).
MAX_CSV_SEPARATORS = 10_000
# openpyxl loads a workbook's shared strings whole (a string object for each, the tiniest
# costing about three times their XML): their part may expand to this many times the upload
# limit. The sheet itself is read row by row and is bounded by the row and column limits.
SHARED_TEXT_RATIO = 2
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
# A real workbook's XML compresses about 5-20 times; 100 is far beyond any honest file.
MAX_COMPRESSION_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted workbooks (and old .xls)
ZIP_MAGIC = b"PK\x03\x04"


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message says why, for people."""


class Cells(list):
    """A row's cells up to the header's last column.

    `beyond` is the position (0-based) of the first value right of the header, if any: the
    value itself is not kept, but the import still reports it at its cell.
    """

    __slots__ = ("beyond",)

    def __init__(self, values=(), beyond: int | None = None):
        super().__init__(values)
        self.beyond = beyond


@dataclass
class Table:
    """A sheet as read: the header cells and the rows of cells (without the header)."""

    headers: list[str]
    rows: list[Cells] = field(default_factory=list)

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


def sniff_format(data: bytes) -> str | None:
    """What a file's first bytes say it is: xlsx (a ZIP), csv (text), or None (empty, or
    binary that is neither: an encrypted workbook, an old .xls, an image...)."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if not data or data.startswith(OLE_MAGIC) or b"\x00" in data[:65536]:
        return None
    return "csv"


def detect_format(name: str, data: bytes, given: str | None = None) -> str:
    """The format of an upload from its name (or `given`) and its bytes: the one function
    every door uses, so nobody chooses a format by hand.

    A name without a suffix (standard input) takes what the bytes say. A known suffix whose
    bytes say otherwise (a `.xlsx` that is text, a `.csv` that is a workbook) and an unknown
    suffix are refused with a message; so is an empty file. Bytes that are neither (an
    encrypted workbook named .xlsx, UTF-16 text named .csv) are left to `read_table`, whose
    messages are more precise.
    """
    if not data:
        raise SpreadsheetError(FILE_EMPTY)
    sniffed = sniff_format(data)
    given = (given or "").strip().lower()
    if given and given not in FORMATS:
        raise SpreadsheetError(FORMAT_UNKNOWN.format(found=given))
    bare = "." not in (name or "").rsplit("/", 1)[-1]
    if given:
        fmt, shown = given, f".{given}"
    elif bare and sniffed is not None:
        return sniffed
    else:
        fmt = file_format_of(name)
        shown = "." + name.rsplit(".", 1)[-1]
    if fmt == "xlsx" and sniffed == "csv":
        raise SpreadsheetError(FORMAT_NOT_WORKBOOK.format(name=shown))
    if fmt == "csv" and (sniffed == "xlsx" or data.startswith(OLE_MAGIC)):
        raise SpreadsheetError(FORMAT_NOT_TEXT.format(name=shown))
    return fmt


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
    """The first sheet of a CSV or XLSX file; SpreadsheetError with a message when refused.

    The header is the first row with a value; rows without any value are left out (but
    counted against `max_rows`, as is every row above the header).
    """
    check_size(len(data), max_bytes)
    if fmt == "csv":
        rows = _csv_rows(data)
    elif fmt == "xlsx":
        _check_zip(data, max_bytes)
        rows = _xlsx_rows(data)
    else:
        raise SpreadsheetError(FORMAT_UNKNOWN.format(found=fmt))
    table: Table | None = None
    width = 0
    try:
        for number, values in enumerate(rows, start=1):
            if number > max_rows + 1:  # the header and max_rows rows of data
                raise SpreadsheetError(TOO_MANY_ROWS.format(limit=max_rows))
            cells = values.values() if isinstance(values, dict) else values
            if not any(_filled(cell) for cell in cells):
                continue
            if table is None:
                table = Table(headers=_header(values))
                width = len(table.headers)
                continue
            table.rows.append(_cut(values, width))
    finally:
        rows.close()
    if table is None:
        raise SpreadsheetError(FILE_EMPTY)
    return table


def _filled(value: Any) -> bool:
    return value is not None and value != ""


def _header(values: list | dict[int, Any]) -> list[str]:
    """The header's cells up to its last one with a value."""
    positions = values.items() if isinstance(values, dict) else enumerate(values)
    width = max((p + 1 for p, v in positions if _filled(v)), default=0)
    if width > MAX_COLUMNS:
        raise SpreadsheetError(TOO_MANY_COLUMNS.format(count=width, limit=MAX_COLUMNS))
    cells = [values.get(p) for p in range(width)] if isinstance(values, dict) else values
    return ["" if h is None else str(h) for h in cells[:width]]


def _cut(values: list | dict[int, Any], width: int) -> Cells:
    """A row as wide as the header, noting where the first value right of it is."""
    if isinstance(values, dict):
        beyond = (p for p, v in sorted(values.items()) if p >= width and _filled(v))
        return Cells([values.get(p) for p in range(width)], next(beyond, None))
    beyond = (p for p in range(width, len(values)) if _filled(values[p]))
    return Cells(values[:width], next(beyond, None))


# --- CSV ------------------------------------------------------------------------------------------
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith(OLE_MAGIC) or data.startswith(ZIP_MAGIC):
        raise SpreadsheetError(CSV_NOT_UTF8)
    if b"\x00" in data:
        # UTF-16 text (with a byte-order mark, or a NUL in every other byte) is text in another
        # encoding; a few NULs among text are binary data or damage.
        sample = data[:4096]
        if data.startswith(UTF16_BOMS) or sample.count(b"\x00") * 4 >= len(sample):
            raise SpreadsheetError(CSV_NOT_UTF8)
        raise SpreadsheetError(CSV_NUL_BYTES)
    return _csv_records(data)


def _csv_records(data: bytes) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(_narrow_lines(text))
    except UnicodeDecodeError:
        raise SpreadsheetError(CSV_NOT_UTF8) from None
    except csv.Error as exc:
        raise SpreadsheetError(CSV_BROKEN.format(error=exc)) from None


def _narrow_lines(lines) -> Iterator[str]:
    """Lines as they are read, refusing one with more separators than any sheet has columns
    (the csv module would hold a list entry for each)."""
    for line in lines:
        if line.count(",") > MAX_CSV_SEPARATORS:
            raise SpreadsheetError(CSV_TOO_WIDE)
        yield line


# --- XLSX -----------------------------------------------------------------------------------------
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
            # The sizes in the directory are what the archive claims; openpyxl reads at most
            # that much (zipfile stops at the declared size), so checking them bounds the rest.
            too_big = max(len(data) * MAX_COMPRESSION_RATIO, 1024 * 1024)
            if expanded > too_big or expanded > 20 * max_bytes:
                raise SpreadsheetError(XLSX_BOMB)
            text = _shared_strings_size(archive)
    except zipfile.BadZipFile:
        raise SpreadsheetError(XLSX_CORRUPT) from None
    if text > SHARED_TEXT_RATIO * max_bytes:
        limit = _mb(SHARED_TEXT_RATIO * max_bytes, ceil=False)
        raise SpreadsheetError(XLSX_TOO_MUCH_TEXT.format(size=_mb(text), limit=limit))


def _shared_strings_size(archive: zipfile.ZipFile) -> int:
    """How big the shared strings part(s) say they are, found as openpyxl finds them."""
    from defusedxml.ElementTree import fromstring

    try:
        types = fromstring(archive.read("[Content_Types].xml"))
    except Exception as exc:
        raise _xlsx_refused(exc) from None
    parts = {
        element.get("PartName", "").lstrip("/")
        for element in types.iter()
        if element.tag.endswith("Override") and element.get("ContentType") == SHARED_STRINGS_TYPE
    }
    sizes = {info.filename: info.file_size for info in archive.infolist()}
    return sum(sizes.get(part, 0) for part in parts)


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


# Spreadsheet programs (and the portal's writer) store a character XML cannot hold as
# _xHHHH_ (a carriage return as _x000D_) and a text that looks like one with its underscore
# escaped (_x005F_x0041_ for "_x0041_"); openpyxl leaves both as they are.
# An escaped underscore before what looks like an escape is that text as it is (XlsxWriter
# writes "_x005F_x0041_" for "_x0041_"); any other escape is its character.
OOXML_ESCAPE = re.compile("_x005[Ff]_(x[0-9A-Fa-f]{4}_)|_x([0-9A-Fa-f]{4})_")


def _unescape(found: re.Match) -> str:
    return "_" + found.group(1) if found.group(1) else chr(int(found.group(2), 16))


def _unescaped(value: Any) -> Any:
    if isinstance(value, str) and "_x" in value:
        return OOXML_ESCAPE.sub(_unescape, value)
    return value


def _xlsx_rows(data: bytes) -> Iterator[dict[int, Any]]:
    """The first sheet's rows, one at a time, as {position: value} of the cells its XML holds
    (a missing row is an empty dict): neither the declared dimension nor a far cell makes
    the empty cells before it cost anything."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise _xlsx_refused(exc) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(FILE_EMPTY)
        sheet = workbook.worksheets[0]
        # What openpyxl's ReadOnlyWorksheet._cells_by_row does, without padding each row to
        # the declared dimension or to its last cell (its rows would be 16,384 cells wide).
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            expected = 1
            for number, cells in parser.parse():
                if number < expected:
                    continue  # a row out of order is skipped, as openpyxl does
                while expected < number:
                    expected += 1
                    yield {}
                expected += 1
                yield {cell["column"] - 1: _unescaped(cell["value"]) for cell in cells}
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise _xlsx_refused(exc) from None
    finally:
        workbook.close()
