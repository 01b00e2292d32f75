"""Dispatching the outbox (portal.events) in the background.

A write records its events in its own transaction; when it commits, `nudge` sends one message
through the broker to run `dispatch_events` at once. The message carries no data and has no job
record: the outbox is the record. If the message is lost (Redis restarted, a worker killed) the
`events-dispatch` schedule runs the dispatcher every minute anyway, so an event waits at most
that long. A cache key keeps a burst of writes from sending a message each: for two seconds
after one is sent, the next writes add nothing (the dispatch reads everything committed before
it starts, and it clears the key first).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from portal.events.services import events_dispatch, on_record

logger = logging.getLogger(__name__)

DISPATCH = "portal.jobs.outbox.dispatch_events"
QUEUED_KEY = "events:dispatch-queued"
# Seconds: short, because with a cache that is not shared (the embedded local-memory cache) the
# worker cannot clear the web process's key; it only folds a burst of writes into one message.
QUEUED_FOR = 2


def dispatch_events() -> int:
    """The job: dispatch everything undispatched (run by the nudge and the schedule)."""
    cache.delete(QUEUED_KEY)
    return events_dispatch()


def nudge() -> None:
    """Start a dispatch now, unless one is already waiting to start."""
    from django_q.tasks import async_task

    if not cache.add(QUEUED_KEY, 1, timeout=QUEUED_FOR):
        return
    try:
        async_task(DISPATCH, q_options={"task_name": "events-dispatch", "group": "events"})
    except Exception as exc:  # the broker is down: the schedule dispatches within a minute
        cache.delete(QUEUED_KEY)
        logger.warning("events: could not start a dispatch: %s", exc)


@on_record
def dispatch_after_commit(events, **kwargs) -> None:
    transaction.on_commit(nudge)
