"""Formula neutralisation and the spreadsheet readers and writers (portal.core.spreadsheets)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from portal.core.spreadsheets import (
    FORMULA_PREFIXES,
    as_bytes,
    neutralise_formula,
    restore_formula,
)

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
