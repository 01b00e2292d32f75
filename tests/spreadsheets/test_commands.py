"""`manage.py export` and `manage.py import`: as a person, through the same resources."""

import io
import re
from importlib import import_module

import pytest
from django.core.management import CommandError, call_command

from portal.core.spreadsheets import (
    CSV_NUL_BYTES,
    FILE_EMPTY,
    FORMAT_NOT_TEXT,
    FORMAT_NOT_WORKBOOK,
)
from portal.spreadsheets.commands import USER_UNKNOWN
from portal.tasks.models import Task
from portal.tasks.resources import KEY_UNKNOWN
from portal.tasks.resources import LOOKALIKES as LOOKALIKES_WARNING
from tests.sheets import as_dicts, make_csv, make_xlsx, read_csv, read_xlsx

IMPORT_FAILED = import_module("portal.spreadsheets.management.commands.import").IMPORT_FAILED


def _export(tmp_path, user, fmt="csv", *filters):
    out = tmp_path / f"tasks.{fmt}"
    args = [f"--filter={f}" for f in filters]
    call_command(
        "export", fmt, "tasks", f"--user={user}", f"--output={out}", *args, stderr=io.StringIO()
    )
    return as_dicts((read_csv if fmt == "csv" else read_xlsx)(out.read_bytes()))


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("lead", {"OPS-1", "OPS-2"}),
        ("member", {"OPS-1", "OPS-2"}),
        ("viewer", {"OPS-1", "OPS-2"}),
        ("outsider", {"DES-1"}),
        ("superuser", {"OPS-1", "OPS-2", "DES-1"}),
    ],
)
def test_export_as_each_role(tmp_path, sheet_world, people, role, keys):
    assert {r["key"] for r in _export(tmp_path, people[role].username)} == keys


def test_export_with_filters_and_xlsx(tmp_path, sheet_world, lead):
    rows = _export(tmp_path, "lead@example.com", "xlsx", "priority=high")
    assert [r["key"] for r in rows] == ["OPS-1"]


def test_export_needs_a_known_person(tmp_path, db):
    with pytest.raises(CommandError, match=USER_UNKNOWN.format(name="nobody")):
        call_command("export", "csv", "tasks", "--user=nobody", f"--output={tmp_path / 'x'}")


def test_export_refuses_a_bad_filter(tmp_path, sheet_world, lead):
    with pytest.raises(CommandError, match="overdue"):
        _export(tmp_path, "lead", "csv", "overdue=maybe")


def _import(tmp_path, user, rows, *extra):
    source = tmp_path / "in.csv"
    source.write_bytes(make_csv(rows))
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "tasks", str(source), f"--user={user}", *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("role", ["lead", "member", "superuser"])
def test_import_as_people_who_may_write(tmp_path, sheet_world, people, role):
    out, _ = _import(tmp_path, people[role].username, [["key", "title"], ["OPS-1", "By command"]])
    assert "1 updated" in out
    parent = Task.objects.get(pk=sheet_world["parent"].pk)
    assert parent.title == "By command"
    assert parent.history.order_by("-history_id").first().history_user == people[role]


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_import_as_people_who_may_not(tmp_path, sheet_world, people, role):
    with pytest.raises(CommandError, match=re.escape(IMPORT_FAILED.format(errors=1))):
        _import(tmp_path, people[role].username, [["key", "title"], ["OPS-1", "By command"]])
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"


def test_import_dry_run_and_errors_are_printed(tmp_path, sheet_world, lead):
    out, _ = _import(tmp_path, "lead", [["key", "title"], ["OPS-1", "Later"]], "--dry-run")
    assert out.splitlines() == [
        "row 2, OPS-1: title: 'Renew certificates' -> 'Later'",
        "Checked: 0 new, 1 updated, 0 unchanged, 0 error(s).",
    ]
    assert Task.objects.get(pk=sheet_world["parent"].pk).title == "Renew certificates"
    err = io.StringIO()
    source = tmp_path / "bad.csv"
    source.write_bytes(make_csv([["key"], ["OPS-9"]]))
    with pytest.raises(CommandError):
        call_command(
            "import", "tasks", str(source), "--user=lead", stdout=io.StringIO(), stderr=err
        )
    assert f"row 2, key (A2): {KEY_UNKNOWN.format(key='OPS-9')}" in err.getvalue()


def test_import_of_a_file_that_is_not_a_sheet(tmp_path, sheet_world, lead):
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    with pytest.raises(CommandError, match="CSV or XLSX"):
        call_command("import", "tasks", str(source), "--user=lead")


def test_benchmark_runs_and_leaves_nothing_behind(db):
    out = io.StringIO()
    call_command(
        "benchmark_spreadsheets", "--rows=20", "--export-rows=30", "--repeat=1", stdout=out
    )
    text = out.getvalue()
    assert "faster than per-row" in text and "rows/s" in text and "peak memory growth" in text
    assert not Task.objects.exists()


# --- the preview's changes, look-alikes, the format from the file ---------------------------------
LOOKALIKES = [
    ["key", "team", "title", "due_date"],
    ["", "OPS", "Renew certificates", "2026-12-01"],
    ["", "OPS", "Write the runbook", ""],
]


def test_dry_run_prints_lookalikes_and_the_flag_skips_them(tmp_path, sheet_world, lead):
    out, _ = _import(tmp_path, "lead", LOOKALIKES, "--dry-run")
    warning = LOOKALIKES_WARNING.format(
        count=1, rows="row looks like a task that exists", keys="OPS-1"
    )
    assert f"Warning: {warning}" in out.splitlines()
    before = Task.objects.count()
    out, _ = _import(tmp_path, "lead", LOOKALIKES, "--skip-lookalikes")
    assert "Imported: 1 new, 0 updated, 1 unchanged, 0 error(s)." in out
    assert Task.objects.count() == before + 1


def test_standard_input_needs_no_format(sheet_world, lead, monkeypatch):
    content = make_xlsx([["key", "status"], ["OPS-1", "blocked"]])
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(content)))
    out = io.StringIO()
    call_command("import", "tasks", "-", "--user=lead", "--dry-run", stdout=out)
    assert "row 2, OPS-1: status: 'todo' -> 'blocked'" in out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.xlsx", b"key,title\nOPS-1,x\n", FORMAT_NOT_WORKBOOK.format(name=".xlsx")),
        ("in.csv", make_xlsx([["key", "title"], ["OPS-1", "x"]]), FORMAT_NOT_TEXT.format(name=".csv")),
        ("in.csv", b"key,title\nOPS-1,Re\x00named\n", CSV_NUL_BYTES),
        ("in.csv", b"", FILE_EMPTY),
    ],
)  # fmt: skip
def test_hostile_files_stop_the_command(tmp_path, sheet_world, lead, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    before = list(Task.objects.values_list("pk", "title", "updated_at"))
    with pytest.raises(CommandError) as stopped:
        call_command("import", "tasks", str(source), "--user=lead")
    assert str(stopped.value) == message
    assert list(Task.objects.values_list("pk", "title", "updated_at")) == before
