"""The event kinds: one name per kind of change, and what its payload holds.

docs/events.md describes each kind and its payload for people who read them (webhooks).
"""

from __future__ import annotations

TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_DELETED = "task.deleted"
TASK_DUE_SOON = "task.due_soon"
TASK_OVERDUE = "task.overdue"
COMMENT_CREATED = "comment.created"
COMMENT_UPDATED = "comment.updated"
COMMENT_DELETED = "comment.deleted"
ATTACHMENT_ADDED = "attachment.added"
ATTACHMENT_DELETED = "attachment.deleted"
MEMBERSHIP_ADDED = "membership.added"
MEMBERSHIP_CHANGED = "membership.changed"
MEMBERSHIP_REMOVED = "membership.removed"
TEAM_CREATED = "team.created"
TEAM_UPDATED = "team.updated"
TEAM_DELETED = "team.deleted"
WEBHOOK_DISABLED = "webhook.disabled"
# Sent only to a webhook by "send a test event"; never recorded in the outbox.
PING = "ping"

EVENT_KINDS: dict[str, str] = {
    TASK_CREATED: "A task was created",
    TASK_UPDATED: "A task was changed",
    TASK_DELETED: "A task was deleted",
    TASK_DUE_SOON: "A task is due within a day",
    TASK_OVERDUE: "A task became overdue",
    COMMENT_CREATED: "A comment was added",
    COMMENT_UPDATED: "A comment was changed",
    COMMENT_DELETED: "A comment was deleted",
    ATTACHMENT_ADDED: "A file was attached to a task",
    ATTACHMENT_DELETED: "An attached file was deleted",
    MEMBERSHIP_ADDED: "Someone joined a team",
    MEMBERSHIP_CHANGED: "Someone's role changed",
    MEMBERSHIP_REMOVED: "Someone left a team",
    TEAM_CREATED: "A team was created",
    TEAM_UPDATED: "A team was changed",
    TEAM_DELETED: "A team was deleted",
    WEBHOOK_DISABLED: "A webhook was disabled after failing",
}


def kind_choices() -> list[tuple[str, str]]:
    return list(EVENT_KINDS.items())
