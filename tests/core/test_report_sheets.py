"""Report exports (several tables in one file) are safe to open: formulas are neutralised."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from portal.core.spreadsheets import Sheet, csv_text, neutralise_formula, xlsx_bytes

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_get_a_quote(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["plain", "", " =later", "a=b", 5, -3, 2.5, None, date(2026, 1, 2)]
)
def test_everything_else_is_left_alone(value):
    assert neutralise_formula(value) == value


def test_csv_sections_and_neutralised_cells():
    sheets = [
        Sheet("First", ["Name", "Count"], [["=evil()", 3], ["fine", -1]]),
        Sheet("Second", ["Day", "Value"], [[date(2026, 3, 2), None]]),
    ]
    rows = list(csv.reader(io.StringIO(csv_text(sheets))))
    assert rows == [
        ["First"],
        ["Name", "Count"],
        ["'=evil()", "3"],
        ["fine", "-1"],
        [],
        ["Second"],
        ["Day", "Value"],
        ["2026-03-02", ""],
    ]
    single = list(csv.reader(io.StringIO(csv_text(sheets[:1], titles=False))))
    assert single[0] == ["Name", "Count"]


def test_xlsx_has_a_sheet_per_table_and_no_formulas():
    sheets = [
        Sheet("Workload: by [assignee]?", ["Name", "Open"], [[v, 1] for v in HOSTILE]),
        Sheet("Workload: by [assignee]?", ["When"], [[datetime(2026, 3, 2, 9, tzinfo=UTC)]]),
    ]
    book = load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    assert book.sheetnames == ["Workload  by  assignee", "Workload  by  assignee (2)"]
    first = book.worksheets[0]
    for row, value in zip(first.iter_rows(min_row=2), HOSTILE, strict=True):
        # XML turns a stored CR into LF when read back; the quote in front is what matters.
        assert row[0].data_type == "s" and row[0].value == "'" + value.replace("\r", "\n")
    assert book.worksheets[1]["A2"].value == datetime(2026, 3, 2, 9)
