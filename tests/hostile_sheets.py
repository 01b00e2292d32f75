"""Spreadsheets built to cost memory or time, and a way to measure what reading them costs."""

import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape

from openpyxl.utils.cell import coordinate_from_string

from tests.sheets import make_xlsx

SHEET_PART = "xl/worksheets/sheet1.xml"
MEMORY_LIMIT_MB = 100
SHARED_STRINGS_OVERRIDE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def sheet_xml(cells: Iterable[tuple[str, str]], dimension: str | None = None) -> bytes:
    """A worksheet's XML holding only `cells` ((coordinate, text) in row order)."""
    rows: dict[int, list[str]] = {}
    for coordinate, value in cells:
        row = coordinate_from_string(coordinate)[1]
        rows.setdefault(row, []).append(
            f'<c r="{coordinate}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        )
    body = "".join(f'<row r="{n}">{"".join(c)}</row>' for n, c in rows.items())
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def sparse_xlsx(cells: Iterable[tuple[str, str]], dimension: str | None = None) -> bytes:
    """A workbook whose sheet holds only `cells` and declares `dimension` (any size it likes)."""
    source = zipfile.ZipFile(io.BytesIO(make_xlsx([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET_PART:
                content = sheet_xml(cells, dimension)
            target.writestr(info.filename, content)
    return out.getvalue()


def declared_huge_xlsx() -> bytes:
    """1.6 KB: a sheet declaring A1:XFD8000 with cells at A1 and A8000 only."""
    return sparse_xlsx([("A1", "key"), ("A8000", "OPS-1")], dimension="A1:XFD8000")


def peak_mb(call: Callable[[], object]) -> tuple[float, object]:
    """What `call` returns (or raises, as the value) and the peak of memory it allocated."""
    tracemalloc.start()
    try:
        try:
            value = call()
        except Exception as exc:  # refused files raise; the cost of refusing is measured too
            value = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024), value


def shared_strings_xlsx(count: int) -> bytes:
    """A small sheet whose shared strings table holds `count` short strings that differ."""
    import random

    strings = "".join(f"<si><t>{random.getrandbits(24):x}</t></si>" for _ in range(count))
    table = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{strings}</sst>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(make_xlsx([["key"], ["OPS-1"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", SHARED_STRINGS_OVERRIDE + b"</Types>")
            target.writestr(info.filename, content)
        target.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()
