"""An index of the open tasks (not done, not archived) by team, for the team pages.

The team list counts each team's open, overdue and due-soon tasks, and numbers the open tasks
assigned to the person per team to show the first five. Both read only the columns below, so
with this index they are index-only scans of the open tasks instead of a scan of the whole
table. It is partial, so it holds only the tasks those pages read (about three in four tasks);
a smaller index is also what makes PostgreSQL choose it over the table when a person sees
most teams. It carries every column those queries name, the id included, so they need no
table rows.

Written as SQL, not in the model's Meta, because the same statement works on PostgreSQL and
SQLite and the model state stays the same for the other migrations.
"""

from django.db import migrations

NAME = "tasks_task_open_by_team"
COLUMNS = "team_id, status, due_date, priority, is_archived, id"
# The meaning of `open_q` (portal/tasks/querysets.py): not archived and not done.
OPEN = "is_archived = false AND status <> 'done'"


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_trigram_search")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON tasks_task ({COLUMNS}) WHERE {OPEN}",
            f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
