"""The indexes that order task lists by a custom number or date (PostgreSQL)."""

import pytest
from django.db import connection

from portal.tasks.custom_indexes import index_name, sync_order_indexes
from portal.tasks.filters import filter_tasks
from portal.tasks.models import Task
from portal.tasks.services import custom_field_create, custom_field_delete, task_create

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the order indexes are PostgreSQL expression indexes; other databases sort in memory",
)


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [Task._meta.db_table]
        )
        return {row[0] for row in cursor.fetchall()}


def test_defining_a_number_field_makes_its_indexes_where_the_database_has_them(
    team, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        custom_field_create(actor=lead, team=team, name="Points", key="points", type="number")
    if connection.vendor == "postgresql":
        assert {index_name("points", "asc"), index_name("points", "desc")} <= _indexes()
        assert sync_order_indexes() == {"made": [], "dropped": []}  # nothing left to do
    else:
        # Other databases sort in memory: nothing is made, nothing fails.
        assert sync_order_indexes() == {"made": [], "dropped": []}


@needs_postgresql
def test_a_number_field_brings_its_order_indexes_and_takes_them_away(
    team, other_team, lead, outsider, django_capture_on_commit_callbacks
):
    pair = {index_name("points", "asc"), index_name("points", "desc")}
    with django_capture_on_commit_callbacks(execute=True):
        field = custom_field_create(
            actor=lead, team=team, name="Points", key="points", type="number"
        )
        custom_field_create(actor=lead, team=team, name="Note", key="note", type="text")
    assert pair <= _indexes()
    assert not any("tasks_cf_note" in name for name in _indexes())
    # Another team's field of the same key shares them: deleting one keeps them.
    with django_capture_on_commit_callbacks(execute=True):
        other = custom_field_create(
            actor=outsider, team=other_team, name="Points", key="points", type="date"
        )
        custom_field_delete(actor=lead, field=field)
    assert pair <= _indexes()
    with django_capture_on_commit_callbacks(execute=True):
        custom_field_delete(actor=outsider, field=other)
    assert not pair & _indexes()


@needs_postgresql
@pytest.mark.parametrize("ordering", ["cf_points", "-cf_points"])
def test_an_ordered_list_can_read_the_index(
    ordering, team, lead, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        custom_field_create(actor=lead, team=team, name="Points", key="points", type="number")
    for n in range(3):
        task_create(actor=member, team=team, title=f"T{n}", custom_fields={"points": n})
    qs = filter_tasks(Task.objects.all(), user=member, filters={"ordering": ordering})[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be sorted in memory; forbid that to see the index fits the
        # ORDER BY exactly (expression, direction, empties last, then the id).
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    direction = "desc" if ordering.startswith("-") else "asc"
    assert index_name("points", direction) in plan, plan
    assert [t.custom_fields["points"] for t in qs] == (
        [2, 1, 0] if direction == "desc" else [0, 1, 2]
    )
