"""Task search can use trigram indexes on PostgreSQL (words) and the team+number index (keys)."""

import pytest
from django.db import connection

from portal.tasks.models import Task
from tests.factories import TaskFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="trigram indexes are a PostgreSQL feature; SQLite searches without them",
)


def _plan(qs) -> str:
    with connection.cursor() as cursor:
        # Small test tables are cheaper to scan or walk in order; forbid both to see which
        # indexes can find the rows (at 100,000 tasks the planner picks them by itself).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_word_search_uses_the_trigram_indexes(team):
    TaskFactory.create_batch(3, team=team)
    plan = _plan(Task.objects.search("deploy"))
    assert "Bitmap Index Scan on tasks_task_title_trgm" in plan
    assert "Bitmap Index Scan on tasks_task_description_trgm" in plan
    assert "Seq Scan on tasks_task" not in plan


def test_key_search_stays_on_indexes(team):
    for number in (1, 2, 3):
        TaskFactory(team=team, number=number)
    plan = _plan(Task.objects.search("OPS-2"))
    assert "Bitmap Index Scan on tasks_task_title_trgm" in plan
    # The key branch is on the tasks table too, found through an index on its team (the
    # team index or the team+number one, as the planner likes).
    assert (
        "Index Cond: (team_id = $0)" in plan
        or "Index Cond: ((team_id = $0) AND (number = 2))" in plan
    )
    assert "Seq Scan on tasks_task" not in plan
    assert list(Task.objects.search("ops-2").values_list("number", flat=True)) == [2]


def test_the_capped_count_of_active_tasks_can_read_the_partial_index_alone(team, other_team):
    TaskFactory.create_batch(3, team=team)
    TaskFactory(team=other_team, is_archived=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # On three rows a scan of the archive index (is_archived, archived_at) can cost the
        # same and win the tie; the question is whether the partial index can answer alone,
        # so that index is left out of this test's transaction (dropped, rolled back after).
        cursor.execute("DROP INDEX tasks_task_archived")
        qs = Task.objects.filter(team__in=[team, other_team]).active().order_by()[:10001]
        sql, params = qs.values("id").query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) s", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using tasks_task_team_active on tasks_task" in plan
