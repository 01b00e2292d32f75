"""Trigram indexes for task search on PostgreSQL (pg_trgm); nothing on other databases.

`Task.objects.search()` matches words anywhere in the title or description with
`UPPER(column) LIKE UPPER('%words%')`, which no b-tree index serves. GIN trigram indexes on the
same expressions do, so a search reads matching rows instead of scanning the table. Creating
the extension needs a role allowed to (the database owner on PostgreSQL 13+ for trusted
extensions such as pg_trgm, or a superuser); without it the migration stops with a message
saying what to run.
"""

from django.db import migrations

INDEXES = {
    "tasks_task_title_trgm": "UPPER(title)",
    "tasks_task_description_trgm": "UPPER(description)",
}
EXTENSION_MISSING = (
    "Task search needs the PostgreSQL extension pg_trgm. Run `CREATE EXTENSION pg_trgm;` in "
    "this database as its owner or a superuser, then migrate again."
)


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:
            raise RuntimeError(EXTENSION_MISSING) from exc
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON tasks_task USING gin ({expression} gin_trgm_ops)"
        )


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
