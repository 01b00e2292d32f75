"""The task sheet's cells: each read from what a spreadsheet holds, and shown as the sheet shows
it (to compare with what is stored and to list in the preview). The reading of a whole sheet is
`portal.tasks.resources.task_import`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from portal.core.parsing import parse_due
from portal.core.resources import CellError, local_minute, names, text
from portal.tasks.due import due_given
from portal.tasks.keys import parse_task_key
from portal.tasks.models import Task
from portal.tasks.repeat import stored_repeat
from portal.tasks.resources import task_columns as spec


def parse_due_cell(value: Any) -> date | datetime | None:
    """A due date from a cell: a day (a date cell, a date-time cell at midnight, or text such as
    2026-12-24) or a moment (a date-time cell, or ISO text with a time; local time if naive)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        # Excel stores times as fractions of a day: round away floating-point dust.
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.tzinfo is None and value.time() == time(0, 0):
            return value.date()  # a date cell: Excel has no dates without a time
    elif not isinstance(value, date):
        value = text(value).strip()
        if not value:
            return None
    given = parse_due(value)
    if given is None:
        raise CellError(spec.DATE_INVALID)
    return given


def same_due(given: date | datetime | None, task: Task) -> bool:
    """Whether a cell says the due date the task has (a moment to the minute, as written)."""
    if isinstance(given, datetime):
        return task.due_day is None and local_minute(given) == local_minute(task.due_date)
    if given is None:
        return task.due_date is None
    return given == task.due_day


def parse_hours(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(spec.NUMBER_INVALID)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise CellError(spec.NUMBER_INVALID) from None
    if not number.is_finite():
        raise CellError(spec.NUMBER_INVALID)
    return number


@cache
def _choice_words(choices, language: str | None) -> tuple[dict[str, str], str]:
    """The words a choice cell may hold (values and labels, lower-cased) -> the stored value,
    and the values listed for messages; once per choices and language, not per cell."""
    words: dict[str, str] = {}
    for stored, label in choices.choices:  # the first choice a word names wins
        words.setdefault(stored, stored)
        words.setdefault(str(label).lower(), stored)
    return words, ", ".join(choices.values)


def parse_choice(value: Any, choices, column: str, required: bool) -> str | None:
    word = text(value).strip()
    words, listed = _choice_words(choices, get_language())
    if not word:
        if required:
            raise CellError(spec.CHOICE_REQUIRED.format(column=column, choices=listed))
        return None
    if word.lower() in words:
        return words[word.lower()]
    raise CellError(spec.CHOICE_INVALID.format(value=word[:50], column=column, choices=listed))


def parse_key(value: Any) -> tuple[str, int] | None:
    raw = text(value).strip()
    if not raw:
        return None
    key = parse_task_key(raw)
    if key is None:
        raise CellError(spec.KEY_INVALID)
    return key


def due_cell(value: date | datetime | None) -> str:
    """A due date as the sheet shows it: 2026-12-31, or 2026-12-31 17:00 in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = local_minute(value) if timezone.is_aware(value) else value
        return moment.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def due_day_of(value: date | datetime | None) -> date | None:
    """The day of a due date as `tasks_like` compares it."""
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def hours_cell(value: Decimal | None) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


def cell_text(name: str, value: Any) -> str:
    """A field's value as its cell shows it, to compare and to list in the preview."""
    if name == "due_date":
        return due_cell(value)
    if name in ("estimated_hours", "actual_hours"):
        return hours_cell(value)
    if name == "assignees":
        return names(person.username for person in value)
    if name == "tags":
        return names(tag if isinstance(tag, str) else tag.name for tag in value)
    if name == "parent":
        return value.key if value is not None else ""
    if name == "is_archived":
        return "yes" if value else "no"
    if name == "repeat":
        return value.text() if value else ""
    return "" if value is None else str(value)


def stored_value(task: Task, name: str) -> Any:
    """A task's value of a sheet column (assignees and tags from the selector's preload)."""
    if name == "due_date":
        return due_given(task.due_date, task.due_day)
    if name in ("assignees", "tags"):
        return list(getattr(task, name).all())
    if name == "repeat":
        return stored_repeat(task.repeat_rule, task.repeat_from)
    return getattr(task, name)
