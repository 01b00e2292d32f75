"""The notifications app listens to the outbox's dispatch (portal.events)."""

from portal.events.services import on_dispatch
from portal.notifications.services import notify_events

on_dispatch(notify_events)
