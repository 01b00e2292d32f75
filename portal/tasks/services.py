"""Every write to tasks, comments and tags.

Doors (admin, API, commands, jobs) call these functions and nothing else to change
data: each one checks the role rules, validates, saves in a transaction and records history with
the acting user. They raise `PermissionDenied` or `ValidationError` with clear messages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, router, transaction
from django.db.models import F
from django.db.models.deletion import Collector
from django.utils import timezone

from portal.accounts.models import User
from portal.core.concurrency import ROW_GONE, RowGone, lock_row
from portal.core.history import (
    history_paused,
    record_change,
    record_deletions,
    record_m2m_snapshots,
)
from portal.core.models import save_checked
from portal.tasks import permissions as task_perms
from portal.tasks.models import COMMENT_HISTORY, TASK_HISTORY, Comment, Status, Tag, Task
from portal.teams import permissions as perms
from portal.teams import services as team_services
from portal.teams.models import Membership, Team
from portal.teams.permissions import WRITE_ROLES

ASSIGNEE_NOT_MEMBER = "{names} is not a member of team {team}."
ASSIGNEE_INACTIVE = "{names} is not an active user."
ASSIGNEE_VIEWER = "{names} can only view team {team}: tasks are assigned to its leads and members."
TASK_MOVE_TEAM = "A task cannot move to another team."
UNKNOWN_FIELDS = "Unknown task fields: {names}."

# Fields a caller may set on create or update (besides team and title on create).
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "estimated_hours",
        "actual_hours",
        "parent",
        "metadata",
        "assignees",
        "tags",
        "is_archived",
    }
)
M2M_FIELDS = ("assignees", "tags")
# The column of each many-to-many field's link table that names the other side.
M2M_COLUMNS = {"assignees": "user_id", "tags": "tag_id"}


# --- helpers ---------------------------------------------------------------------------------
def _check_fields(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - EDITABLE_FIELDS)
    if unknown:
        raise TypeError(UNKNOWN_FIELDS.format(names=", ".join(unknown)))


def _team_roles(
    team: Team, users: Sequence[User] | None = None, *, lock: bool = False
) -> dict[int, str]:
    """Role in `team` of each member (among `users`, when given): one query.

    With `lock`, the memberships read stay locked until the transaction ends, so a person
    removed from the team (or made a viewer) at the same moment is either refused here or
    taken off the task by the removal afterwards, never left assigned.
    """
    members = Membership.objects.filter(team=team)
    if users is not None:
        members = members.filter(user_id__in=[u.pk for u in users])
    if lock:
        members = members.select_for_update().order_by("pk")
    return dict(members.values_list("user_id", "role"))


def _check_assignees(team: Team, users: Sequence[User], roles: dict[int, str]) -> None:
    """Assignees are active leads and members of the team: viewers could not work on the task."""
    inactive = [u.username for u in users if not u.is_active]
    if inactive:
        raise ValidationError({"assignees": ASSIGNEE_INACTIVE.format(names=", ".join(inactive))})
    outside = [u.username for u in users if u.pk not in roles]
    if outside:
        raise ValidationError(
            {"assignees": ASSIGNEE_NOT_MEMBER.format(names=", ".join(outside), team=team.key)}
        )
    viewers = [u.username for u in users if roles[u.pk] not in WRITE_ROLES]
    if viewers:
        raise ValidationError(
            {"assignees": ASSIGNEE_VIEWER.format(names=", ".join(viewers), team=team.key)}
        )


def validate_assignees(team: Team, users: Sequence[User], *, lock: bool = False) -> None:
    """Assignees must be active members of the task's team (one query).

    Services pass `lock=True` (inside their transaction): see `_team_roles`.
    """
    if users:
        _check_assignees(team, users, _team_roles(team, users, lock=lock))


def _apply_status(task: Task, old_status: str | None) -> None:
    """completed_at is set when a task becomes done and cleared when it leaves done."""
    if task.status == Status.DONE and (old_status != Status.DONE or task.completed_at is None):
        task.completed_at = timezone.now()
    elif task.status != Status.DONE:
        task.completed_at = None


def _apply_archive(task: Task, archived: bool) -> None:
    task.is_archived = archived
    task.archived_at = timezone.now() if archived else None


def _m2m_ids(task: Task, name: str) -> set[int]:
    return {obj.pk for obj in getattr(task, name).all()}


def _unique(values: Iterable) -> list:
    """Each object once, first occurrence first (the link tables hold a pair once)."""
    return list({v.pk: v for v in values}.values())


def _validate(task: Task, changed: Iterable[str] | None = None) -> None:
    """full_clean() without the look-ups that only repeat what the caller already did.

    Team, creator and parent are objects the caller loaded (Task.clean() still checks the
    parent's team and cycles), the number is reserved under the team's lock and guarded by
    the unique constraint, and the check constraints on hours repeat the fields' validators.
    Checking them again cost seven queries per write.

    With `changed` (an update), only those fields are checked: a value stored before a rule
    existed (a title with a line break) does not block changing another field of the task.
    """
    exclude = {"team", "parent", "created_by", "number"}
    if changed is not None:
        exclude |= {f.name for f in Task._meta.concrete_fields} - set(changed)
    task.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _replace_links(task: Task, name: str, values: Sequence) -> bool:
    """Make `values` the task's `name` links with one DELETE and one INSERT at most.

    The current links come from the task's prefetched rows when it has them; returns whether
    anything changed. (The related manager's set() reads the links twice more.)
    """
    wanted = {v.pk for v in values}
    current = _m2m_ids(task, name)
    if wanted == current:
        return False
    through = getattr(Task, name).through
    column = M2M_COLUMNS[name]
    if current - wanted:
        through.objects.filter(task_id=task.pk, **{f"{column}__in": current - wanted}).delete()
    through.objects.bulk_create(
        [through(task_id=task.pk, **{column: pk}) for pk in wanted - current]
    )
    return True


def _known_empty(task: Task, m2m: dict[str, list]) -> list[str]:
    """Many-to-many fields known to have no links (given empty, or prefetched empty)."""
    cache = getattr(task, "_prefetched_objects_cache", {})
    empty = []
    for name in M2M_FIELDS:
        values = m2m[name] if name in m2m else cache.get(name)
        if values is not None and not list(values):
            empty.append(name)
    return empty


def _clean_title(fields: dict[str, Any]) -> None:
    if "title" in fields and isinstance(fields["title"], str):
        fields["title"] = fields["title"].strip()


def _reserve_numbers(team: Team, count: int) -> int:
    """Reserve `count` task numbers for `team`; returns the first.

    The UPDATE's row lock serialises concurrent creators on PostgreSQL (SQLite serialises all
    writes); the unique (team, number) constraint is the last line of defence. Where the
    database can return the updated row (PostgreSQL, SQLite >= 3.35) that is one statement;
    the ORM has no UPDATE ... RETURNING, hence the SQL.
    """
    if connection.features.can_return_rows_from_bulk_insert:
        quote = connection.ops.quote_name
        column = quote(Team._meta.get_field("last_task_number").column)
        sql = (
            f"UPDATE {quote(Team._meta.db_table)} SET {column} = {column} + %s "
            f"WHERE {quote(Team._meta.pk.column)} = %s RETURNING {column}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, team.pk])
            row = cursor.fetchone()
        if row is None:
            raise Team.DoesNotExist("The team no longer exists.")
        last = row[0]
    else:
        locked = Team.objects.select_for_update().only("id", "last_task_number").get(pk=team.pk)
        Team.objects.filter(pk=team.pk).update(last_task_number=F("last_task_number") + count)
        last = locked.last_task_number + count
    team.last_task_number = last
    return last - count + 1


# --- tasks -----------------------------------------------------------------------------------
@transaction.atomic
def task_create(*, actor: User, team: Team, title: str, **fields: Any) -> Task:
    """Create a task in `team` with the next per-team number; leads and members only."""
    _check_fields(fields)
    if not task_perms.can_create_task(actor, team):
        raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
    fields["title"] = title
    _clean_title(fields)
    m2m = {name: _unique(fields.pop(name)) for name in M2M_FIELDS if name in fields}
    archived = fields.pop("is_archived", False)

    task = Task(team=team, created_by=actor, **fields)
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
    actor: User, task: Task, changes: dict[str, Any], *, add: Collection[str] = ()
) -> Task:
    """task_update's body; the links named in `add` are added to the current ones (read under
    the task's lock), the others given are replaced."""
    if "team" in changes and changes.pop("team") != task.team:
        raise ValidationError({"team": TASK_MOVE_TEAM})
    _check_fields(changes)
    if not task_perms.can_edit_task(actor, task):
        raise PermissionDenied(task_perms.DENIED_EDIT_TASK)
    _clean_title(changes)
    m2m = {name: _unique(changes.pop(name)) for name in M2M_FIELDS if name in changes}
    # Locks are taken in one order everywhere (team, memberships, task), so that a change of
    # a task and a change of its team's memberships never wait for each other in a circle.
    roles = _team_roles(task.team, m2m["assignees"], lock=True) if "assignees" in m2m else {}
    _lock_task(task)
    for name in add:
        m2m[name] = _unique([*getattr(task, name).all(), *m2m[name]])

    fields: set[str] = set()
    if "is_archived" in changes:
        archived = bool(changes.pop("is_archived"))
        if archived != task.is_archived:
            if not task_perms.can_archive_task(actor, task):
                raise PermissionDenied(task_perms.DENIED_ARCHIVE_TASK)
            _apply_archive(task, archived)
            fields |= {"is_archived", "archived_at"}

    old_status = task.status
    for name, value in changes.items():
        if getattr(task, name) != value:
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
    relinked = [name for name, values in m2m.items() if _replace_links(task, name, values)]
    if relinked and not changed:
        task.updated_at = timezone.now()
        Task.objects.filter(pk=task.pk).update(updated_at=task.updated_at)
    if changed or relinked:
        record_change(TASK_HISTORY, task, actor=actor, history_type="~", empty=empty)
    _drop_prefetch(task, relinked)
    return task


def _drop_prefetch(task: Task, names: Iterable[str] = M2M_FIELDS) -> None:
    # A prefetched assignees/tags cache of a relation just rewritten would be stale; the
    # others still hold, so a caller showing the task need not read them again.
    cache = getattr(task, "_prefetched_objects_cache", None)
    if cache:
        for name in names:
            cache.pop(name, None)


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
    task.delete()


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


# --- bulk writes (spreadsheet imports) -------------------------------------------------------
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


def _clean(task: Task, errors: dict[str, list[str]], changed=None) -> None:
    """`_validate` of one row of a bulk write, its errors collected for the row."""
    try:
        _validate(task, changed)
    except ValidationError as exc:
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
    links = {name: list(values.pop(name, [])) for name in M2M_FIELDS}
    archived = values.pop("is_archived", False)
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
    given = {name: list(changes.pop(name)) for name in M2M_FIELDS if name in changes}
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
    for name, value in changes.items():
        if getattr(task, name) != value:
            setattr(task, name, value)
            changed.append(name)
    _apply_status(task, old_status)
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

    updates = [
        (task, links, changed) for task, kind, links, changed in prepared if kind == ROW_UPDATE
    ]
    if updates:
        _update_tasks(actor, updates)


def _insert_tasks(actor: User, tasks: list[Task], links: list[dict[str, list]]) -> list[Task]:
    """Insert new tasks (numbers set) with their links and one history record each."""
    from simple_history.utils import bulk_create_with_history

    created = bulk_create_with_history(tasks, Task, batch_size=500, default_user=actor)
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
    # The creation records were written before the links: give them their snapshot.
    records = Task.history.filter(id__in=[t.pk for t in created]).only("history_id", "id")
    record_m2m_snapshots(TASK_HISTORY, list(records))
    return created


def _link(tasks: list[Task], links: list[dict[str, list]], *, replace: bool) -> None:
    """Write the assignee and tag rows of `tasks` (replacing theirs when `replace`)."""
    for name in M2M_FIELDS:
        through = getattr(Task, name).through
        column = M2M_COLUMNS[name]
        touched = [(t, lk[name]) for t, lk in zip(tasks, links, strict=True) if name in lk]
        if replace and touched:
            through.objects.filter(task_id__in=[t.pk for t, _ in touched]).delete()
        through.objects.bulk_create(
            [through(task_id=t.pk, **{column: v.pk}) for t, values in touched for v in values],
            batch_size=1000,
        )


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


# --- bulk actions ----------------------------------------------------------------------------
@dataclass
class BulkResult:
    """What a bulk action did: tasks changed and tasks refused with the reason."""

    changed: list[Task] = field(default_factory=list)
    refused: list[tuple[Task, str]] = field(default_factory=list)


def error_text(exc: Exception) -> str:
    """A one-line reason from a PermissionDenied or ValidationError."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(
                f"{name}: {m}" if name != "__all__" else m
                for name, messages in exc.message_dict.items()
                for m in messages
            )
        return "; ".join(exc.messages)
    return str(exc) or "Not allowed."


def tasks_bulk_apply(
    *, actor: User, tasks: Iterable[Task], operation: Callable[..., Any], **kwargs: Any
) -> BulkResult:
    """Run a task service on each task separately, so rules and history apply per task.

    One refused task does not stop the others; each is its own transaction.
    """
    result = BulkResult()
    for task in tasks:
        try:
            with transaction.atomic():
                operation(actor=actor, task=task, **kwargs)
        except (PermissionDenied, ValidationError, RowGone) as exc:
            result.refused.append((task, error_text(exc)))
        else:
            result.changed.append(task)
    return result


# --- comments --------------------------------------------------------------------------------
@transaction.atomic
def comment_add(*, actor: User, task: Task, body: str) -> Comment:
    if not task_perms.can_comment(actor, task):
        raise PermissionDenied(task_perms.DENIED_COMMENT)
    comment = Comment(task=task, author=actor, body=(body or "").strip())
    # Task and author are loaded objects: checking that they exist would cost two queries.
    comment.full_clean(exclude=["task", "author"])
    # Moving the task's `updated_at` first also locks its row: a task deleted meanwhile is
    # RowGone here, not a broken reference when the transaction commits.
    if not Task.objects.filter(pk=task.pk).update(updated_at=timezone.now()):
        raise RowGone(task)
    comment._history_user = actor
    comment.save()
    return comment


@transaction.atomic
def comment_update(*, actor: User, comment: Comment, body: str) -> Comment:
    if not task_perms.can_edit_comment(actor, comment, comment.task.team_id):
        raise PermissionDenied(task_perms.DENIED_EDIT_COMMENT)
    lock_row(comment)
    comment.body = (body or "").strip()
    comment.full_clean()
    comment._history_user = actor
    comment.save(force_update=True)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    if not task_perms.can_edit_comment(actor, comment, comment.task.team_id):
        raise PermissionDenied(task_perms.DENIED_EDIT_COMMENT)
    lock_row(comment, refresh=False)
    comment._history_user = actor
    comment.delete()


# --- tags ------------------------------------------------------------------------------------
@transaction.atomic
def tag_create(*, actor: User, name: str, color: str | None = None) -> Tag:
    if not task_perms.can_create_tag(actor):
        raise PermissionDenied(task_perms.DENIED_TAG)
    tag = Tag(name=(name or "").strip())
    if color:
        tag.color = color
    tag.full_clean()
    save_checked(tag)  # a concurrent tag of the same name is a ValidationError too
    return tag


@transaction.atomic
def tag_update(*, actor: User, tag: Tag, **changes: Any) -> Tag:
    if not task_perms.can_change_tag(actor):
        raise PermissionDenied(perms.DENIED_SUPERUSER)
    lock_row(tag)
    for name in ("name", "color"):
        if name in changes:
            setattr(tag, name, changes[name])
    tag.full_clean()
    save_checked(tag)
    return tag


@transaction.atomic
def tag_delete(*, actor: User, tag: Tag) -> None:
    if not task_perms.can_change_tag(actor):
        raise PermissionDenied(perms.DENIED_SUPERUSER)
    tag.delete()


# --- people leaving a team or becoming viewers -----------------------------------------------
@team_services.on_membership_change
def _take_off_tasks(*, actor: User, membership: Membership, removed: bool) -> None:
    """A person removed from a team, or made a viewer, is taken off the team's tasks.

    Viewers cannot change or comment on tasks, so they are not left as assignees of any.
    Registered with the teams' services: every door that changes a membership gets this.
    """
    if removed or membership.role not in WRITE_ROLES:
        unassign_from_team(actor=actor, team=membership.team, user=membership.user)


def unassign_from_team(*, actor: User, team: Team, user: User) -> int:
    """Remove `user` from the assignees of every task of `team`; returns how many changed.

    The tasks' rows are locked first (as every change of a task's links does), and their
    `updated_at` moves, so a change of the same task at the same moment waits and then sees
    the assignees as they are after this one.
    """
    tasks = list(
        Task.objects.filter(team=team, assignees=user)
        .select_for_update(of=("self",))
        .select_related("team")
        .order_by("pk")
    )
    if not tasks:
        return 0
    now = timezone.now()
    Task.assignees.through.objects.filter(task__in=tasks, user=user).delete()
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(updated_at=now)
    for task in tasks:
        task.updated_at = now
        record_change(TASK_HISTORY, task, actor=actor, history_type="~")
    return len(tasks)


# --- system clean-up (background jobs) -------------------------------------------------------
def tasks_purge_archived(*, before, batch_size: int = 500) -> dict[str, int]:
    """Delete tasks archived before `before`; returns how many per team key.

    A system action (the weekly clean-up job), so no actor and no role check. Each batch is its
    own transaction: a large clean-up never holds long locks, and if it stops half-way the next
    run simply continues. History keeps a deletion record for every task (no user).
    """
    counts: dict[str, int] = {}
    while True:
        with transaction.atomic():
            batch = list(
                Task.objects.filter(is_archived=True, archived_at__lt=before)
                .select_related("team")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return counts
            # The deletion records of the batch and of its comments in a few inserts, then the
            # rows; a constant number of queries per batch, not five per task.
            comments = list(Comment.objects.filter(task__in=batch))
            record_deletions(COMMENT_HISTORY, comments)
            record_deletions(TASK_HISTORY, batch)
            for doomed in (comments, batch):
                collector = Collector(using=router.db_for_write(Task))
                collector.collect(doomed)
                collector.delete()
        for key in (task.team.key for task in batch):
            counts[key] = counts.get(key, 0) + 1
