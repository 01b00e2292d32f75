"""Writes of the notifications app: watching, notifications made from events, reading them,
email choices and unsubscribing.

Notifications are made when the outbox dispatches events (`notify_events`, registered with
`portal.events.services.on_dispatch`), never during the write that records them: a write costs
what it cost before. One batch of events costs a fixed number of queries whatever its size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.permissions import is_superuser
from portal.events import kinds as ek
from portal.notifications.kinds import DEFAULT_DELIVERY, RANK, Delivery, Kind
from portal.notifications.models import Notification, Preference, Watch
from portal.notifications.selectors import preferences_by_user
from portal.tasks.models import Task
from portal.tasks.permissions import can_view_task, task_viewers

DENIED_WATCH = "You can watch only tasks of your teams."
UNSUBSCRIBE_SALT = "portal.notifications.unsubscribe"
BAD_TOKEN = "This unsubscribe link is not valid (it may have been cut short or changed)."
UNKNOWN_KIND = "Unknown notification kind: {kind}."
UNKNOWN_DELIVERY = "Choose one of: " + ", ".join(Delivery.values) + "."

# The events that can tell someone something.
TASK_EVENTS = frozenset(
    {
        ek.TASK_CREATED,
        ek.TASK_UPDATED,
        ek.COMMENT_CREATED,
        ek.COMMENT_UPDATED,
        ek.TASK_DUE_SOON,
        ek.TASK_OVERDUE,
    }
)


# --- watching -----------------------------------------------------------------------------
def watch_add(*, actor, task: Task) -> bool:
    """Watch `task` (anyone who can see it); returns whether they were not watching yet."""
    if not can_view_task(actor, task):
        raise PermissionDenied(DENIED_WATCH)
    _, created = Watch.objects.get_or_create(task=task, user=actor)
    return created


def watch_remove(*, actor, task: Task) -> bool:
    """Stop watching `task`; returns whether they were watching."""
    if not can_view_task(actor, task):
        raise PermissionDenied(DENIED_WATCH)
    deleted, _ = Watch.objects.filter(task=task, user=actor).delete()
    return bool(deleted)


# --- from events to notifications ---------------------------------------------------------
@dataclass
class _Batch:
    """What one batch of events says, gathered before anything is read."""

    events: list = field(default_factory=list)
    task_ids: set[int] = field(default_factory=set)
    mentioned: set[str] = field(default_factory=set)
    due_task_ids: set[int] = field(default_factory=set)


def _ids(value) -> list[int]:
    return [v for v in value or [] if isinstance(v, int)]


def _assigned(event) -> list[int]:
    assignees = event.payload.get("assignees")
    if event.kind == ek.TASK_CREATED:
        return _ids(assignees)
    if isinstance(assignees, Mapping):
        return _ids(assignees.get("added"))
    return []


def _mentions(event) -> list[str]:
    return [n.lower() for n in event.payload.get("mentions") or [] if isinstance(n, str)]


def _new_watchers(event, creator_ok: bool = True) -> list[int]:
    """Who starts watching with this event: the creator, people assigned, a commenter."""
    people = _assigned(event)
    if event.kind == ek.TASK_CREATED and event.actor_id and creator_ok:
        people.append(event.actor_id)
    if event.kind == ek.COMMENT_CREATED and isinstance(event.payload.get("author"), int):
        people.append(event.payload["author"])
    return people


def _told(event, watchers: set[int], assignees: set[int], by_name: dict[str, int]) -> dict:
    """Person -> the kinds this event tells them of (before the actor and visibility rules)."""
    told: dict[int, set[str]] = {}

    def tell(people: Iterable[int], kind: str) -> None:
        for person in people:
            told.setdefault(person, set()).add(kind)

    tell(_assigned(event), Kind.ASSIGNED)
    tell((by_name[n] for n in _mentions(event) if n in by_name), Kind.MENTIONED)
    if event.kind == ek.COMMENT_CREATED:
        tell(watchers, Kind.COMMENTED)
    elif event.kind == ek.TASK_UPDATED and "status" in (event.payload.get("changes") or {}):
        tell(watchers, Kind.STATUS)
    elif event.kind == ek.TASK_DUE_SOON:
        tell(watchers | assignees, Kind.DUE_SOON)
    elif event.kind == ek.TASK_OVERDUE:
        tell(watchers | assignees, Kind.OVERDUE)
    return told


def _delivery(user_id: int, kind: str, chosen: Mapping[int, Mapping[str, str]]) -> str:
    return chosen.get(user_id, {}).get(kind, DEFAULT_DELIVERY[kind])


def notify_events(*, events: Sequence, **kwargs) -> int:
    """Watchers and notifications from a batch of dispatched events; returns how many
    notifications were made.

    Runs inside the dispatcher's transaction (all or nothing with the batch). Queries per
    batch, whatever its size: the tasks, the mentioned people, the watchers, the assignees of
    due tasks, who may see what, the email choices, then one INSERT of watchers and one of
    notifications (SQLite splits an INSERT at its parameter limit). Idempotent: a watcher or a
    notification of the same person and event is added once.
    """
    batch = _Batch()
    for event in events:
        if event.kind in TASK_EVENTS and event.task_id:
            batch.events.append(event)
            batch.task_ids.add(event.task_id)
            batch.mentioned.update(_mentions(event))
            if event.kind in (ek.TASK_DUE_SOON, ek.TASK_OVERDUE):
                batch.due_task_ids.add(event.task_id)
    if not batch.events:
        return 0
    # Tasks deleted since their events were recorded tell no one.
    tasks = dict(Task.objects.filter(pk__in=batch.task_ids).values_list("pk", "team_id"))
    by_name: dict[str, int] = {}
    if batch.mentioned:
        by_name = dict(
            User.objects.annotate(name=Lower("username"))
            .filter(name__in=batch.mentioned, is_active=True)
            .values_list("name", "pk")
        )
    watching: dict[int, set[int]] = {}
    for task_id, user_id in Watch.objects.filter(task_id__in=tasks).values_list(
        "task_id", "user_id"
    ):
        watching.setdefault(task_id, set()).add(user_id)
    assignees: dict[int, set[int]] = {}
    due_tasks = batch.due_task_ids & set(tasks)
    if due_tasks:
        through = Task.assignees.through.objects.filter(task_id__in=due_tasks)
        for task_id, user_id in through.values_list("task_id", "user_id"):
            assignees.setdefault(task_id, set()).add(user_id)

    # Walk the events in order: a watcher an event adds hears of the events after it only.
    wanted: list[tuple] = []  # (event, task_id, person, kind)
    new_watches: set[tuple[int, int]] = set()
    for event in batch.events:
        task_id = event.task_id
        if task_id not in tasks:
            continue
        watchers = watching.setdefault(task_id, set())
        told = _told(event, set(watchers), assignees.get(task_id, set()), by_name)
        for person, said in told.items():
            if person != event.actor_id:
                wanted.append((event, task_id, person, next(k for k in RANK if k in said)))
        for person in _new_watchers(event):
            if person not in watchers:
                watchers.add(person)
                new_watches.add((task_id, person))

    people = {p for _, _, p, _ in wanted} | {p for _, p in new_watches}
    may_see = task_viewers(people, set(tasks.values()))
    Watch.objects.bulk_create(
        [Watch(task_id=t, user_id=p) for t, p in new_watches if (p, tasks[t]) in may_see],
        ignore_conflicts=True,
        batch_size=500,
    )
    wanted = [w for w in wanted if (w[2], tasks[w[1]]) in may_see]
    if not wanted:
        return 0
    chosen = preferences_by_user({p for _, _, p, _ in wanted})
    rows = [
        Notification(
            user_id=person,
            kind=kind,
            event_id=event.pk,
            actor_id=event.actor_id,
            team_id=tasks[task_id],
            task_id=task_id,
            task_key=str(event.payload.get("key") or "")[:40],
            task_title=str(event.payload.get("title") or "")[:200],
            comment_id=event.payload.get("comment") if event.kind.startswith("comment.") else None,
            delivery=_delivery(person, kind, chosen),
        )
        for event, task_id, person, kind in wanted
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if any(row.delivery == Delivery.IMMEDIATELY for row in rows):
        from portal.notifications.jobs import send_soon

        transaction.on_commit(send_soon)
    return len(rows)


# --- reading ------------------------------------------------------------------------------
def notification_read(*, user, notification: Notification) -> None:
    """Mark one of the person's own notifications read (again: nothing changes)."""
    if notification.user_id != user.pk:
        raise PermissionDenied("This is someone else's notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def notifications_read_all(*, user) -> int:
    """Mark all the person's unread notifications read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_purge(*, before: dt.datetime) -> int:
    """Delete read notifications read before `before`; returns how many."""
    deleted, _ = Notification.objects.filter(read_at__lt=before).delete()
    return deleted


# --- email choices ------------------------------------------------------------------------
@transaction.atomic
def preferences_set(*, actor, user, choices: Mapping[str, str]) -> None:
    """Set `user`'s email choice per kind (themselves, or an administrator for anyone)."""
    if actor.pk != user.pk and not is_superuser(actor):
        raise PermissionDenied("Only administrators change other people's email choices.")
    errors = {}
    for kind, delivery in choices.items():
        if kind not in Kind.values:
            errors[kind] = UNKNOWN_KIND.format(kind=kind)
        elif delivery not in Delivery.values:
            errors[kind] = UNKNOWN_DELIVERY
    if errors:
        raise ValidationError(errors)
    for kind, delivery in choices.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def unsubscribe_token(user_id: int, kinds: Iterable[str]) -> str:
    """A signed token naming a person and the kinds an email told them of."""
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[User, list[str]]:
    """The person and kinds of a token; ValidationError if it was changed or is not one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]))
        kinds = [k for k in data["k"] if k in Kind.values]
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist) as exc:
        raise ValidationError(BAD_TOKEN) from exc
    return user, kinds


@transaction.atomic
def unsubscribe(token: str) -> tuple[User, list[str]]:
    """No more email of the token's kinds for its person (one click, no sign-in)."""
    user, kinds = unsubscribe_read(token)
    for kind in kinds:
        Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": Delivery.NEVER}
        )
    # What was waiting to be sent of those kinds is not sent either.
    Notification.objects.filter(user=user, kind__in=kinds, emailed_at__isnull=True).update(
        delivery=Delivery.NEVER
    )
    return user, kinds


def watches_drop_for_team(*, team_id: int, user_id: int) -> int:
    """Stop `user_id` watching `team_id`'s tasks, unless they still may see them (an active
    administrator does); returns how many watches were deleted."""
    if (user_id, team_id) in task_viewers({user_id}, {team_id}):
        return 0
    deleted, _ = Watch.objects.filter(user_id=user_id, task__team_id=team_id).delete()
    return deleted
