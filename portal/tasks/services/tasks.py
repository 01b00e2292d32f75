"""Create, change, assign, archive and delete one task (and many of one team at once)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core.concurrency import lock_row
from portal.core.history import history_paused, record_change
from portal.core.zones import zone
from portal.events.services import record_events
from portal.tasks import events
from portal.tasks import permissions as task_perms
from portal.tasks.custom_fields import clean_custom_values, fields_of
from portal.tasks.due import apply_due, check_due, due_day_in_zone, due_on_day
from portal.tasks.models import TASK_HISTORY, Status, Tag, Task
from portal.tasks.repeat import FROM_DONE, count_of, next_day
from portal.tasks.services.bulk import ROW_RULE, TaskWrite, tasks_write_bulk
from portal.tasks.services.rules import (
    M2M_FIELDS,
    TASK_MOVE_TEAM,
    UNKNOWN_FIELDS,
    _apply_archive,
    _apply_repeat,
    _apply_status,
    _check_assignees,
    _check_fields,
    _clean_title,
    _drop_prefetch,
    _known_empty,
    _link,
    _replace_links,
    _reserve_numbers,
    _team_roles,
    _unique,
    _validate,
    validate_assignees,
)
from portal.teams.models import Team


@transaction.atomic
def task_create(*, actor: User, team: Team, title: str, **fields: Any) -> Task:
    """Create a task in `team` with the next per-team number; leads and members only."""
    _check_fields(fields)
    return _create_task(actor, team, title, fields)


def _create_task(
    actor: User, team: Team, title: str, fields: dict[str, Any], series: dict | None = None
) -> Task:
    """task_create's body; `series` holds the columns of a repeat's next occurrence."""
    if not task_perms.can_create_task(actor, team):
        raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
    fields["title"] = title
    _clean_title(fields)
    apply_due(team, fields)
    _apply_repeat(team, None, fields)
    fields.update(series or {})
    m2m = {name: _unique(fields.pop(name)) for name in M2M_FIELDS if name in fields}
    archived = fields.pop("is_archived", False)
    definitions = fields_of(team.pk)
    fields["custom_fields"] = clean_custom_values(
        team, fields.pop("custom_fields", None), creating=True, fields=definitions
    )

    task = Task(team=team, created_by=actor, **fields)
    # Doors that show the task just written show these fields without reading them again.
    task.custom_definitions = definitions
    _apply_status(task, None)
    _apply_archive(task, bool(archived))
    # A failed validation below rolls the reservation back with the transaction. The team's
    # row is locked before the assignees' memberships (the order every service keeps).
    task.number = _reserve_numbers(team, 1)
    validate_assignees(team, m2m.get("assignees", []), lock=True)
    _validate(task)
    with history_paused(task):
        task.save()
    # A new task has no links yet: insert them, one statement per field.
    _link([task], [m2m], replace=False)
    empty = [name for name in M2M_FIELDS if not m2m.get(name)]
    record_change(TASK_HISTORY, task, actor=actor, history_type="+", empty=empty)
    record_events([events.task_created(task, m2m)], actor=actor)
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, **changes: Any) -> Task:
    """Change fields, assignees and tags of a task; one history record for the whole change."""
    return _change_task(actor, task, changes)


def _lock_task(task: Task) -> None:
    """Lock the task's row and load it as stored (RowGone when it was deleted meanwhile).

    Concurrent changes of one task take turns, so each is judged and recorded against what the
    previous one stored. Every change of a task's links also moves its `updated_at`: when that
    is unchanged since the door read the task, its prefetched assignees and tags still hold.
    """
    read_at = task.updated_at
    lock_row(task)
    if task.updated_at != read_at:
        _drop_prefetch(task)


def _change_task(
    actor: User,
    task: Task,
    changes: dict[str, Any],
    *,
    add: Collection[str] = (),
    remove: Mapping[str, Sequence] | None = None,
) -> Task:
    """task_update's body; see `_merge_links` for `add` and `remove`; the other links given
    are replaced."""
    if "team" in changes and changes.pop("team") != task.team:
        raise ValidationError({"team": TASK_MOVE_TEAM})
    _check_fields(changes)
    if not task_perms.can_edit_task(actor, task):
        raise PermissionDenied(task_perms.DENIED_EDIT_TASK)
    _clean_title(changes)
    apply_due(task.team, changes)
    m2m = {name: _unique(changes.pop(name)) for name in M2M_FIELDS if name in changes}
    # Locks are taken in one order everywhere (team, memberships, task), so that a change of
    # a task and a change of its team's memberships never wait for each other in a circle.
    roles = _team_roles(task.team, m2m["assignees"], lock=True) if "assignees" in m2m else {}
    _lock_task(task)
    _merge_links(task, m2m, add, remove or {})
    if "custom_fields" in changes:
        # Merged into the values as stored under the lock: keys given are set, None clears.
        task.custom_definitions = fields_of(task.team_id)
        changes["custom_fields"] = clean_custom_values(
            task.team,
            changes["custom_fields"],
            current=task.custom_fields,
            fields=task.custom_definitions,
        )
    _apply_repeat(task.team, task, changes)

    fields: set[str] = set()
    if "is_archived" in changes:
        archived = bool(changes.pop("is_archived"))
        if archived != task.is_archived:
            if not task_perms.can_archive_task(actor, task):
                raise PermissionDenied(task_perms.DENIED_ARCHIVE_TASK)
            _apply_archive(task, archived)
            fields |= {"is_archived", "archived_at"}

    old_status = task.status
    before = {"is_archived": not task.is_archived} if "is_archived" in fields else {}
    for name, value in changes.items():
        if getattr(task, name) != value:
            before[name] = getattr(task, name)
            setattr(task, name, value)
            fields.add(name)
    _apply_status(task, old_status)
    _validate(task, fields | {"completed_at"})
    changed = bool(fields)
    if m2m.get("assignees"):
        # Assignees kept from before (when adding) were not locked: their removal from the
        # team waits for this task's lock and then takes them off it.
        missing = [u for u in m2m["assignees"] if u.pk not in roles]
        _check_assignees(task.team, m2m["assignees"], roles | _team_roles(task.team, missing))

    empty = _known_empty(task, m2m)
    with history_paused(task):
        if changed:
            task.save(force_update=True)
    links = {name: _replace_links(task, name, values) for name, values in m2m.items()}
    relinked = [name for name, (added, removed) in links.items() if added or removed]
    if relinked and not changed:
        task.updated_at = timezone.now()
        Task.objects.filter(pk=task.pk).update(updated_at=task.updated_at)
    if changed or relinked:
        record_change(TASK_HISTORY, task, actor=actor, history_type="~", empty=empty)
        event = events.task_updated(task, before, links)
        if event is not None:
            record_events([event], actor=actor)
    _drop_prefetch(task, relinked)
    if old_status != Status.DONE and task.status == Status.DONE:
        task_repeat_next(actor=actor, task=task)
    return task


def task_repeat_next(*, actor: User, task: Task) -> Task | None:
    """The next occurrence of a repeating task that is done, created once: same title,
    description, priority, hours estimate, parent, assignees and tags, due on the rule's next
    day (at the same time of day for a due time). None when the task does not repeat, its
    series has ended, or its next occurrence exists already.

    Called by the services that mark a task done, in their transaction and under the task's
    row lock (so a second "done" sees the first); the unique link to the previous occurrence
    is the last guard.
    """
    if not task.repeat_rule or Task.objects.filter(repeat_previous=task).exists():
        return None
    team = task.team
    due_day = due_day_in_zone(team, task.due_date, task.due_day)
    if task.repeat_from == FROM_DONE or due_day is None:
        done_on = (task.completed_at or timezone.now()).astimezone(zone(team.time_zone)).date()
        count = count_of(task.repeat_rule)
        if count is not None and task.repeat_number >= count:
            return None
        day = next_day(task.repeat_rule, start=done_on, after=done_on)
        start = task.repeat_start
    else:
        start = task.repeat_start or due_day
        day = next_day(task.repeat_rule, start=start, after=due_day)
    if day is None:
        return None
    due = due_on_day(team, task.due_date, task.due_day, day)
    try:
        check_due(due)
    except ValidationError:
        return None  # beyond the due dates the portal takes: the series ends
    fields = {
        "description": task.description,
        "priority": task.priority,
        "estimated_hours": task.estimated_hours,
        "parent": task.parent,
        "due_date": due,
        "assignees": [u for u in task.assignees.all() if u.is_active],
        "tags": list(task.tags.all()),
    }
    series = {
        "repeat_rule": task.repeat_rule,
        "repeat_from": task.repeat_from,
        "repeat_start": start,
        "repeat_number": task.repeat_number + 1,
        "repeat_previous": task,
    }
    return _create_task(actor, team, task.title, fields, series)


def _merge_links(
    task: Task, m2m: dict[str, list], add: Collection[str], remove: Mapping[str, Sequence]
) -> None:
    """The links named in `add` join the current ones and those in `remove` leave them, both
    read under the task's lock (so concurrent additions and removals are all kept)."""
    for name in add:
        m2m[name] = _unique([*getattr(task, name).all(), *m2m[name]])
    for name, gone in remove.items():
        gone_ids = {value.pk for value in gone}
        kept = m2m[name] if name in m2m else getattr(task, name).all()
        m2m[name] = [value for value in kept if value.pk not in gone_ids]


