"""Create and change many tasks at once, all or nothing: the spreadsheet imports' writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core.concurrency import ROW_GONE
from portal.core.history import record_creations, record_m2m_snapshots
from portal.events.services import record_events
from portal.tasks import events
from portal.tasks import permissions as task_perms
from portal.tasks.custom_fields import clean_custom_values
from portal.tasks.due import apply_due
from portal.tasks.models import TASK_HISTORY, Status, Tag, Task
from portal.tasks.services.bulk_custom import custom_fields_read_once, definitions, members
from portal.tasks.services.rules import (
    M2M_FIELDS,
    TASK_MOVE_TEAM,
    _apply_archive,
    _apply_repeat,
    _apply_status,
    _check_assignees,
    _check_fields,
    _clean_title,
    _drop_prefetch,
    _link,
    _m2m_ids,
    _reserve_numbers,
    _team_roles,
    _validate,
)
from portal.teams.models import Team

ROW_NEW, ROW_UPDATE, ROW_SKIP, ROW_INVALID = "new", "update", "skip", "invalid"
# Fields a spreadsheet row's errors are reported against when the rule is about the whole row.
ROW_RULE = "__all__"
# Set by bulk writes besides the editable fields.
_DERIVED_FIELDS = ("completed_at", "archived_at", "updated_at")


@dataclass
class TaskWrite:
    """One row of a bulk write: a new task in `team` (no `task`) or changes to `task`.

    `fields` hold editable fields; assignees and tags as lists, where a tag may be a name (str)
    that does not exist yet and is created for people who may create tags.
    """

    team: Team
    fields: dict[str, Any]
    task: Task | None = None


@dataclass
class BulkWrite:
    """What a bulk write did (or, as a dry run, would do) to each row, and every error.

    `kinds[i]` is new, update, skip (nothing to change) or invalid; `errors[i]` maps a field
    (or ROW_RULE) to messages. When there is any error, nothing was written.
    """

    kinds: list[str] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return self.kinds.count(kind)


def _collect(errors: dict[str, list[str]], exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        errors.setdefault(ROW_RULE, []).append(str(exc))
        return
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault(ROW_RULE, []).extend(exc.messages)


def _read_due(team: Team, fields: dict, errors: dict[str, list[str]]) -> None:
    """`apply_due` for one row of a bulk write: a bad due date is the row's error."""
    try:
        apply_due(team, fields)
    except ValidationError as exc:
        _collect(errors, exc)
        fields.pop("due_date", None)


def _clean(task: Task, errors: dict[str, list[str]], changed=None) -> None:
    """`_validate` of one row of a bulk write, its errors collected for the row."""
    try:
        _validate(task, changed)
    except ValidationError as exc:
        _collect(errors, exc)


def _read_repeat(team: Team, task: Task | None, values: dict, errors: dict) -> None:
    try:
        _apply_repeat(team, task, values)
    except ValidationError as exc:
        values.pop("repeat", None)
        _collect(errors, exc)


def _check_links(
    actor: User, team: Team, links: dict[str, list], roles: dict[int, str], errors: dict
) -> None:
    if links.get("assignees"):
        try:
            _check_assignees(team, links["assignees"], roles)
        except ValidationError as exc:
            _collect(errors, exc)
    new_tags = [t for t in links.get("tags", []) if isinstance(t, str)]
    if new_tags and not task_perms.can_create_tag(actor):
        errors.setdefault("tags", []).append(task_perms.DENIED_TAG)
    for name in new_tags:
        try:
            Tag(name=name).full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.setdefault("tags", []).extend(exc.message_dict.get("name", exc.messages))


def _prepare_new(actor: User, row: TaskWrite, roles: dict[int, str], errors: dict):
    if not task_perms.can_create_task(actor, row.team):
        raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
    values = dict(row.fields)
    _check_fields(values)
    _clean_title(values)
    _read_due(row.team, values, errors)
    _read_repeat(row.team, None, values, errors)
    links = {name: list(values.pop(name, [])) for name in M2M_FIELDS}
    archived = values.pop("is_archived", False)
    try:
        values["custom_fields"] = clean_custom_values(
            row.team,
            values.pop("custom_fields", None),
            creating=True,
            fields=definitions(row.team),
            members=members(row.team),
        )
    except ValidationError as exc:
        _collect(errors, exc)
        values.pop("custom_fields", None)
    task = Task(team=row.team, created_by=actor, number=1, **values)
    _apply_status(task, None)
    _apply_archive(task, bool(archived))
    _clean(task, errors)
    _check_links(actor, row.team, links, roles, errors)
    return task, ROW_NEW, links, []


