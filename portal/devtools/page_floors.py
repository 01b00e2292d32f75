"""Floors of the team pages: the rows a page shows, read by hand-written SQL and fetched.

A page's floor is the database work its table needs at the least (the rows with their people
and tags, the capped count, the comments), without the template. The page renders HTML from
them, so a page's ratio says how much the door adds to reading its rows.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import connection

from portal.devtools.floors import _document, _sql, _tables, fetch_rows
from portal.pages.tasklist import TOTAL_CAP
from portal.tasks.models import Comment


def _capped_count(where: str, params: list) -> int:
    sql = "SELECT count(*) FROM (SELECT 1 FROM {task} t WHERE " + where + " LIMIT %s) c"
    return fetch_rows(sql.format(**_tables()), [*params, TOTAL_CAP + 1])[0][0]


TEAM_OPEN = "t.team_id = %s AND NOT t.is_archived"
MINE = (
    "t.team_id IN (SELECT m.team_id FROM {member} m WHERE m.user_id = %s) AND NOT t.is_archived "
    "AND EXISTS (SELECT 1 FROM {assignee} ta WHERE ta.task_id = t.id AND ta.user_id = %s)"
)


def team_list_page(team_id: int, size: int) -> list[dict]:
    """A team's task list: a page of the team's tasks with their links, and the capped count."""
    rows = fetch_rows(_sql(TEAM_OPEN), [team_id, size + 1])
    _capped_count(TEAM_OPEN, [team_id])
    return _document(rows)


def my_work_page(user_id: int, size: int) -> list[dict]:
    """My work: a page of the tasks assigned to me in my teams, and the capped count."""
    where = MINE.format(**_tables())
    rows = fetch_rows(_sql(where), [user_id, user_id, size + 1])
    _capped_count(where, [user_id, user_id])
    return _document(rows)


def board(team_id: int, size: int) -> list[dict]:
    """The board: as many of the team's open tasks as it shows cards, with their links."""
    where = TEAM_OPEN + " AND t.status <> 'done'"
    return _document(fetch_rows(_sql(where), [team_id, size]))


def team_counts(user_id: int) -> list[tuple]:
    """The team list: open and overdue tasks per team of mine, one aggregate."""
    sql = """
        SELECT t.team_id, count(*), count(*) FILTER (WHERE t.due_date < now())
        FROM {task} t
        WHERE t.team_id IN (SELECT m.team_id FROM {member} m WHERE m.user_id = %s)
            AND NOT t.is_archived AND t.status <> 'done'
        GROUP BY t.team_id
    """
    if connection.vendor != "postgresql":
        sql = sql.replace("count(*) FILTER (WHERE t.due_date < now())", "sum(t.due_date < %s)")
        return fetch_rows(sql.format(**_tables()), [date.today().isoformat(), user_id])
    return fetch_rows(sql.format(**_tables()), [user_id])


def task_page(task_id: int, user_id: int, history: int) -> tuple:
    """A task's page: the task with its links, its comments with their authors, and the first
    page of its history records."""
    from portal.devtools.floors import detail_sql

    task = _document(fetch_rows(detail_sql(), [task_id, user_id, 1]))
    comments = fetch_rows(
        f"""SELECT c.id, c.body, c.created_at, u.username, u.first_name, u.last_name
        FROM {Comment._meta.db_table} c JOIN {_tables()["user"]} u ON u.id = c.author_id
        WHERE c.task_id = %s ORDER BY c.created_at, c.id""",
        [task_id],
    )
    historical = apps.get_model("tasks", "HistoricalTask")._meta.db_table
    records = fetch_rows(
        f"""SELECT h.* FROM {historical} h WHERE h.id = %s
        ORDER BY h.history_date DESC, h.history_id DESC LIMIT %s""",
        [task_id, history + 1],
    )
    return task, comments, records


def activity(team_id: int, size: int) -> list[tuple]:
    """The activity page: the team's latest task and comment history records, with their
    people, newest first."""
    tables = _tables()
    task_history = apps.get_model("tasks", "HistoricalTask")._meta.db_table
    comment_history = apps.get_model("tasks", "HistoricalComment")._meta.db_table
    sql = f"""
        SELECT * FROM (
            SELECT h.history_id, h.history_date, h.history_type, h.title AS text, u.username
            FROM {task_history} h LEFT JOIN {tables["user"]} u ON u.id = h.history_user_id
            WHERE h.team_id = %s
            UNION ALL
            SELECT h.history_id, h.history_date, h.history_type, h.body, u.username
            FROM {comment_history} h LEFT JOIN {tables["user"]} u ON u.id = h.history_user_id
            JOIN {tables["task"]} t ON t.id = h.task_id
            WHERE t.team_id = %s
        ) e ORDER BY e.history_date DESC, e.history_id DESC LIMIT %s
    """
    return fetch_rows(sql, [team_id, team_id, size + 1])


def report(team_id: int, first: date, last: date) -> list[tuple]:
    """The report's flow in one aggregate: the team's tasks created and finished per day of the
    range (the page has about ten such tables and charts; this is the reference for one)."""
    tables = _tables()
    day = "date(%s)" if connection.vendor == "sqlite" else "(%s)::date"
    sql = f"""
        SELECT d, sum(created), sum(done) FROM (
            SELECT {day % "t.created_at"} AS d, 1 AS created, 0 AS done FROM {tables["task"]} t
            WHERE t.team_id = %s AND t.created_at >= %s AND t.created_at < %s
            UNION ALL
            SELECT {day % "t.completed_at"}, 0, 1 FROM {tables["task"]} t
            WHERE t.team_id = %s AND t.completed_at >= %s AND t.completed_at < %s
        ) f GROUP BY d ORDER BY d
    """
    return fetch_rows(sql, [team_id, first, last, team_id, first, last])
