"""The task sheet (portal.tasks.resources): columns, human values, export through selectors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.tasks.resources import TASK_COLUMNS, TaskResource
from portal.tasks.selectors import task_list, tasks_visible_to
from portal.teams.permissions import roles_for
from tests.factories import TaskFactory


def test_columns_are_in_the_issues_order():
    assert TaskResource().headers() == [
        "key", "team", "title", "description", "status", "priority", "due_date",
        "estimated_hours", "actual_hours", "assignees", "tags", "parent", "is_archived",
        "repeat", "created_by", "created_at", "updated_at", "completed_at",
    ]  # fmt: skip
    assert list(TASK_COLUMNS) == TaskResource().headers()


def test_rows_hold_human_values(sheet_world, lead):
    rows = {
        r[0]: dict(zip(TASK_COLUMNS, r, strict=True))
        for r in TaskResource().rows(tasks_visible_to(fetched_by=lead).order_by("number"))
    }
    parent = rows["OPS-1"]
    assert parent["team"] == "OPS"
    assert parent["assignees"] == "member, member2"
    assert parent["tags"] == "billing, infra"
    assert parent["due_date"].strftime("%Y-%m-%d %H:%M") == "2026-12-01 17:30"
    assert parent["is_archived"] == "no"
    assert parent["created_by"] == "lead"
    assert rows["OPS-2"]["parent"] == "OPS-1"
    assert "DES-1" not in rows


def test_dataset_export_neutralises_text(sheet_world, lead):
    dataset = TaskResource().export(queryset=task_list(fetched_by=lead, filters={}))
    titles = dataset["title"]
    assert '\'=HYPERLINK("x")' in titles
    assert "'-1" in dataset["description"]


def test_export_needs_a_queryset():
    with pytest.raises(TypeError):
        TaskResource().export()


def test_export_queries_stay_constant(team, lead):
    roles_for(lead)  # loaded once per request elsewhere

    def count(n):
        TaskFactory.create_batch(n, team=team)
        with CaptureQueriesContext(connection) as ctx:
            list(TaskResource().rows(tasks_visible_to(fetched_by=lead)))
        return len(ctx.captured_queries)

    assert count(3) == count(60)


def test_export_cells_come_from_the_field_description(monkeypatch):
    from portal.tasks import fields
    from portal.tasks.resources import task_export

    assert len(task_export.sheet_cells()) == len(TASK_COLUMNS)
    # A field placed in the sheet by the description is exported with no other change.
    extra = fields.TaskField.plain("title", sheet=(99, "title_again"), export_only=True)
    monkeypatch.setattr(fields, "TASK_FIELDS", (*fields.TASK_FIELDS, extra))
    monkeypatch.setattr(fields.sheet_fields, "__defaults__", (fields.TASK_FIELDS,))
    cells = task_export.sheet_cells()
    assert len(cells) == len(TASK_COLUMNS) + 1
    assert cells[-1]({"title": "Renew"}, {}, None) == "Renew"


def test_export_reads_three_queries_a_chunk(team, lead, monkeypatch):
    from portal.tasks.resources import task_export

    monkeypatch.setattr(task_export, "EXPORT_CHUNK", 10)
    parent = TaskFactory(team=team)
    TaskFactory.create_batch(24, team=team, parent=parent)
    queryset = tasks_visible_to(fetched_by=lead)
    roles_for(lead)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(task_export.export_rows(queryset, [], {}))
    assert len(rows) == 25
    # Each of the 3 chunks: its rows, their links, their parents' keys (the rows' query is
    # one for the whole export where the database streams it).
    assert len(ctx.captured_queries) <= 3 * 3 + 1