@transaction.atomic
def task_edit(
    *,
    actor: User,
    task: Task,
    add: Mapping[str, Sequence] | None = None,
    remove: Mapping[str, Sequence] | None = None,
    **changes: Any,
) -> Task:
    """Change fields and add (`add={"tags": [...]}`) or remove (`remove={"assignees": [...]}`)
    assignees and tags, keeping the others: one change, one history record (the list's bulk
    edit). Fields as for `task_update`."""
    add = {name: list(values) for name, values in (add or {}).items() if values}
    remove = {name: list(values) for name, values in (remove or {}).items() if values}
    not_links = sorted((set(add) | set(remove)) - set(M2M_FIELDS))
    if not_links:
        raise TypeError(UNKNOWN_FIELDS.format(names=", ".join(not_links)))
    return _change_task(actor, task, {**changes, **add}, add=list(add), remove=remove)


def task_assign(*, actor: User, task: Task, assignees: Sequence[User]) -> Task:
    """Replace the task's assignees (each must be a member of the task's team)."""
    return task_update(actor=actor, task=task, assignees=assignees)


@transaction.atomic
def task_add_tags(*, actor: User, task: Task, tags: Sequence[Tag]) -> Task:
    """Add tags, keeping the ones the task has (also those added at the same moment)."""
    return _change_task(actor, task, {"tags": list(tags)}, add=["tags"])