def _prepare_update(actor: User, row: TaskWrite, roles: dict[int, str], errors: dict):
    task = row.task
    if not task_perms.can_edit_task(actor, task):
        raise PermissionDenied(task_perms.DENIED_EDIT_TASK)
    if row.team.pk != task.team_id:
        raise ValidationError({"team": TASK_MOVE_TEAM})
    changes = dict(row.fields)
    _check_fields(changes)
    _clean_title(changes)
    _read_due(row.team, changes, errors)
    _read_repeat(row.team, task, changes, errors)
    given = {name: list(changes.pop(name)) for name in M2M_FIELDS if name in changes}
    if "custom_fields" in changes:
        try:
            changes["custom_fields"] = clean_custom_values(
                task.team,
                changes["custom_fields"],
                current=task.custom_fields,
                fields=definitions(task.team),
                members=members(task.team),
            )
        except ValidationError as exc:
            _collect(errors, exc)
            del changes["custom_fields"]
    changed: list[str] = []
    if "is_archived" in changes:
        archived = bool(changes.pop("is_archived"))
        if archived != task.is_archived:
            if task_perms.can_archive_task(actor, task):
                _apply_archive(task, archived)
                changed += ["is_archived", "archived_at"]
            else:
                errors.setdefault("is_archived", []).append(task_perms.DENIED_ARCHIVE_TASK)
    old_status, old_completed = task.status, task.completed_at
    task._event_before = {"is_archived": not task.is_archived} if changed else {}
    for name, value in changes.items():
        if getattr(task, name) != value:
            task._event_before[name] = getattr(task, name)
            setattr(task, name, value)
            changed.append(name)
    _apply_status(task, old_status)
    task._became_done = old_status != Status.DONE and task.status == Status.DONE
    if task.completed_at != old_completed:
        changed.append("completed_at")
    _clean(task, errors, changed)
    links = {
        name: values
        for name, values in given.items()
        if any(isinstance(v, str) for v in values) or {v.pk for v in values} != _m2m_ids(task, name)
    }
    _check_links(actor, task.team, links, roles, errors)
    return task, ROW_UPDATE if changed or links else ROW_SKIP, links, changed


def tasks_write_bulk(
    *,
    actor: User,
    rows: Sequence[TaskWrite],
    dry_run: bool = False,
    then: Callable[[], Any] | None = None,
) -> BulkWrite:
    """Create and change many tasks at once, all or nothing (spreadsheet imports).

    Every row is checked with the rules of `task_create` / `task_update` (roles, validation,
    assignees, archiving, tags); any error means nothing is written, and every error is
    reported with its row. Otherwise, in one transaction: missing tags are created, numbers
    are reserved per team in row order (one lock per team), new tasks are inserted in bulk,
    changed tasks updated in bulk, and each new or changed task gets one history record signed
    by `actor`. Unchanged rows are left alone. The number of queries does not grow with rows.
    `then` runs inside the same transaction after the writes (a background job records there
    that its rows are written, so a repeated run does not write them twice).
    """
    result = BulkWrite()
    # The custom field definitions of the rows' teams, in one query.
    with custom_fields_read_once(row.team.pk for row in rows):
        return _write_bulk(actor, rows, result, dry_run=dry_run, then=then)


def _write_bulk(actor, rows, result, *, dry_run, then) -> BulkWrite:
    # The same look-up as task_create's check, once per team in the file (not per row).
    roles = {team.pk: _team_roles(team) for team in {row.team for row in rows}}
    prepared = []
    for index, row in enumerate(rows):
        errors: dict[str, list[str]] = {}
        prepare = _prepare_update if row.task is not None else _prepare_new
        try:
            task, kind, links, changed = prepare(actor, row, roles[row.team.pk], errors)
        except (PermissionDenied, ValidationError) as exc:
            _collect(errors, exc)
            task, kind, links, changed = row.task, ROW_INVALID, {}, []
        if errors:
            result.errors[index] = errors
            kind = ROW_INVALID
        result.kinds.append(kind)
        result.tasks.append(task)
        prepared.append((task, kind, links, changed))
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            _lock_updated(prepared)
            _write_prepared(actor, rows, prepared)
            if then is not None:
                then()
    except _RowsGone as gone:
        for index in gone.indexes:
            result.kinds[index] = ROW_INVALID
            result.errors[index] = {ROW_RULE: [ROW_GONE.format(thing=Task._meta.verbose_name)]}
    return result


class _RowsGone(Exception):
    def __init__(self, indexes: list[int]) -> None:
        self.indexes = indexes


def _lock_updated(prepared: list) -> None:
    """Lock the rows a bulk write changes; rows deleted since they were read end the write
    (nothing is written) with the rows named, rather than links to tasks that are gone."""
    ids = {task.pk: i for i, (task, kind, _, _) in enumerate(prepared) if kind == ROW_UPDATE}
    if not ids:
        return
    found = set(
        Task.objects.select_for_update().filter(pk__in=list(ids)).values_list("pk", flat=True)
    )
    if len(found) < len(ids):
        raise _RowsGone(sorted(i for pk, i in ids.items() if pk not in found))


