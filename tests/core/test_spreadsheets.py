"""Formula neutralisation and the spreadsheet readers and writers (portal.core.spreadsheets)."""

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from portal.core.spreadsheets import (
    CSV_NOT_UTF8,
    CSV_NUL_BYTES,
    FILE_EMPTY,
    FILE_TOO_BIG,
    FORMAT_UNKNOWN,
    FORMULA_PREFIXES,
    OLE_MAGIC,
    TOO_MANY_ROWS,
    XLSX_BOMB,
    XLSX_CORRUPT,
    XLSX_ENCRYPTED,
    XLSX_UNSAFE,
    SpreadsheetError,
    as_bytes,
    file_format_of,
    neutralise_formula,
    read_table,
    restore_formula,
)
from tests.sheets import make_csv, make_xlsx, xml_bomb_xlsx, zip_bomb_xlsx

LEADING = ["=", "+", "-", "@", "\t", "\r"]


def test_every_leading_character_of_the_issue_is_covered():
    assert set(LEADING) == set(FORMULA_PREFIXES)


@pytest.mark.parametrize("lead", LEADING)
def test_neutralise_prefixes_a_quote_and_restore_takes_it_off(lead):
    text = f'{lead}HYPERLINK("http://evil","x")'
    assert neutralise_formula(text) == "'" + text
    assert restore_formula(neutralise_formula(text)) == text


@pytest.mark.parametrize(
    "text", ["plain", "", "'quoted", "''=a", "'=a", "a=b", "'", "''", "-", "'-5", "5-"]
)
def test_round_trip_is_exact_for_any_text(text):
    assert restore_formula(neutralise_formula(text)) == text


def test_text_without_a_formula_character_is_left_alone():
    assert neutralise_formula("Renew the TLS certificate") == "Renew the TLS certificate"
    assert restore_formula("'quoted by a person") == "'quoted by a person"


@pytest.mark.parametrize("value", [None, 5, 2.5])
def test_values_that_are_not_text_pass_through(value):
    assert neutralise_formula(value) == value
    assert restore_formula(value) == value


@pytest.mark.parametrize("lead", LEADING)
def test_csv_and_xlsx_writers_neutralise_each_leading_character(lead):
    text = f"{lead}1+2"
    written = as_bytes("csv", ["title"], [[text]]).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(written)))
    assert csv_rows[1] == ["'" + text]
    sheet = load_workbook(io.BytesIO(as_bytes("xlsx", ["title"], [[text]]))).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"  # text, never a formula
    # XML stores a carriage return as a line feed; the quote is what matters.
    assert cell.value == "'" + text.replace("\r", "\n")


# --- reading: limits and hostile files --------------------------------------------------------
LIMITS = {"max_rows": 3, "max_bytes": 1024 * 1024}


def _read(content, fmt):
    return read_table(content, fmt, **LIMITS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_sheet_is_read_with_its_header_and_rows(fmt):
    rows = [["key", "title"], ["OPS-1", "a"], ["", ""], ["OPS-2", "b"]]
    table = _read(make_csv(rows) if fmt == "csv" else make_xlsx(rows), fmt)
    assert table.headers == ["key", "title"]
    assert [row[:2] for row in table.rows] == [["OPS-1", "a"], ["OPS-2", "b"]]  # blank row gone


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_rows(fmt):
    rows = [["key"]] + [[f"OPS-{i}"] for i in range(1, 5)]
    with pytest.raises(SpreadsheetError, match=TOO_MANY_ROWS.format(limit=3)):
        _read(make_csv(rows) if fmt == "csv" else make_xlsx(rows), fmt)


def test_too_big():
    with pytest.raises(SpreadsheetError) as caught:
        read_table(b"key\n" + b"x" * 2048, "csv", max_rows=3, max_bytes=1024)
    assert str(caught.value) == FILE_TOO_BIG.format(size="0.0", limit="0.000976562")


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"", "csv", FILE_EMPTY),
        (b"", "xlsx", XLSX_CORRUPT),
        ("key\nOPS-1".encode("utf-16"), "csv", CSV_NOT_UTF8),
        (b"key\x00\nx", "csv", CSV_NUL_BYTES),
        (b"PK\x03\x04 broken", "xlsx", XLSX_CORRUPT),
        (b"just text", "xlsx", XLSX_CORRUPT),
        (OLE_MAGIC + b"\x00" * 1000, "xlsx", XLSX_ENCRYPTED),
        (make_xlsx([["key"], ["OPS-1"]]), "csv", CSV_NOT_UTF8),
    ],
)
def test_files_that_are_not_sheets_get_a_message(content, fmt, message):
    with pytest.raises(SpreadsheetError) as caught:
        _read(content, fmt)
    assert str(caught.value) == message


def test_an_xml_bomb_is_refused():
    with pytest.raises(SpreadsheetError) as caught:
        _read(xml_bomb_xlsx(), "xlsx")
    assert str(caught.value) == XLSX_UNSAFE


def test_a_decompression_bomb_is_refused_before_reading():
    bomb = zip_bomb_xlsx()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(SpreadsheetError) as caught:
        _read(bomb, "xlsx")
    assert str(caught.value) == XLSX_BOMB


def test_a_zip_without_a_workbook_is_corrupt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SpreadsheetError, match=XLSX_CORRUPT):
        _read(buffer.getvalue(), "xlsx")


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.csv", "csv"), ("A.XLSX", "xlsx"), ("x.tar.csv", "csv")]
)
def test_format_from_the_file_name(name, fmt):
    assert file_format_of(name) == fmt


@pytest.mark.parametrize(
    ("name", "found"), [("a.pdf", ".pdf"), ("noext", "a file without an extension")]
)
def test_other_files_are_refused_by_name(name, found):
    with pytest.raises(SpreadsheetError, match=re.escape(FORMAT_UNKNOWN.format(found=found))):
        file_format_of(name)


def test_control_characters_are_left_out_of_xlsx():
    sheet = load_workbook(io.BytesIO(as_bytes("xlsx", ["title"], [["bell\x07here"]]))).active
    assert sheet.cell(row=2, column=1).value == "bellhere"


def test_every_export_door_names_its_file_one_way():
    import time_machine

    from portal.core.spreadsheets import download, export_name

    with time_machine.travel("2026-12-06 12:00 +00:00", tick=False):
        assert export_name("tasks", "xlsx") == "tasks-2026-12-06.xlsx"
    assert export_name("ops-report-2026-01-01-2026-03-31", "csv", dated=False) == (
        "ops-report-2026-01-01-2026-03-31.csv"
    )
    response = download(b"a,b\n", "csv", "tasks-2026-12-06.csv")
    assert response["Content-Disposition"] == 'attachment; filename="tasks-2026-12-06.csv"'
    assert response["Content-Type"].startswith("text/csv")
