"""Calendar tasks as the month and week templates show them, computed once per task in Python.

A month shows up to 1,000 tasks; reversing three addresses, writing a CSRF field and the page's
address, and formatting the dates in the template for each of them cost most of the page. As
for the board's cards (`cards.py`), each address is reversed once per team and the number
spliced in, and the template only prints strings.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.pages.cards import NUMBER, PRIORITY_LABELS
from portal.tasks.models import Status

ITEM_URLS = {"url": "pages:task", "move_url": "pages:task_due"}


def _team_urls(slug: str, seen: dict) -> dict:
    if slug not in seen:
        seen[slug] = {
            key: reverse(name, args=[slug, NUMBER]).rsplit(str(NUMBER), 1)
            for key, name in ITEM_URLS.items()
        }
    return seen[slug]


def calendar_items(tasks, editable: set[int], seen: dict) -> list[dict]:
    """The day's tasks as the calendar prints them; `editable` holds the ids the person may
    move, `seen` the addresses reversed so far (one dict per page)."""
    items = []
    for task in tasks:
        number = str(task.number)
        urls = _team_urls(task.team.slug, seen)
        item = {key: escape(f"{start}{number}{end}") for key, (start, end) in urls.items()}
        time = ""
        if not task.due_day:
            time = f"{timezone.localtime(task.due_date):%H:%M}"
        item.update(
            {
                "pk": escape(task.pk),
                "key": escape(task.key),
                "title": task.title,
                "priority": escape(task.priority),
                "priority_label": PRIORITY_LABELS.get(task.priority, task.priority),
                "is_overdue": task.is_overdue,
                "done": task.status == Status.DONE,
                "time": time,
                "editable": task.pk in editable,
            }
        )
        items.append(item)
    return items