@transaction.atomic
def task_add_assignees(*, actor: User, task: Task, assignees: Sequence[User]) -> Task:
    """Add people to the assignees, keeping the current ones (each must be a team member)."""
    return _change_task(actor, task, {"assignees": list(assignees)}, add=["assignees"])


def task_archive(*, actor: User, task: Task) -> Task:
    if not task_perms.can_view_task(actor, task) or not task_perms.can_archive_task(actor, task):
        raise PermissionDenied(task_perms.DENIED_ARCHIVE_TASK)
    return task_update(actor=actor, task=task, is_archived=True)


def task_unarchive(*, actor: User, task: Task) -> Task:
    if not task_perms.can_view_task(actor, task) or not task_perms.can_archive_task(actor, task):
        raise PermissionDenied(task_perms.DENIED_ARCHIVE_TASK)
    return task_update(actor=actor, task=task, is_archived=False)


@transaction.atomic
def task_delete(*, actor: User, task: Task) -> None:
    """Delete a task (leads and superusers); the history keeps a deletion record."""
    if not task_perms.can_delete_task(actor, task):
        raise PermissionDenied(task_perms.DENIED_DELETE_TASK)
    lock_row(task, refresh=False)
    task._history_user = actor
    pk = task.pk
    task.delete()
    record_events([events.task_deleted(task, pk)], actor=actor)


def tasks_create_bulk(*, actor: User, team: Team, rows: Sequence[dict[str, Any]]) -> list[Task]:
    """Create many tasks in one team with a constant number of queries (imports, jobs).

    Each row holds task fields (title required; assignees and tags as lists). The rows go
    through `tasks_write_bulk`, so they meet every rule of `task_create`; any error raises
    ValidationError naming the row (1-based) and nothing is written.
    """
    if not task_perms.can_create_task(actor, team):
        raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
    outcome = tasks_write_bulk(
        actor=actor, rows=[TaskWrite(team=team, fields=dict(row)) for row in rows]
    )
    if outcome.errors:
        raise ValidationError(
            {
                f"row {index + 1}": [
                    m if name == ROW_RULE else f"{name}: {m}"
                    for name, messages in problems.items()
                    for m in messages
                ]
                for index, problems in outcome.errors.items()
            }
        )
    return outcome.tasks
