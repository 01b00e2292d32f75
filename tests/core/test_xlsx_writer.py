"""The XLSX writer (XlsxWriter, constant memory) and the reader agree on every text."""

import io

import pytest

from portal.core.spreadsheets import read_table, write_xlsx


def _round_trip(values: list) -> list:
    out = io.BytesIO()
    write_xlsx(out, ["value"], [[v] for v in values])
    table = read_table(out.getvalue(), "xlsx", max_rows=100, max_bytes=10_000_000)
    return [row[0] for row in table.rows]


@pytest.mark.parametrize(
    "text",
    ["_x0041_", "a_x000D_b", "_x005F_x0041_", "x_y", "http://example.com", "0012", "1e5"],
)
def test_text_that_looks_like_an_escape_a_link_or_a_number_reads_back_as_written(text):
    assert _round_trip([text]) == [text]


def test_line_breaks_read_back_as_line_feeds():
    assert _round_trip(["one\r\ntwo\rthree"]) == ["one\ntwo\nthree"]


def test_a_text_longer_than_excel_shows_is_written_whole():
    long = "x" * 40_000
    assert _round_trip([long]) == [long]


def test_a_failed_writer_leaves_no_temporary_file(tmp_path):
    def rows():
        yield ["first"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_xlsx(io.BytesIO(), ["value"], rows(), work_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
