"""Dispatching the outbox (portal.events) in the background.

A write records its events in its own transaction; when it commits, `nudge` sends one message
through the broker to run `dispatch_events` at once. The message carries no data and has no job
record: the outbox is the record. If the message is lost (Redis restarted, a worker killed) the
`events-dispatch` schedule runs the dispatcher every minute anyway, so an event waits at most
that long. A cache key keeps a burst of writes from sending a message each: while one dispatch
is waiting to start, the next writes add nothing (the dispatch reads everything committed before
it starts, and it clears the key first). With the embedded local-memory cache, which the worker
cannot clear, every commit sends its message (`portal.core.cache.first_in_window`).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from portal.core.cache import first_in_window
from portal.events.services import events_dispatch, on_record

logger = logging.getLogger(__name__)

DISPATCH = "portal.jobs.outbox.dispatch_events"
QUEUED_KEY = "events:dispatch-queued"
QUEUED_FOR = 30  # seconds: a lost message stops holding back others after this


def dispatch_events() -> int:
    """The job: dispatch everything undispatched (run by the nudge and the schedule)."""
    cache.delete(QUEUED_KEY)
    return events_dispatch()


def nudge() -> None:
    """Start a dispatch now, unless one is already waiting to start."""
    from django_q.tasks import async_task

    if not first_in_window(QUEUED_KEY, QUEUED_FOR):
        return
    try:
        async_task(DISPATCH, q_options={"task_name": "events-dispatch", "group": "events"})
    except Exception as exc:  # the broker is down: the schedule dispatches within a minute
        cache.delete(QUEUED_KEY)
        logger.warning("events: could not start a dispatch: %s", exc)


@on_record
def dispatch_after_commit(events, **kwargs) -> None:
    transaction.on_commit(nudge)
