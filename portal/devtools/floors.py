"""Floors: the least work that returns the same thing, measured in the same run.

A list's floor is one hand-written SQL query returning the same page (the API's columns, with
assignees and tags nested as JSON by the database), fetched and `json.dumps`'ed. A detail's
floor is the same query for one row. A write's floor is `bulk_create` of the same rows. A
calendar's floor is one query for the period's tasks, grouped by day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction

from portal.accounts.models import User
from portal.tasks.fields import api_shown_names
from portal.tasks.models import Tag, Task
from portal.teams.models import Membership, Team

# The API's task JSON, in order: the page query below selects its columns in this order.
COLUMNS = api_shown_names()
JSON_COLUMNS = ("created_by", "assignees", "tags", "repeat", "metadata", "custom_fields")


def _tables() -> dict[str, str]:
    return {
        "task": Task._meta.db_table,
        "team": Team._meta.db_table,
        "user": User._meta.db_table,
        "tag": Tag._meta.db_table,
        "member": Membership._meta.db_table,
        "assignee": Task.assignees.through._meta.db_table,
        "tagged": Task.tags.through._meta.db_table,
    }


def _sql(where: str) -> str:
    """The page query: PostgreSQL's json_agg, or SQLite's json_group_array."""
    if connection.vendor == "postgresql":
        obj, agg, key = "json_build_object", "json_agg", "tm.key || '-' || t.number"
        empty = "'[]'::json"
    else:
        obj, agg, key = "json_object", "json_group_array", "tm.key || '-' || t.number"
        empty = "'[]'"
    return f"""
        SELECT t.id, {key}, t.team_id, t.title, t.description, t.status, t.priority, t.due_date,
            t.estimated_hours, t.actual_hours,
            CASE WHEN u.id IS NULL THEN NULL ELSE {obj}('id', u.id, 'username', u.username) END,
            COALESCE((
                SELECT {agg}({obj}('id', a.id, 'username', a.username))
                FROM {{assignee}} ta JOIN {{user}} a ON a.id = ta.user_id
                WHERE ta.task_id = t.id), {empty}),
            COALESCE((
                SELECT {agg}({obj}('id', g.id, 'name', g.name, 'color', g.color))
                FROM {{tagged}} tt JOIN {{tag}} g ON g.id = tt.tag_id
                WHERE tt.task_id = t.id), {empty}),
            t.parent_id,
            CASE WHEN t.repeat_rule = '' THEN NULL
                ELSE {obj}('rrule', t.repeat_rule, 'from', t.repeat_from) END,
            t.metadata, t.custom_fields, t.is_archived, t.completed_at, t.created_at, t.updated_at
        FROM {{task}} t
        JOIN {{team}} tm ON tm.id = t.team_id
        LEFT JOIN {{user}} u ON u.id = t.created_by_id
        WHERE {where}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT %s
    """.format(**_tables())


def list_sql() -> str:
    return _sql(
        "t.team_id IN (SELECT m.team_id FROM {member} m WHERE m.user_id = %s) "
        "AND NOT t.is_archived".format(**_tables())
    )


def detail_sql() -> str:
    return _sql(
        "t.id = %s AND t.team_id IN (SELECT m.team_id FROM {member} m WHERE m.user_id = %s)".format(
            **_tables()
        )
    )


def _document(rows: list[tuple]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = dict(zip(COLUMNS, row, strict=True))
        for name in JSON_COLUMNS:
            # SQLite hands JSON back as text; psycopg decodes it already.
            if isinstance(item[name], str):
                item[name] = json.loads(item[name])
        out.append(item)
    return out


def fetch_rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def list_page(user_id: int, size: int) -> str:
    """The floor of a list page: one query, then the JSON document."""
    rows = fetch_rows(list_sql(), [user_id, size])
    return json.dumps({"results": _document(rows)}, default=str)


def detail(task_id: int, user_id: int) -> str:
    rows = fetch_rows(detail_sql(), [task_id, user_id, 1])
    return json.dumps(_document(rows)[0], default=str)


def create(
    *, team: Team, number: int, creator_id: int, assignee_ids: list[int], tag_ids: list[int]
) -> int:
    """The floor of a create: one task and its many-to-many rows in bulk, committed.

    The caller gives a number no real task gets (far beyond the counter); the caller deletes these
    rows after measuring so the per-team counter and the numbers stay consistent.
    """
    with transaction.atomic():
        (task,) = Task.objects.bulk_create(
            [
                Task(
                    team=team,
                    number=number,
                    title="Floor task",
                    created_by_id=creator_id,
                )
            ]
        )
        Task.assignees.through.objects.bulk_create(
            [Task.assignees.through(task_id=task.pk, user_id=u) for u in assignee_ids]
        )
        Task.tags.through.objects.bulk_create(
            [Task.tags.through(task_id=task.pk, tag_id=t) for t in tag_ids]
        )
    return task.pk


def month_grid(today: date) -> tuple[date, date]:
    """The days a month's calendar shows: whole weeks, Monday to Sunday, around today's month."""
    first_of_month = today.replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    last_of_month = next_month - timedelta(days=1)
    return (
        first_of_month - timedelta(days=first_of_month.weekday()),
        last_of_month + timedelta(days=6 - last_of_month.weekday()),
    )


def calendar_month(team_id: int, first: date, last: date, limit: int) -> dict[date, list]:
    """The floor of a team's month calendar: one query for the tasks due in the grid (a day
    of margin either side, as the page reads them, not archived, at most `limit`), grouped
    by their day."""
    tables = _tables()
    sql = """
        SELECT t.id, t.number, tm.key, tm.slug, t.title, t.status, t.priority, t.due_date,
            t.due_day
        FROM {task} t JOIN {team} tm ON tm.id = t.team_id
        WHERE t.team_id = %s AND NOT t.is_archived AND t.due_date >= %s AND t.due_date <= %s
        ORDER BY t.due_date, t.id
        LIMIT %s
    """.format(**tables)
    start = datetime.combine(first, time.min, tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(last, time.max, tzinfo=UTC) + timedelta(days=1)
    days: dict[date, list] = {}
    for row in fetch_rows(sql, [team_id, start, end, limit + 1])[:limit]:
        due = _day(row[8] or row[7])
        if first <= due <= last:
            days.setdefault(due, []).append(row)
    return days


def _day(value) -> date:
    # SQLite hands dates and times back as text; psycopg as dates and datetimes.
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value
