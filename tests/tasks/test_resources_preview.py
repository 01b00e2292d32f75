"""What an import's preview says before anything is written: the changed cells of each updated
row (old -> new), rows without a key that look like tasks that exist, the CSV template's
explanation row, and the format told by a file's name and bytes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.resources import template_bytes
from portal.core.sheet_reading import (
    CSV_NOT_UTF8,
    CSV_NUL_BYTES,
    FILE_EMPTY,
    FORMAT_NOT_TEXT,
    FORMAT_NOT_WORKBOOK,
    FORMAT_UNKNOWN,
    OLE_MAGIC,
    SpreadsheetError,
    detect_format,
    read_table,
)
from portal.tasks import resources as r
from portal.tasks.models import Task
from portal.tasks.resources import TaskResource
from portal.tasks.selectors import tasks_visible_to
from portal.tasks.services import task_create
from tests.sheets import import_rows, make_csv, make_xlsx, problems, table_of


# --- changed cells, old -> new -------------------------------------------------------------------
def test_updated_rows_list_only_their_changed_cells(sheet_world, lead):
    rows = [
        ["key", "title", "status", "priority", "due_date", "estimated_hours", "assignees", "tags"],
        ["OPS-1", "Renew certificates", "done", "high", "2026-12-24", "2.50", "member", "infra"],
        ["OPS-2", '=HYPERLINK("x")', "todo", "medium", "", "", "", ""],
    ]
    result = import_rows(TaskResource(), lead, rows, dry_run=True)
    assert problems(result) == []
    assert result.counts()["updated"] == 1 and result.counts()["unchanged"] == 1
    [change] = result.changes
    assert (change.row, change.key) == (2, "OPS-1")
    # Title, priority and hours (2.5 = 2.50) are as stored: not listed.
    assert change.changes == {
        "status": ["todo", "done"],
        "due_date": ["2026-12-01 17:30", "2026-12-24"],
        "assignees": ["member, member2", "member"],
        "tags": ["billing, infra", "infra"],
    }
    assert result.summary()["changes"] == [{"row": 2, "key": "OPS-1", "changes": change.changes}]
    assert Task.objects.get(pk=sheet_world["parent"].pk).status == "todo"  # a dry run


def test_the_real_import_reports_the_same_changes(sheet_world, lead):
    rows = [["key", "title", "parent"], ["OPS-2", "Renamed", ""]]
    checked = import_rows(TaskResource(), lead, rows, dry_run=True)
    done = import_rows(TaskResource(), lead, rows)
    expected = {"title": ['=HYPERLINK("x")', "Renamed"], "parent": ["OPS-1", ""]}
    assert [c.changes for c in checked.changes] == [c.changes for c in done.changes] == [expected]
    assert Task.objects.get(pk=sheet_world["child"].pk).title == "Renamed"


def test_new_and_unchanged_rows_carry_no_changes(sheet_world, lead):
    rows = [["key", "team", "title"], ["", "OPS", "Brand new"], ["OPS-1", "", "Renew certificates"]]
    result = import_rows(TaskResource(), lead, rows, dry_run=True)
    assert result.counts()["new"] == 1 and result.changes == []


# --- rows that look like tasks that exist ---------------------------------------------------------
LOOKALIKE_HEAD = ["key", "team", "title", "due_date"]


def test_keyless_rows_like_existing_tasks_are_a_warning(sheet_world, lead):
    rows = [
        LOOKALIKE_HEAD,
        ["", "OPS", "Renew certificates", "2026-12-01"],  # OPS-1: same day (due 17:30)
        ["", "OPS", "Renew certificates", "2026-12-02"],  # another day: a new task
        ["", "OPS", '=HYPERLINK("x")', ""],  # OPS-2: no due date either
    ]
    result = import_rows(TaskResource(), lead, rows, dry_run=True)
    assert problems(result) == []
    assert [(x.row, x.key) for x in result.lookalikes] == [(2, "OPS-1"), (4, "OPS-2")]
    assert result.warnings == [
        r.LOOKALIKES.format(count=2, rows="rows look like tasks that exist", keys="OPS-1, OPS-2")
    ]
    assert result.counts()["new"] == 3  # a warning: the rows would still be added
    assert result.summary()["warnings"] == result.warnings


def test_lookalikes_can_be_skipped(sheet_world, lead):
    rows = [
        LOOKALIKE_HEAD,
        ["", "OPS", "Renew certificates", "2026-12-01 17:30"],
        ["", "OPS", "Something else", ""],
    ]
    before = Task.objects.count()
    result = TaskResource().import_data(
        table_of(make_csv(rows), "csv"), dry_run=False, user=lead, skip_lookalikes=True
    )
    assert problems(result) == []
    assert result.counts() == {"rows": 2, "new": 1, "updated": 0, "unchanged": 1, "errors": 0}
    assert result.skipped == 1
    assert result.warnings == [
        r.LOOKALIKES_SKIPPED.format(count=1, rows="row looks like a task that exists", keys="OPS-1")
    ]
    assert Task.objects.count() == before + 1
    assert Task.objects.filter(title="Renew certificates").count() == 1


def test_the_warning_lists_ten_keys_at_most(sheet_world, team, lead):
    for i in range(12):
        task_create(actor=lead, team=team, title=f"Chore {i}")
    rows = [LOOKALIKE_HEAD, *[["", "OPS", f"Chore {i}", ""] for i in range(12)]]
    [warning] = import_rows(TaskResource(), lead, rows, dry_run=True).warnings
    keys = ", ".join(f"OPS-{n}" for n in range(3, 13))
    more = r.LOOKALIKE_MORE.format(count=2)
    assert warning == r.LOOKALIKES.format(
        count=12, rows="rows look like tasks that exist", keys=keys + more
    )


def _lookalike_queries(lead, n):
    rows = [LOOKALIKE_HEAD, *[["", "OPS", f"Look {n}-{i}", "2026-12-24"] for i in range(n)]]
    assert problems(import_rows(TaskResource(), lead, rows)) == []  # the tasks now exist
    tasks_visible_to(fetched_by=lead)  # roles loaded, as once per request
    with CaptureQueriesContext(connection) as ctx:
        result = import_rows(TaskResource(), lead, rows, dry_run=True)
    assert len(result.lookalikes) == n
    return len(ctx.captured_queries)


def test_lookalike_detection_queries_do_not_grow_with_rows(sheet_world, lead):
    assert _lookalike_queries(lead, 10) == _lookalike_queries(lead, 200)


# --- the CSV template's explanation row -----------------------------------------------------------
def test_the_csv_template_explains_each_column_and_imports_back(sheet_world, lead):
    content = template_bytes(TaskResource(), lead, "csv")
    table = table_of(content, "csv")
    explanation = table.rows[0]
    assert explanation[0].startswith("# The task's key")
    assert "Your teams: OPS (Operations)" in explanation[table.headers.index("team")]
    assert len(explanation) == len(table.headers)
    before = Task.objects.count()
    result = TaskResource().import_data(table, dry_run=False, user=lead)
    assert problems(result) == []
    assert result.counts() == {"rows": 1, "new": 1, "updated": 0, "unchanged": 0, "errors": 0}
    assert Task.objects.count() == before + 1  # the example row only
    assert not Task.objects.filter(title__startswith="#").exists()


def test_only_the_row_below_the_header_can_be_an_explanation(sheet_world, lead):
    rows = [["team", "title"], ["OPS", "First"], ["OPS", "# not a comment"]]
    result = import_rows(TaskResource(), lead, rows)
    assert result.counts()["new"] == 2
    assert Task.objects.filter(title="# not a comment").exists()


def test_errors_after_an_explanation_row_keep_their_sheet_row(sheet_world, lead):
    rows = [["key", "title"], ["# the key", "the title"], ["OPS-99", "x"]]
    result = import_rows(TaskResource(), lead, rows, dry_run=True)
    assert problems(result) == [(3, "key", r.KEY_UNKNOWN.format(key="OPS-99"))]


# --- the format, from the name and the bytes ------------------------------------------------------
CSV_BYTES = make_csv([["key", "title"], ["OPS-1", "x"]])


@pytest.mark.parametrize(
    ("name", "data", "given", "found"),
    [
        ("tasks.csv", CSV_BYTES, None, "csv"),
        ("TASKS.XLSX", make_xlsx([["key"]]), None, "xlsx"),
        ("-", CSV_BYTES, None, "csv"),  # standard input: the bytes tell
        ("-", make_xlsx([["key"]]), None, "xlsx"),
        ("upload", CSV_BYTES, "csv", "csv"),
        ("tasks.csv", "key\n".encode("utf-16"), None, "csv"),  # the reader says "not UTF-8"
    ],
)
def test_detect_format(name, data, given, found):
    assert detect_format(name, data, given) == found


@pytest.mark.parametrize(
    ("name", "data", "given", "message"),
    [
        ("tasks.xlsx", CSV_BYTES, None, FORMAT_NOT_WORKBOOK.format(name=".xlsx")),
        ("tasks.csv", make_xlsx([["key"]]), None, FORMAT_NOT_TEXT.format(name=".csv")),
        ("tasks.csv", OLE_MAGIC + b"\x00" * 100, None, FORMAT_NOT_TEXT.format(name=".csv")),
        ("upload", make_xlsx([["key"]]), "csv", FORMAT_NOT_TEXT.format(name=".csv")),
        ("tasks.pdf", b"%PDF-1.7", None, FORMAT_UNKNOWN.format(found=".pdf")),
        ("tasks.csv", b"", None, FILE_EMPTY),
        (
            "tasks",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            None,
            FORMAT_UNKNOWN.format(found="a file without an extension"),
        ),
    ],
)
def test_detect_format_refuses_what_does_not_match(name, data, given, message):
    with pytest.raises(SpreadsheetError) as refused:
        detect_format(name, data, given)
    assert str(refused.value) == message


def test_a_csv_with_nul_bytes_is_refused_by_the_reader():
    data = b"key,title\nOPS-1,a\x00b\n"
    assert detect_format("tasks.csv", data) == "csv"
    with pytest.raises(SpreadsheetError) as refused:
        read_table(data, "csv", max_rows=10, max_bytes=10_000)
    assert str(refused.value) == CSV_NUL_BYTES
    utf16 = "key,title\nOPS-1,x\n".encode("utf-16-le")  # no byte-order mark
    with pytest.raises(SpreadsheetError) as refused:
        read_table(utf16, "csv", max_rows=10, max_bytes=10_000)
    assert str(refused.value) == CSV_NOT_UTF8


def test_the_due_day_of_a_moment_is_its_local_day(sheet_world, lead):
    rows = [LOOKALIKE_HEAD, ["", "OPS", "Renew certificates", "2026-12-01 09:00"]]
    result = import_rows(TaskResource(), lead, rows, dry_run=True)
    assert [x.key for x in result.lookalikes] == ["OPS-1"]
    assert sheet_world["due"].date() == date(2026, 12, 1)


# --- the small sheets list their changes the same way ----------------------------------------------
def test_tag_team_and_people_sheets_list_changed_cells(sheet_world, superuser, lead, member):
    from portal.accounts.resources import UserResource
    from portal.tasks.resources import TagResource
    from portal.teams.resources import TeamResource

    tags = import_rows(
        TagResource(), superuser, [["name", "color"], ["infra", "#00AA00"]], dry_run=True
    )
    assert [(c.key, c.changes) for c in tags.changes] == [
        ("infra", {"color": [sheet_world["infra"].color, "#00AA00"]})
    ]
    team_rows = [
        ["key", "name", "members"],
        ["OPS", "Ops", "lead:lead, member:lead, member2:member, viewer:viewer"],
    ]
    teams = import_rows(TeamResource(), lead, team_rows, dry_run=True)
    assert problems(teams) == []
    assert [(c.key, c.changes) for c in teams.changes] == [
        ("OPS", {"name": ["Operations", "Ops"], "members": ["member:member", "member:lead"]})
    ]
    people = import_rows(
        UserResource(), superuser, [["username", "last_name"], ["member", "Newname"]], dry_run=True
    )
    assert [(c.key, list(c.changes)) for c in people.changes] == [("member", ["last_name"])]
    assert people.changes[0].changes["last_name"] == [member.last_name, "Newname"]
