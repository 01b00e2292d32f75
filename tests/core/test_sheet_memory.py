"""The reader's cost is bounded by what a sheet holds, not by what it declares or leaves empty."""

import io
import time
import zipfile

import pytest

from portal.core.resources import COLUMN_NO_HEADER, Columns
from portal.core.spreadsheets import (
    CSV_TOO_WIDE,
    MAX_COLUMNS,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    XLSX_TOO_MUCH_TEXT,
    SpreadsheetError,
    read_table,
)
from tests.hostile_sheets import (
    MEMORY_LIMIT_MB,
    declared_huge_xlsx,
    peak_mb,
    shared_strings_xlsx,
    sparse_xlsx,
)
from tests.sheets import make_csv

LIMITS = {"max_rows": 50_000, "max_bytes": 10 * 1024 * 1024}


def test_a_declared_dimension_costs_nothing():
    started = time.monotonic()
    peak, table = peak_mb(lambda: read_table(declared_huge_xlsx(), "xlsx", **LIMITS))
    assert (table.headers, table.rows) == (["key"], [["OPS-1"]])
    assert peak < 10, f"{peak:.0f} MB"
    assert time.monotonic() - started < 5


def test_empty_rows_count_against_the_row_limit():
    content = sparse_xlsx([("A1", "key"), ("A2", "OPS-1"), ("A5", "OPS-2")])
    with pytest.raises(SpreadsheetError, match=TOO_MANY_ROWS.format(limit=3)):
        read_table(content, "xlsx", max_rows=3, max_bytes=LIMITS["max_bytes"])
    csv = b"key\nOPS-1\n\n\nOPS-2\n"
    with pytest.raises(SpreadsheetError, match=TOO_MANY_ROWS.format(limit=3)):
        read_table(csv, "csv", max_rows=3, max_bytes=LIMITS["max_bytes"])


def test_a_row_at_the_bottom_of_the_sheet_is_refused_early():
    content = sparse_xlsx([("A1", "key"), ("XFD1048576", "x")], dimension="A1:XFD1048576")
    peak, refused = peak_mb(lambda: read_table(content, "xlsx", **LIMITS))
    assert str(refused) == TOO_MANY_ROWS.format(limit=LIMITS["max_rows"])
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"


def test_values_beyond_the_header_are_not_kept_but_reported_once_per_row():
    cells = [("A1", "key"), ("B1", "title")]
    for row in range(2, 5_002):
        cells += [(f"A{row}", f"OPS-{row}"), (f"XFC{row}", "x"), (f"XFD{row}", "y")]
    peak, table = peak_mb(lambda: read_table(sparse_xlsx(cells), "xlsx", **LIMITS))
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert len(table) == 5_000 and max(len(row) for row in table.rows) == 2
    columns = Columns(table.headers, ["key", "title"])
    assert [(p.cell, p.message) for p in columns.stray_cells(table.rows[0], 2)] == [
        ("XFC2", COLUMN_NO_HEADER)
    ]


def test_a_header_wider_than_any_sheet_is_refused():
    wide = [[f"c{n}" for n in range(MAX_COLUMNS + 1)], ["x"]]
    with pytest.raises(SpreadsheetError) as caught:
        read_table(make_csv(wide), "csv", **LIMITS)
    assert str(caught.value) == TOO_MANY_COLUMNS.format(count=MAX_COLUMNS + 1, limit=MAX_COLUMNS)


def test_a_csv_line_of_separators_is_refused_before_it_is_split():
    content = b"key\n" + b"," * (9 * 1024 * 1024) + b"\n"
    peak, refused = peak_mb(lambda: read_table(content, "csv", **LIMITS))
    assert str(refused) == CSV_TOO_WIDE
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"


def test_csv_rows_wider_than_the_header_are_cut_at_the_header():
    table = read_table(b"key,title\nOPS-1,a,,,stray,\n", "csv", **LIMITS)
    assert table.rows == [["OPS-1", "a"]]
    columns = Columns(table.headers, ["key", "title"])
    assert [p.cell for p in columns.stray_cells(table.rows[0], 2)] == ["E2"]


def test_a_shared_strings_table_bigger_than_twice_the_upload_limit_is_refused_unread():
    content = shared_strings_xlsx(150_000)  # about 3 MB of strings in a file under 1 MB
    limits = {"max_rows": 50_000, "max_bytes": 1024 * 1024}
    started = time.monotonic()
    peak, refused = peak_mb(lambda: read_table(content, "xlsx", **limits))
    text = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/sharedStrings.xml").file_size
    assert str(refused) == XLSX_TOO_MUCH_TEXT.format(size=f"{text / 2**20:.1f}", limit="2")
    assert peak < 10, f"{peak:.0f} MB"
    assert time.monotonic() - started < 5
    smaller = shared_strings_xlsx(1_000)
    assert read_table(smaller, "xlsx", **limits).rows == [["OPS-1"]]
