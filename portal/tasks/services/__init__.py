"""Every write to tasks, comments and tags.

Doors (admin, API, commands, jobs) call these functions and nothing else to change
data: each one checks the role rules, validates, saves in a transaction and records history with
the acting user. They raise `PermissionDenied` or `ValidationError` with clear messages.
One module per subject: `tasks` (one task), `bulk` (many at once, imports), `actions` (bulk
actions), `comments`, `tags`, `memberships` (what tasks do when a membership changes), `purge`
(the clean-up job), on the shared checks in `rules`.
"""

from portal.tasks.services.actions import BulkResult, error_text, tasks_bulk_apply
from portal.tasks.services.bulk import (
    ROW_INVALID,
    ROW_NEW,
    ROW_RULE,
    ROW_SKIP,
    ROW_UPDATE,
    BulkWrite,
    TaskWrite,
    tasks_write_bulk,
)
from portal.tasks.services.comments import comment_add, comment_delete, comment_update
from portal.tasks.services.custom_fields import (
    DENIED_FIELDS,
    FIELD_HAS_VALUES,
    custom_field_create,
    custom_field_delete,
    custom_field_update,
)
from portal.tasks.services.memberships import unassign_from_team
from portal.tasks.services.purge import tasks_purge_archived
from portal.tasks.services.rules import (
    ASSIGNEE_INACTIVE,
    ASSIGNEE_NOT_MEMBER,
    ASSIGNEE_VIEWER,
    EDITABLE_FIELDS,
    M2M_COLUMNS,
    M2M_FIELDS,
    TASK_MOVE_TEAM,
    UNKNOWN_FIELDS,
    validate_assignees,
)
from portal.tasks.services.tags import tag_create, tag_delete, tag_update, tags_named
from portal.tasks.services.tasks import (
    task_add_assignees,
    task_add_tags,
    task_archive,
    task_assign,
    task_create,
    task_delete,
    task_edit,
    task_unarchive,
    task_update,
    tasks_create_bulk,
)

__all__ = [
    "ASSIGNEE_INACTIVE",
    "ASSIGNEE_NOT_MEMBER",
    "ASSIGNEE_VIEWER",
    "DENIED_FIELDS",
    "EDITABLE_FIELDS",
    "FIELD_HAS_VALUES",
    "M2M_COLUMNS",
    "M2M_FIELDS",
    "ROW_INVALID",
    "ROW_NEW",
    "ROW_RULE",
    "ROW_SKIP",
    "ROW_UPDATE",
    "TASK_MOVE_TEAM",
    "UNKNOWN_FIELDS",
    "BulkResult",
    "BulkWrite",
    "TaskWrite",
    "comment_add",
    "comment_delete",
    "comment_update",
    "custom_field_create",
    "custom_field_delete",
    "custom_field_update",
    "error_text",
    "tag_create",
    "tag_delete",
    "tag_update",
    "tags_named",
    "task_add_assignees",
    "task_add_tags",
    "task_archive",
    "task_assign",
    "task_create",
    "task_delete",
    "task_edit",
    "task_unarchive",
    "task_update",
    "tasks_bulk_apply",
    "tasks_create_bulk",
    "tasks_purge_archived",
    "tasks_write_bulk",
    "unassign_from_team",
    "validate_assignees",
]
