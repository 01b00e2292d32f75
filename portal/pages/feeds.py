"""Calendar feeds (RFC 5545, written with `icalendar`): one event per task with a due date.

A due day without a time is an all-day event (DTSTART;VALUE=DATE, DTEND the next day); a due
moment is a timed event at that moment (UTC), without a length. The UID names the task
(`task-<id>@<host>`) so an event keeps its identity across reads; SEQUENCE grows with every
change (seconds from the task's creation to its last change) and LAST-MODIFIED / DTSTAMP are
the last change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, timedelta

from icalendar import Calendar, Event

from portal.tasks.models import Task

PRODUCT = "-//Team Task Portal//Task calendar//EN"


def task_event(task: Task, *, host: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"task-{task.pk}@{host}")
    event.add("summary", f"{task.key} {task.title}")
    if task.due_day is not None:
        event.add("dtstart", task.due_day)
        event.add("dtend", task.due_day + timedelta(days=1))
    else:
        event.add("dtstart", task.due_date.astimezone(UTC))
    changed = task.updated_at.astimezone(UTC)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", max(0, int((task.updated_at - task.created_at).total_seconds())))
    event.add("url", url)
    lines = [
        f"{task.team.name}: {task.get_status_display()}, {task.get_priority_display()} priority",
        url,
    ]
    if task.description:
        lines += ["", task.description]
    event.add("description", "\n".join(lines))
    event.add("categories", [task.team.key])
    return event


def calendar_bytes(
    name: str, tasks: Iterable[Task], *, host: str, url_of: Callable[[Task], str]
) -> bytes:
    """The feed as bytes (CRLF lines folded at 75 octets, text escaped by `icalendar`)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    # Calendar apps that read this hint refresh the feed every hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for task in tasks:
        calendar.add_component(task_event(task, host=host, url=url_of(task)))
    return calendar.to_ical()
