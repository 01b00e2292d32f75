"""Custom fields in the task sheet: a column per field, round trips, cell errors."""

import pytest

from portal.tasks.models import Task
from portal.tasks.resources import TaskResource, tasks_for_sheet
from portal.tasks.services import task_create
from tests.sheets import as_dicts, export_bytes, import_rows, problems, read_csv, read_xlsx
from tests.tasks.custom_field_cases import CASES, define, expected

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(team, lead):
    return define(team, lead)


def _full(team, member):
    return task_create(
        actor=member,
        team=team,
        title="Full",
        custom_fields={
            "note": "n",
            "story": "a\nb",
            "points": 2.5,
            "starts": "2026-12-31",
            "severity": "S2",
            "areas": ["web", "api"],
            "owner": "member2",
            "billable": True,
            "link": "https://example.com/",
        },
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_has_a_column_per_field_and_reimports_unchanged(fmt, team, member, member2, fields):
    task = _full(team, member)
    task_create(actor=member, team=team, title="Bare")
    content = export_bytes(TaskResource(), tasks_for_sheet(member), fmt)
    rows = read_csv(content) if fmt == "csv" else read_xlsx(content)
    names = [f.name for f in fields.values()]
    assert rows[0][-len(names) :] == names
    by_title = {r["title"]: r for r in as_dicts(rows)}
    full = by_title["Full"]
    assert full["Severity"] == "S2"
    assert full["Areas"] == "api, web"
    assert full["Owner"] == "member2"
    assert full["Billable"] == "yes"
    before = Task.objects.get(pk=task.pk).custom_fields
    history = Task.history.filter(id=task.pk).count()
    rows = [[("" if c is None else c) for c in r] for r in rows]
    result = import_rows(TaskResource(), member, rows, fmt=fmt)
    assert not problems(result), problems(result)
    assert result.totals["update"] == 0, result.totals
    assert Task.objects.get(pk=task.pk).custom_fields == before
    assert Task.history.filter(id=task.pk).count() == history


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_sheet_reads_each_type(case, team, member, people, fields):
    header = fields[case.key].name if case.key != "owner" else "owner"  # name or key
    given = case.text if case.text is not None else case.given
    if isinstance(given, list):
        given = ",".join(given)
    rows = [["team", "title", header], ["OPS", "T", given]]
    result = import_rows(TaskResource(), member, rows)
    if case.error:
        assert problems(result) == [(2, header.lower(), case.error)]
        assert not Task.objects.exists()
    else:
        assert not problems(result), problems(result)
        task = Task.objects.get()
        assert task.custom_fields == {case.key: expected(case, fields, people)}


def test_a_field_of_another_team_names_the_cell(team, other_team, member, outsider, fields):
    from portal.tasks.services import custom_field_create

    custom_field_create(actor=outsider, team=other_team, name="Budget", key="budget", type="number")
    rows = [["team", "title", "Budget"], ["DES", "T", "5"], ["OPS", "U", ""], ["OPS", "V", "3"]]
    result = import_rows(TaskResource(), member, rows)
    # The member is not in the design team: its field is not a column they can use.
    assert problems(result)[0][1] == "budget"


def test_template_lists_the_custom_columns(team, member, fields):
    headers, rows, explanation = TaskResource().template(member)
    assert headers[-len(fields) :] == [f.name for f in fields.values()]
    assert len(rows[0]) == len(headers)
    severity = next(line for line in explanation if line[0] == "Severity")
    assert "S1, S2, S3" in severity[2]


def _import_queries(member, rows: int, key: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sheet = [["team", "title", "Owner", "Severity", "Points"]] + [
        ["OPS", f"{key} {i}", "member2" if i % 2 else "member", "S1", str(i % 7)]
        for i in range(rows)
    ]
    with CaptureQueriesContext(connection) as captured:
        result = import_rows(TaskResource(), member, sheet)
    assert not problems(result), problems(result)
    assert Task.objects.filter(title__startswith=f"{key} ").count() == rows
    return len(captured)


def test_import_reads_the_people_of_person_cells_once_whatever_the_rows(
    team, member, member2, fields
):
    _import_queries(member, 1, "Warm")  # the first import reads what later ones find cached
    few = _import_queries(member, 3, "Few")
    # 30 rows still go in one INSERT on SQLite (999 parameters at most per statement).
    many = _import_queries(member, 30, "Many")
    assert many == few
    owners = set(
        Task.objects.filter(title__startswith="Many ").values_list(
            "custom_fields__owner", flat=True
        )
    )
    assert owners == {member.pk, member2.pk}


def test_an_import_that_changes_a_choice_records_its_labels(team, member, fields):
    from portal.events.models import Event

    task = task_create(actor=member, team=team, title="T", custom_fields={"severity": "S2"})
    rows = [["key", "team", "title", "Severity"], [task.key, "OPS", "T", "S3"]]
    result = import_rows(TaskResource(), member, rows)
    assert not problems(result), problems(result)
    event = Event.objects.filter(task_id=task.pk).order_by("-id").first()
    assert event.payload["custom_fields"] == {
        "severity": {"name": "Severity", "old": "S2", "new": "S3"}
    }
