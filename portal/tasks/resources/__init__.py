"""Spreadsheet doors for tasks, tags and comments (django-import-export resources).

A resource is built without arguments and takes the acting person per call:
`TaskResource().export(queryset=task_list(fetched_by=user, filters=...))` and
`TaskResource().import_data(dataset, dry_run=True, user=user)`. Reads come from the selectors
and writes go through the services, so a spreadsheet can never reach outside that person's
teams, and numbering, validation and history are the ones every other door uses.

Cells are human values (`OPS-42`, `OPS`, `marcus, priya`); `rows(queryset)` yields them as
Python values for the streaming writers in `portal.core.spreadsheets`, which neutralise
formulas. `export()` returns a tablib Dataset with the cells already neutralised and dates as
text, for import-export's own commands and formats.

One module per sheet (`task_sheet`, on `task_columns` and `task_import`; `tags`; `comments`);
import them from `portal.tasks.resources`.
"""

from portal.tasks.resources.comments import COMMENT_COLUMNS, CommentResource, comments_for_sheet
from portal.tasks.resources.tags import (
    COLOR_REQUIRED,
    TAG_COLUMNS,
    TAG_NAME_REQUIRED,
    TAG_NAME_TAKEN,
    TagResource,
    tags_for_sheet,
)
from portal.tasks.resources.task_columns import (
    CHOICE_INVALID,
    CHOICE_REQUIRED,
    DATE_INVALID,
    KEY_DUPLICATE,
    KEY_INVALID,
    KEY_OTHER_TEAM,
    KEY_UNKNOWN,
    LOOKALIKE_KEYS_SHOWN,
    LOOKALIKE_MORE,
    LOOKALIKES,
    LOOKALIKES_SKIPPED,
    NUMBER_INVALID,
    PARENT_INVALID,
    PARENT_UNKNOWN,
    PERSON_UNKNOWN,
    PROGRESS_EVERY,
    TASK_COLUMNS,
    TASK_EXPORT_ONLY,
    TASK_IMPORT_COLUMNS,
    TEAM_REQUIRED,
    TEAM_UNKNOWN,
    TITLE_REQUIRED,
)
from portal.tasks.resources.task_export import NO, YES
from portal.tasks.resources.task_sheet import TaskResource, tasks_for_sheet

# The tasks app's sheets, registered by the spreadsheets app when the portal starts.
SHEETS = {
    "tasks": {"resource": TaskResource, "rows_for": tasks_for_sheet, "takes_filters": True},
    "tags": {"resource": TagResource, "rows_for": tags_for_sheet},
    "comments": {"resource": CommentResource, "rows_for": comments_for_sheet},
}

__all__ = [
    "CHOICE_INVALID",
    "CHOICE_REQUIRED",
    "COLOR_REQUIRED",
    "COMMENT_COLUMNS",
    "DATE_INVALID",
    "KEY_DUPLICATE",
    "KEY_INVALID",
    "KEY_OTHER_TEAM",
    "KEY_UNKNOWN",
    "LOOKALIKES",
    "LOOKALIKES_SKIPPED",
    "LOOKALIKE_KEYS_SHOWN",
    "LOOKALIKE_MORE",
    "NO",
    "NUMBER_INVALID",
    "PARENT_INVALID",
    "PARENT_UNKNOWN",
    "PERSON_UNKNOWN",
    "PROGRESS_EVERY",
    "SHEETS",
    "TAG_COLUMNS",
    "TAG_NAME_REQUIRED",
    "TAG_NAME_TAKEN",
    "TASK_COLUMNS",
    "TASK_EXPORT_ONLY",
    "TASK_IMPORT_COLUMNS",
    "TEAM_REQUIRED",
    "TEAM_UNKNOWN",
    "TITLE_REQUIRED",
    "YES",
    "CommentResource",
    "TagResource",
    "TaskResource",
    "comments_for_sheet",
    "tags_for_sheet",
    "tasks_for_sheet",
]