def _tags_named(names: Iterable[str]) -> dict[str, Tag]:
    """Existing tags by lower-cased name, creating the missing ones (two or three queries)."""
    from django.db.models.functions import Lower

    wanted = {name.lower(): name for name in names}
    if not wanted:
        return {}
    found = {t.name.lower(): t for t in Tag.objects.filter(name__in=list(wanted.values()))}
    missing = [n for key, n in wanted.items() if key not in found]
    if missing:
        # Another import may create the same name meanwhile: the unique index decides.
        Tag.objects.bulk_create([Tag(name=n) for n in missing], ignore_conflicts=True)
        found.update(
            (t.name.lower(), t)
            for t in Tag.objects.annotate(lower=Lower("name")).filter(lower__in=list(wanted))
        )
    return found


def _write_prepared(actor: User, rows: Sequence[TaskWrite], prepared: list) -> None:
    names = {
        v for _, kind, links, _ in prepared for v in links.get("tags", []) if isinstance(v, str)
    }
    tags = _tags_named(names)
    for _, _, links, _ in prepared:
        if "tags" in links:
            links["tags"] = [tags[v.lower()] if isinstance(v, str) else v for v in links["tags"]]

    new = [(task, links) for task, kind, links, _ in prepared if kind == ROW_NEW]
    by_team: dict[int, list[Task]] = {}
    for task, _ in new:
        by_team.setdefault(task.team_id, []).append(task)
    for team_tasks in by_team.values():
        first = _reserve_numbers(team_tasks[0].team, len(team_tasks))
        for offset, task in enumerate(team_tasks):
            task.number = first + offset
    if new:
        _insert_tasks(actor, [t for t, _ in new], [links for _, links in new])
        record_events([events.task_created(t, links) for t, links in new], actor=actor)

    updates = [
        (task, links, changed) for task, kind, links, changed in prepared if kind == ROW_UPDATE
    ]
    if updates:
        before = {task.pk: _link_ids(task, links) for task, links, _ in updates}
        _update_tasks(actor, updates)
        changed = [
            events.task_updated(
                task,
                task.__dict__.pop("_event_before", {}),
                before[task.pk],
                definitions=definitions(task.team),
            )
            for task, _, _ in updates
        ]
        record_events([e for e in changed if e is not None], actor=actor)
        # Repeating tasks marked done get their next occurrence (a few queries each).
        from portal.tasks.services.tasks import task_repeat_next

        for task, _, _ in updates:
            if task.__dict__.pop("_became_done", False):
                task_repeat_next(actor=actor, task=task)


def _link_ids(task: Task, links: dict[str, list]) -> dict[str, tuple[set[int], set[int]]]:
    """The ids a row's links add and remove (its current links are prefetched: no query)."""
    out = {}
    for name, values in links.items():
        wanted, current = {v.pk for v in values}, _m2m_ids(task, name)
        out[name] = (wanted - current, current - wanted)
    return out


def _insert_tasks(actor: User, tasks: list[Task], links: list[dict[str, list]]) -> list[Task]:
    """Insert new tasks (numbers set) with their links and one history record each."""
    created = Task.objects.bulk_create(tasks, batch_size=500)
    # bulk_create returns pks on PostgreSQL and SQLite; fall back to a lookup elsewhere.
    if any(t.pk is None for t in created):
        keys = {(t.team_id, t.number) for t in created}
        found = Task.objects.filter(
            team_id__in={team for team, _ in keys}, number__in={n for _, n in keys}
        ).values_list("team_id", "number", "pk")
        pks = {(team, number): pk for team, number, pk in found}
        for task in created:
            task.pk = pks[(task.team_id, task.number)]
    _link(created, links, replace=False)
    # One creation record each, written after the links so that it holds their snapshot.
    record_creations(TASK_HISTORY, [t.pk for t in created], user=actor)
    return created


def _update_tasks(actor: User, updates: list[tuple[Task, dict[str, list], list[str]]]) -> None:
    now = timezone.now()
    tasks = [task for task, _, _ in updates]
    for task in tasks:
        task.updated_at = now
    fields = sorted({name for _, _, changed in updates for name in changed} | {"updated_at"})
    # Every row carries the whole task as the sheet shows it, so writing the union of the
    # changed columns for all of them writes nothing the person did not see.
    Task.objects.bulk_update(tasks, fields, batch_size=500)
    _link(tasks, [links for _, links, _ in updates], replace=True)
    for task in tasks:
        _drop_prefetch(task)
    records = Task.history.bulk_history_create(tasks, update=True, default_user=actor)
    record_m2m_snapshots(TASK_HISTORY, records)
