"""Record events with the change that causes them, and dispatch them afterwards.

Every service that changes a task, a comment, a membership or a team calls `record_event` (or
`record_events` for a batch: one INSERT) inside its own transaction, so the change and its event
commit or roll back together. Nothing else happens during the write: the apps that act on
events (notifications, webhooks) register with `on_dispatch` and are called by
`events_dispatch`, which a background job runs as soon as the write commits (`on_record`
listeners start it) and every minute as a backstop.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from portal.core.hooks import Hook
from portal.events.kinds import EVENT_KINDS
from portal.events.models import Event

UNKNOWN_KIND = "Unknown event kind: {kind}."
DISPATCH_BATCH = 500

# listener(events=[Event, ...]) inside the recording transaction (the jobs app starts the
# dispatcher when it commits).
events_recorded = Hook("events recorded")
on_record = events_recorded.register
# listener(events=[Event, ...]) inside the dispatcher's transaction; must be idempotent (on a
# database without row locks two dispatchers may hand the same events over).
events_dispatching = Hook("events dispatching")
on_dispatch = events_dispatching.register

# @username as people type it: letters, digits and @.+-_ (Django's usernames), not inside a
# word or an e-mail address; a trailing full stop ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w@+-])")


@dataclass(frozen=True)
class NewEvent:
    kind: str
    team_id: int | None = None
    task_id: int | None = None
    payload: dict[str, Any] | None = None


def event_value(value: Any) -> Any:
    """A value as an event payload holds it (JSON): rows by id, times in ISO 8601."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        values = [event_value(v) for v in value]
        return sorted(values, key=str) if isinstance(value, set | frozenset) else values
    if isinstance(value, dict):
        return {str(k): event_value(v) for k, v in value.items()}
    return value


def mentions_in(text: str | None) -> list[str]:
    """The usernames mentioned with @ in `text`, each once, in the order written."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text or ""):
        seen.setdefault(name, None)
    return list(seen)


def record_event(
    kind: str,
    *,
    actor=None,
    team_id: int | None = None,
    task_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Record one event in the current transaction (one INSERT)."""
    return record_events([NewEvent(kind, team_id, task_id, payload)], actor=actor)[0]


def record_events(events: Sequence[NewEvent], *, actor=None) -> list[Event]:
    """Record a batch of events (one INSERT per 1,000) in the current transaction."""
    for event in events:
        if event.kind not in EVENT_KINDS:
            raise ValueError(UNKNOWN_KIND.format(kind=event.kind))
    if not events:
        return []
    actor_id = getattr(actor, "pk", None)
    rows = [
        Event(
            kind=e.kind,
            team_id=e.team_id,
            task_id=e.task_id,
            actor_id=actor_id,
            payload=event_value(e.payload or {}),
        )
        for e in events
    ]
    created = Event.objects.bulk_create(rows, batch_size=1000)
    events_recorded.send(events=created)
    return created


def events_dispatch(*, batch: int = DISPATCH_BATCH, batches: int | None = None) -> int:
    """Hand undispatched events, oldest first, to the `on_dispatch` listeners; returns how many.

    Each batch is one transaction: the listeners' work and the events' `dispatched_at` commit
    together, so a worker that dies mid-batch leaves the batch to the next run, whole. Rows are
    locked with SKIP LOCKED, so dispatchers running at once take different batches.
    """
    done = 0
    while batches is None or batches > 0:
        with transaction.atomic():
            events = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True)
                .order_by("id")[:batch]
            )
            if not events:
                break
            events_dispatching.send(events=events)
            Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=timezone.now())
        done += len(events)
        if batches is not None:
            batches -= 1
    return done


def events_purge(*, before: dt.datetime) -> int:
    """Delete dispatched events older than `before`; returns how many."""
    deleted, _ = Event.objects.filter(dispatched_at__isnull=False, created_at__lt=before).delete()
    return deleted
