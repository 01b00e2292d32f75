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


def test_one_cell_format_for_days_and_moments_in_every_writer(settings):
    """Reports, task sheets and tablib datasets write a moment as local time to the minute."""
    from portal.core.resources import dataset_cell
    from portal.core.spreadsheets import MOMENT_XLSX, as_bytes

    settings.TIME_ZONE = "Europe/Berlin"
    moment = datetime(2026, 12, 6, 9, 30, 45, tzinfo=UTC)  # 10:30 in Berlin
    day = date(2026, 12, 6)
    report = [Sheet("Times", ["when", "day"], [[moment, day]])]

    assert list(csv.reader(io.StringIO(csv_text(report, titles=False))))[1] == [
        "2026-12-06 10:30",
        "2026-12-06",
    ]
    assert dataset_cell(moment) == "2026-12-06 10:30"
    for content in (xlsx_bytes(report), as_bytes("xlsx", ["when", "day"], [[moment, day]])):
        when, on = load_workbook(io.BytesIO(content)).worksheets[0]["A2":"B2"][0]
        assert when.value == datetime(2026, 12, 6, 10, 30, 45)
        assert when.number_format == MOMENT_XLSX
        assert on.number_format == "yyyy-mm-dd"
