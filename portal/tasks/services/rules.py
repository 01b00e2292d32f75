"""What every task write checks: the editable fields, assignees, status and archive
bookkeeping, validation, links and task numbers (shared by the services of this package)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.tasks.fields import editable_names, link_names
from portal.tasks.models import Status, Task
from portal.teams.models import Membership, Team
from portal.teams.permissions import WRITE_ROLES

ASSIGNEE_NOT_MEMBER = "{names} is not a member of team {team}."
ASSIGNEE_INACTIVE = "{names} is not an active user."
ASSIGNEE_VIEWER = "{names} can only view team {team}: tasks are assigned to its leads and members."
TASK_MOVE_TEAM = "A task cannot move to another team."
UNKNOWN_FIELDS = "Unknown task fields: {names}."

# Fields a caller may set on create or update (besides team and title on create), and the
# many-to-many ones among them: from the one description of a task's fields.
EDITABLE_FIELDS = editable_names()
M2M_FIELDS = link_names()
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


def _replace_links(task: Task, name: str, values: Sequence) -> tuple[set[int], set[int]]:
    """Make `values` the task's `name` links with one DELETE and one INSERT at most.

    The current links come from the task's prefetched rows when it has them; returns the ids
    added and removed (both empty when nothing changed). (The related manager's set() reads the
    links twice more.)
    """
    wanted = {v.pk for v in values}
    current = _m2m_ids(task, name)
    if wanted == current:
        return set(), set()
    through = getattr(Task, name).through
    column = M2M_COLUMNS[name]
    if current - wanted:
        through.objects.filter(task_id=task.pk, **{f"{column}__in": current - wanted}).delete()
    through.objects.bulk_create(
        [through(task_id=task.pk, **{column: pk}) for pk in wanted - current]
    )
    return wanted - current, current - wanted


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


def _drop_prefetch(task: Task, names: Iterable[str] = M2M_FIELDS) -> None:
    # A prefetched assignees/tags cache of a relation just rewritten would be stale; the
    # others still hold, so a caller showing the task need not read them again.
    cache = getattr(task, "_prefetched_objects_cache", None)
    if cache:
        for name in names:
            cache.pop(name, None)


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


def _apply_repeat(team: Team, task: Task | None, changes: dict[str, Any]) -> None:
    """Turn a given `repeat` (a Repeat, or None / "" to stop repeating) into the stored
    columns, in place; call after `apply_due` (a repeating task needs a due date, and the
    series counts from its due day). Also refuses removing the due date of a repeating task."""
    from portal.tasks.due import due_day_in_zone
    from portal.tasks.repeat import FROM_DUE, RULE_NEEDS_DUE, Repeat, check_feasible

    due_date = changes.get("due_date", task.due_date if task else None)
    due_day = changes.get("due_day") if "due_date" in changes else (task.due_day if task else None)
    if "repeat" not in changes:
        if task is not None and task.repeat_rule and due_date is None and "due_date" in changes:
            raise ValidationError({"due_date": RULE_NEEDS_DUE})
        return
    repeat = changes.pop("repeat")
    if not repeat:
        changes.update(repeat_rule="", repeat_from=FROM_DUE, repeat_start=None)
        return
    if not isinstance(repeat, Repeat):
        raise TypeError("repeat must be a portal.tasks.repeat.Repeat or None.")
    if due_date is None:
        raise ValidationError({"repeat": RULE_NEEDS_DUE})
    start = due_day_in_zone(team, due_date, due_day)
    same = task is not None and (task.repeat_rule, task.repeat_from) == (repeat.rule, repeat.start)
    if same:
        return
    try:
        check_feasible(repeat.rule, start)
    except ValidationError as exc:
        raise ValidationError({"repeat": exc.messages}) from None
    changes.update(repeat_rule=repeat.rule, repeat_from=repeat.start, repeat_start=start)
