"""An index of the tasks that are not archived, by team and status, for the team pages.

The team list counts each team's open, overdue and due-soon tasks, and each board column takes
the first cards of one team and status. Both read only these columns, so with this index they
are index-only scans of the team's unarchived tasks instead of a scan of the whole table. It is
partial (archived tasks never show there) and carries every column those queries name, the id
included, so they need no table rows.

Written as SQL, not in the model's Meta, because the same statement works on PostgreSQL and
SQLite and the model state stays the same for the other migrations.
"""

from django.db import migrations

NAME = "tasks_task_unarchived_board"
COLUMNS = "team_id, status, due_date, priority, completed_at, is_archived, id"


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_trigram_search")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON tasks_task ({COLUMNS}) "
            "WHERE is_archived = false",
            f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
