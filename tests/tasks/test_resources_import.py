"""Importing the task sheet: round trips, every row error, all or nothing, history, queries."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.history import HISTORY_TYPES
from portal.tasks import permissions as task_perms
from portal.tasks import resources as r
from portal.tasks.models import Tag, Task
from portal.tasks.resources import TaskResource
from portal.tasks.selectors import task_list, tasks_visible_to
from portal.tasks.services import ASSIGNEE_NOT_MEMBER, TASK_MOVE_TEAM, task_create
from portal.teams.models import Role
from portal.teams.permissions import forget_roles
from tests.factories import MembershipFactory, UserFactory
from tests.sheets import export_bytes, import_rows, problems, table_of

HEAD = ["key", "team", "title", "status", "assignees", "tags"]


def _records():
    return Task.history.count()


def _stamps():
    return dict(Task.objects.values_list("pk", "updated_at"))


# --- round trip ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", ["lead", "superuser"])
def test_importing_an_export_changes_nothing(sheet_world, people, fmt, who):
    user = people[who]
    sheet_world["parent"].description = "two\r\nlines"
    sheet_world["parent"].save()
    task_create(
        actor=people["lead"], team=sheet_world["parent"].team, title="Old", is_archived=True
    )
    content = export_bytes(
        TaskResource(), task_list(fetched_by=user, filters={"is_archived": "all"}), fmt
    )
    before, stamps = _records(), _stamps()
    result = TaskResource().import_data(table_of(content, fmt), dry_run=False, user=user)
    assert problems(result) == []
    counts = result.counts()
    assert counts["unchanged"] == counts["rows"] > 0
    assert (counts["new"], counts["updated"], counts["errors"]) == (0, 0, 0)
    assert _records() == before
    assert _stamps() == stamps


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_edited_cells_become_one_history_record_signed_by_the_importer(
    sheet_world, lead, member, fmt
):
    parent = sheet_world["parent"]
    rows = [
        ["key", "team", "title", "status", "priority", "due_date", "assignees", "tags"],
        ["OPS-1", "OPS", "Renew all certificates", "In progress", "URGENT", "2026-12-02 09:15",
         "member", "infra, brand-new"],
        ["", "OPS", "A new task", "", "", "", "member2@example.com", ""],
        ["", "ops", "Another new task", "blocked", "low", "2026-12-03", "", ""],
    ]  # fmt: skip
    preview = import_rows(TaskResource(), lead, rows, fmt, dry_run=True)
    assert problems(preview) == []
    assert preview.counts() == {"rows": 3, "new": 2, "updated": 1, "unchanged": 0, "errors": 0}
    assert Task.objects.count() == 3 and not Tag.objects.filter(name="brand-new").exists()

    result = import_rows(TaskResource(), lead, rows, fmt)
    assert result.counts()["new"] == 2
    parent.refresh_from_db()
    assert parent.title == "Renew all certificates"
    assert (parent.status, parent.priority) == ("in_progress", "urgent")
    assert timezone.localtime(parent.due_date).strftime("%Y-%m-%d %H:%M") == "2026-12-02 09:15"
    assert [u.username for u in parent.assignees.all()] == ["member"]
    assert sorted(t.name for t in parent.tags.all()) == ["brand-new", "infra"]
    record = parent.history.order_by("-history_id").first()
    assert (HISTORY_TYPES[record.history_type], record.history_user) == ("changed", lead)
    assert sorted(record.assignees.values_list("user_id", flat=True)) == [member.pk]
    assert parent.history.count() == 2  # created, then this import
    # New tasks are numbered in row order, with one creation record each.
    new = Task.objects.filter(team=parent.team, number__in=[3, 4]).order_by("number")
    assert [t.title for t in new] == ["A new task", "Another new task"]
    assert [t.history.get().history_user for t in new] == [lead, lead]
    assert new[0].assignees.get().username == "member2"
    assert new[0].created_by == lead


def test_empty_cells_clear_optional_fields(sheet_world, lead):
    rows = [["key", "due_date", "estimated_hours", "assignees", "tags", "parent", "description"],
            ["OPS-1", "", "", "", "", "", ""], ["OPS-2", "", "", "", "", "", ""]]  # fmt: skip
    result = import_rows(TaskResource(), lead, rows)
    assert problems(result) == []
    parent = Task.objects.get(pk=sheet_world["parent"].pk)
    assert (parent.due_date, parent.estimated_hours) == (None, None)
    assert not parent.assignees.exists() and not parent.tags.exists()
    assert Task.objects.get(pk=sheet_world["child"].pk).parent is None


def test_excel_date_cells_and_numbers(sheet_world, lead):
    rows = [["key", "due_date", "actual_hours"], ["OPS-1", datetime(2027, 1, 5, 8, 0), 3.25]]
    result = import_rows(TaskResource(), lead, rows, "xlsx")
    assert problems(result) == []
    parent = Task.objects.get(pk=sheet_world["parent"].pk)
    assert timezone.localtime(parent.due_date).replace(tzinfo=None) == datetime(2027, 1, 5, 8, 0)
    assert parent.actual_hours == Decimal("3.25")


def test_neutralised_cells_come_back_as_typed(sheet_world, lead):
    for lead_char in ["=", "+", "-", "@", "\t", "\r"]:
        rows = [["key", "title"], ["OPS-2", f"'{lead_char}1+1 sum"]]
        assert problems(import_rows(TaskResource(), lead, rows)) == []
        assert Task.objects.get(pk=sheet_world["child"].pk).title == f"{lead_char}1+1 sum".strip()


# --- every row error -------------------------------------------------------------------------
ERRORS = [
    ({"key": "", "team": "NOPE"}, "team", r.TEAM_UNKNOWN.format(value="NOPE")),
    ({"key": "", "team": "DES"}, "team", r.TEAM_UNKNOWN.format(value="DES")),  # outsider's team
    ({"key": "", "team": ""}, "team", r.TEAM_REQUIRED),
    ({"status": "later"}, "status", None),
    ({"status": ""}, "status", None),
    ({"priority": "someday"}, "priority", None),
    ({"due_date": "31/12/2026"}, "due_date", r.DATE_INVALID),
    ({"estimated_hours": "lots"}, "estimated_hours", r.NUMBER_INVALID),
    ({"estimated_hours": "-2"}, "estimated_hours", None),
    ({"title": ""}, "title", None),
    ({"title": "x" * 201}, "title", None),
    ({"assignees": "nobody"}, "assignees", r.PERSON_UNKNOWN.format(names="nobody")),
    ({"parent": "OPS-99"}, "parent", r.PARENT_UNKNOWN.format(key="OPS-99")),
    ({"parent": "DES-1"}, "parent", r.PARENT_UNKNOWN.format(key="DES-1")),
    ({"team": "DES"}, "team", r.TEAM_UNKNOWN.format(value="DES")),
    ({"key": "OPS-99"}, "key", r.KEY_UNKNOWN.format(key="OPS-99")),
    ({"key": "DES-1"}, "key", r.KEY_UNKNOWN.format(key="DES-1")),
    ({"key": "OPS 1"}, "key", r.KEY_INVALID),
]
COLUMNS = ["key", "team", "title", "status", "assignees", "tags", "priority", "due_date",
           "estimated_hours", "parent"]  # fmt: skip
FINE = {"key": "OPS-1", "team": "OPS", "title": "x", "status": "todo", "priority": "medium"}


def _row(**cells):
    values = {**FINE, **cells}
    return [values.get(name, "") for name in COLUMNS]


@pytest.mark.parametrize(("cells", "column", "message"), ERRORS)
def test_each_row_error_names_its_cell(sheet_world, lead, cells, column, message):
    before, stamps = _records(), _stamps()
    rows = [COLUMNS, _row(key="OPS-2", title="A fine change"), _row(**cells)]
    result = import_rows(TaskResource(), lead, rows)
    found = [p for p in result.problems if p.row == 3]
    assert [p.column for p in found] == [column], found
    assert found[0].cell == f"{'ABCDEFGHIJ'[COLUMNS.index(column)]}3"
    if message:
        assert found[0].message == message
    assert result.counts()["errors"] == 1, result.problems
    # All or nothing: the fine row of the same file was not written either.
    assert Task.objects.get(pk=sheet_world["child"].pk).title != "A fine change"
    assert (_records(), _stamps()) == (before, stamps)


def test_parent_of_another_team_is_refused(sheet_world, team, other_team, lead, outsider):
    # A person in both teams sees both tasks; the domain refuses the cross-team parent.
    MembershipFactory(user=lead, team=other_team, role=Role.MEMBER)
    forget_roles(lead)
    result = import_rows(TaskResource(), lead, [["key", "parent"], ["OPS-2", "DES-1"]])
    assert problems(result) == [(2, "parent", "The parent task must belong to the same team.")]


def test_a_key_of_another_team_in_a_team_row_is_refused(sheet_world, other_team, lead):
    MembershipFactory(user=lead, team=other_team, role=Role.MEMBER)
    forget_roles(lead)
    result = import_rows(TaskResource(), lead, [["key", "team", "title"], ["DES-1", "OPS", "x"]])
    assert problems(result) == [
        (2, "key", r.KEY_OTHER_TEAM.format(key="DES-1", found="DES", team="OPS"))
    ]
    assert TASK_MOVE_TEAM  # the domain's own rule says the same


def test_assignee_must_be_a_member_of_the_team(sheet_world, other_team, lead, outsider):
    MembershipFactory(user=lead, team=other_team, role=Role.MEMBER)  # lead now sees outsider
    forget_roles(lead)
    result = import_rows(TaskResource(), lead, [["key", "assignees"], ["OPS-1", "outsider"]])
    assert problems(result) == [
        (2, "assignees", ASSIGNEE_NOT_MEMBER.format(names="outsider", team="OPS"))
    ]


def test_duplicate_keys_name_every_row(sheet_world, lead):
    rows = [["key", "title"], ["OPS-1", "a"], ["OPS-2", "b"], ["ops-1", "c"]]
    result = import_rows(TaskResource(), lead, rows)
    message = r.KEY_DUPLICATE.format(key="OPS-1", rows="2, 4")
    assert problems(result) == [(2, "key", message), (4, "key", message)]


def test_unknown_and_repeated_columns_are_reported(sheet_world, lead):
    rows = [["key", "title", "colour", "title"], ["OPS-1", "a", "red", "b"]]
    result = import_rows(TaskResource(), lead, rows)
    assert [(p.row, p.column, p.cell) for p in result.problems] == [
        (1, "colour", "C1"),
        (1, "title", "D1"),
    ]


def test_export_only_columns_are_ignored(sheet_world, lead):
    rows = [["key", "created_by", "updated_at"], ["OPS-1", "someone", "yesterday"]]
    result = import_rows(TaskResource(), lead, rows)
    assert problems(result) == [] and result.counts()["unchanged"] == 1


@pytest.mark.parametrize(
    ("role", "message"),
    [("viewer", task_perms.DENIED_EDIT_TASK), ("outsider", r.KEY_UNKNOWN.format(key="OPS-1"))],
)
def test_people_who_may_not_write_get_row_errors(sheet_world, people, role, message):
    result = import_rows(TaskResource(), people[role], [["key", "title"], ["OPS-1", "Mine now"]])
    assert problems(result) == [(2, "key", message)]


def test_viewer_cannot_add_tasks(sheet_world, viewer):
    result = import_rows(TaskResource(), viewer, [["team", "title"], ["OPS", "New"]])
    assert problems(result) == [(2, "team", task_perms.DENIED_CREATE_TASK)]


def test_member_cannot_archive_someone_elses_task(sheet_world, member):
    result = import_rows(TaskResource(), member, [["key", "is_archived"], ["OPS-1", "yes"]])
    assert problems(result) == [(2, "is_archived", task_perms.DENIED_ARCHIVE_TASK)]


def test_import_needs_the_person():
    with pytest.raises(TypeError):
        TaskResource().import_data(None)


# --- queries stay constant as rows grow --------------------------------------------------------
def _import_queries(lead, team, n, dry_run):
    people = [UserFactory(username=f"p{n}-{i}") for i in range(3)]
    for person in people:
        MembershipFactory(user=person, team=team, role=Role.MEMBER)
    rows = [["key", "team", "title", "assignees", "tags"]]
    rows += [["", "OPS", f"Row {i}", f"{people[i % 3].username}", f"t{n}-{i % 4}, shared{n}"]
             for i in range(n)]  # fmt: skip
    content_rows = rows
    tasks_visible_to(fetched_by=lead)  # roles loaded, as once per request
    with CaptureQueriesContext(connection) as ctx:
        result = import_rows(TaskResource(), lead, content_rows, dry_run=dry_run)
    assert problems(result) == []
    return len(ctx.captured_queries)


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_queries_do_not_grow_with_rows(sheet_world, team, lead, dry_run):
    # SQLite splits inserts at 999 parameters; up to 30 rows they fit one statement.
    assert _import_queries(lead, team, 5, dry_run) == _import_queries(lead, team, 30, dry_run)


def test_update_queries_do_not_grow_with_rows(sheet_world, team, lead):
    def run(n):
        created = [task_create(actor=lead, team=team, title=f"T{i}") for i in range(n)]
        rows = [["key", "title", "assignees"]] + [[t.key, t.title + "!", "member"] for t in created]
        with CaptureQueriesContext(connection) as ctx:
            result = import_rows(TaskResource(), lead, rows)
        assert result.counts()["updated"] == n
        return len(ctx.captured_queries)

    # SQLite splits the history records' insert at 999 parameters (a task's record has 27
    # columns): up to 30 rows they fit one statement.
    assert run(4) == run(30)
