"""Tables written as CSV or XLSX, safe to open in a spreadsheet: the one place for that rule.

A cell that starts with = + - @ TAB or CR is read as a formula by Excel, LibreOffice and
Google Sheets, so a task titled `=HYPERLINK(...)` could run when an export is opened. Every
export writes its text cells through `safe_cell`, which puts a single quote in front of them
(the quote shows; the formula does not run).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value):
    """`value` with text that a spreadsheet would run as a formula neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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


def csv_text(sheets: Iterable[Sheet], *, titles: bool = True) -> str:
    """The sheets one after another (a title row before each, a blank row after) as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        if titles:
            writer.writerow([safe_cell(sheet.title)])
        writer.writerow([safe_cell(h) for h in sheet.header])
        for row in sheet.rows:
            writer.writerow(["" if v is None else safe_cell(_text(v)) for v in row])
    return out.getvalue()


def _text(value):
    value = _plain(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as an XLSX workbook, one worksheet each (openpyxl's streaming writer)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(title=_sheet_title(sheet.title, used))
        ws.append([safe_cell(h) for h in sheet.header])
        for row in sheet.rows:
            ws.append([safe_cell(_plain(v)) for v in row])
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
