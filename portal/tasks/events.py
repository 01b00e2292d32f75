"""The events the tasks app records: what each change of a task or a comment tells others.

The services build them here and record them (portal.events) in the change's transaction.
Payloads name people and tags by id and name, fields old -> new, and the @mentions a text
gained (a mention is news once: editing the text again does not repeat it). docs/events.md
lists every kind and payload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from portal.events import kinds
from portal.events.services import NewEvent, mentions_in
from portal.tasks.custom_show import api_value
from portal.tasks.due import due_given
from portal.tasks.models import Comment, Task

# Fields the services derive from others (the change that moved them is the news).
DERIVED = frozenset(
    {"archived_at", "completed_at", "updated_at", "due_day", "repeat_start", "repeat_number"}
)


def _task(task: Task) -> dict[str, Any]:
    return {"key": task.key, "title": task.title}


def _new_mentions(old_text: str | None, new_text: str | None) -> list[str]:
    old = {name.lower() for name in mentions_in(old_text)}
    return [name for name in mentions_in(new_text) if name.lower() not in old]


def task_created(task: Task, links: Mapping[str, Iterable]) -> NewEvent:
    payload = {
        **_task(task),
        "status": task.status,
        "priority": task.priority,
        "due_date": due_given(task.due_date, task.due_day),
        "assignees": sorted(u.pk for u in links.get("assignees", [])),
        "tags": sorted(t.pk for t in links.get("tags", [])),
        "parent": task.parent_id,
        "custom_fields": dict(task.custom_fields or {}),
        "mentions": mentions_in(task.description),
    }
    return NewEvent(kinds.TASK_CREATED, task.team_id, task.pk, payload)


def _custom_labels(
    task: Task, changed: list[str], before: Mapping, after: Mapping, definitions
) -> dict[str, dict[str, Any]]:
    """The changed custom fields as the API reads them: `{key: {"name", "old", "new"}}` with
    choices by label (the `changes` entries keep the stored ids, which renaming keeps)."""
    if definitions is None:
        definitions = getattr(task, "custom_definitions", None)
    if definitions is None:
        from portal.tasks.custom_fields import fields_of

        definitions = fields_of(task.team_id)
    by_key = {f.key: f for f in definitions}
    labels = {}
    for key in changed:
        field = by_key.get(key)
        if field is not None:
            labels[key] = {
                "name": field.name,
                "old": api_value(field, before.get(key)),
                "new": api_value(field, after.get(key)),
            }
    return labels


def task_updated(
    task: Task,
    old: Mapping[str, Any],
    links: Mapping[str, tuple[Iterable, Iterable]] | None = None,
    *,
    definitions: Iterable | None = None,
) -> NewEvent | None:
    """The event of a change: `old` holds the changed fields' values before it, `links` the
    assignee and tag ids added and removed. None when nothing a reader would see changed.
    `definitions`: the team's custom fields (read when custom values changed and the task
    does not carry them)."""
    changes: dict[str, list] = {}
    custom: dict[str, dict[str, Any]] = {}
    for name, before in old.items():
        if name in DERIVED:
            continue
        after = getattr(task, name)
        if name == "due_date":
            before = due_given(before, old.get("due_day", task.due_day))
            after = due_given(task.due_date, task.due_day)
        if name == "custom_fields":
            # One change per custom field, as stored (choices by id, people by user id).
            before, after = before or {}, after or {}
            keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
            for key in keys:
                changes[f"custom_fields.{key}"] = [before.get(key), after.get(key)]
            if keys:
                custom = _custom_labels(task, keys, before, after, definitions)
            continue
        if before != after:
            changes[name] = [before, after]
    payload: dict[str, Any] = {**_task(task), "changes": changes}
    if custom:
        payload["custom_fields"] = custom
    for name, (added, removed) in (links or {}).items():
        added, removed = sorted(added), sorted(removed)
        if added or removed:
            payload[name] = {"added": added, "removed": removed}
    if "description" in changes:
        payload["mentions"] = _new_mentions(*changes["description"])
        # Descriptions can be long: the event says that it changed, the task holds the text.
        changes["description"] = [None, None]
    if not changes and len(payload) == 3:
        return None
    return NewEvent(kinds.TASK_UPDATED, task.team_id, task.pk, payload)


def task_deleted(task: Task, pk: int) -> NewEvent:
    return NewEvent(kinds.TASK_DELETED, task.team_id, pk, _task(task))


def comment_event(kind: str, comment: Comment, *, old_body: str | None = None) -> NewEvent:
    task = comment.task
    payload = {**_task(task), "comment": comment.pk, "author": comment.author_id}
    if kind == kinds.COMMENT_CREATED:
        payload["mentions"] = mentions_in(comment.body)
    elif kind == kinds.COMMENT_UPDATED:
        payload["mentions"] = _new_mentions(old_body, comment.body)
    return NewEvent(kind, task.team_id, task.pk, payload)


def task_due(kind: str, task: Task) -> NewEvent:
    """`task.due_soon` or `task.overdue` (the reminders schedule records them)."""
    payload = {**_task(task), "due_date": due_given(task.due_date, task.due_day)}
    return NewEvent(kind, task.team_id, task.pk, payload)
