"""Reads of the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.events.models import Event


def events_undispatched() -> QuerySet[Event]:
    return Event.objects.filter(dispatched_at__isnull=True).order_by("id")


def events_of_task(task_id: int) -> QuerySet[Event]:
    return Event.objects.filter(task_id=task_id).order_by("id")
