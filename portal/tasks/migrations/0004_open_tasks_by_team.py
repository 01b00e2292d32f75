"""An index of the open tasks (not done, not archived) by team, for the team pages.

The team list counts each team's open, overdue and due-soon tasks and numbers the open tasks
assigned to the person per team to show the first five; the board reads each column's cards.
They name only these columns, so they are index-only scans of the open tasks instead of a
scan of the whole table. Partial, so it holds only the tasks those pages read; a smaller index
is also what makes PostgreSQL prefer it to the table when a person sees most teams.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0003_active_tasks_by_team"),
        ("teams", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(
                    ("is_archived", False), models.Q(("status", "done"), _negated=True)
                ),
                fields=["team", "status", "due_date", "priority", "is_archived", "id"],
                name="tasks_task_open_by_team",
            ),
        ),
    ]
