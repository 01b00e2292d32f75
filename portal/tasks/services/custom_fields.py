"""Define, change and delete a team's custom fields (its leads and administrators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core.concurrency import lock_row
from portal.core.history import record_m2m_snapshots
from portal.events.services import record_events
from portal.tasks import events
from portal.tasks.custom_fields import KEY_FIXED
from portal.tasks.custom_filters import _has
from portal.tasks.custom_indexes import sync_after_commit
from portal.tasks.models import TASK_HISTORY, CustomField, FieldType, Task
from portal.teams import permissions as team_perms
from portal.teams.models import Team

DENIED_FIELDS = "Only the team's lead can define its custom fields."
FIELD_HAS_VALUES = (
    "{count} {tasks} of team {team} {have} a value for “{name}”: deleting the field removes "
    "them. Confirm to delete it anyway (or archive the field to hide it and keep the values)."
)
# What a definition's writers may set (besides the team, fixed at creation), in the order the
# API and the admin show them.
DEFINITION_FIELDS = (
    "name",
    "key",
    "type",
    "required",
    "default",
    "help_text",
    "order",
    "on_card",
    "is_archived",
    "decimals",
    "unit",
    "choices",
)


def _check(actor: User, team: Team) -> None:
    if not team_perms.can_manage_team(actor, team):
        raise PermissionDenied(DENIED_FIELDS)


def _unknown(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(DEFINITION_FIELDS))
    if unknown:
        raise TypeError(f"Unknown custom field attributes: {', '.join(unknown)}.")


@transaction.atomic
def custom_field_create(*, actor: User, team: Team, name: str, key: str, **values: Any):
    """Define a field for `team`'s tasks (its values start empty, or the default on new
    tasks)."""
    _check(actor, team)
    _unknown(values)
    field = CustomField(team=team, name=name.strip(), key=key.strip(), **values)
    field.full_clean()
    field.save()
    sync_after_commit(field.key)
    return field


@transaction.atomic
def custom_field_update(*, actor: User, field: CustomField, **changes: Any) -> CustomField:
    """Change a definition; the key stays. Choices given with their ids keep the tasks'
    values (a renamed or moved choice is the same choice)."""
    _check(actor, field.team)
    _unknown(changes)
    if "key" in changes and changes.pop("key") != field.key:
        raise ValidationError({"key": KEY_FIXED})
    retyped = "type" in changes and changes["type"] != field.type
    if retyped and tasks_with_values(field).exists():
        raise ValidationError({"type": FIELD_TYPE_FIXED})
    before = {c["id"]: c["label"] for c in field.choices or []}
    for name, value in changes.items():
        setattr(field, name, value)
    field.full_clean()
    _check_removed_choices(field, before)
    field.save()
    sync_after_commit(field.key)
    return field


def _check_removed_choices(field: CustomField, before: dict[str, str]) -> None:
    """A choice that tasks hold cannot go (their values would name nothing): one query per
    choice removed."""
    kept = {c["id"] for c in field.choices or []}
    problems = []
    for choice_id, label in before.items():
        if choice_id in kept:
            continue
        value = [choice_id] if field.type == FieldType.MULTI_CHOICE else choice_id
        held = Task.objects.filter(_has(field.key, value), team_id=field.team_id).count()
        if held:
            problems.append(
                CHOICE_IN_USE.format(
                    label=label, count=held, tasks="task" if held == 1 else "tasks"
                )
            )
    if problems:
        raise ValidationError({"choices": problems})


FIELD_TYPE_FIXED = "Tasks hold values of this field: its type cannot change."
CHOICE_IN_USE = (
    "“{label}” is the value of {count} {tasks}: give them another choice first, or keep it "
    "(rename it if its label is wrong)."
)


def tasks_with_values(field: CustomField):
    return Task.objects.filter(team_id=field.team_id, custom_fields__has_key=field.key)


@transaction.atomic
def custom_field_delete(*, actor: User, field: CustomField, confirm: bool = False) -> int:
    """Delete a definition. When tasks hold values for it, only with `confirm`: the values
    are removed, and each such task gets a history record and a task.updated event saying
    so. Returns the number of tasks that lost a value."""
    _check(actor, field.team)
    lock_row(field, refresh=False)
    tasks = list(tasks_with_values(field).select_for_update().select_related("team"))
    if tasks and not confirm:
        raise ValidationError(
            FIELD_HAS_VALUES.format(
                count=len(tasks),
                tasks="task" if len(tasks) == 1 else "tasks",
                have="has" if len(tasks) == 1 else "have",
                team=field.team.key,
                name=field.name,
            ),
            code="confirm",
        )
    news, now = [], timezone.now()
    for task in tasks:
        task.updated_at = now
        before = dict(task.custom_fields)
        task.custom_fields = {k: v for k, v in before.items() if k != field.key}
        news.append(events.task_updated(task, {"custom_fields": before}, definitions=[field]))
    if tasks:
        Task.objects.bulk_update(tasks, ["custom_fields", "updated_at"], batch_size=500)
        for task in tasks:
            task._history_user = actor
        records = Task.history.bulk_history_create(tasks, update=True, default_user=actor)
        record_m2m_snapshots(TASK_HISTORY, records)
        record_events([e for e in news if e is not None], actor=actor)
    field.delete()
    sync_after_commit(field.key)
    return len(tasks)
