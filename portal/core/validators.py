"""Input limits every door shares: values the database can store and pages can show, ids it holds.

PostgreSQL refuses the NUL character in text and in jsonb; other C0 control characters
(\\u0001 to \\u001f) cannot be written to XML, so to XLSX, and break screens; JSON nested
thousands of levels deep exhausts the recursion of every encoder on its way to the database;
a time on the first or last day Python knows (0001-01-01, 9999-12-31) cannot be shown in every
time zone. The models check them in `full_clean()` (`portal.core.models.CheckedInputMixin`),
so the admin, the API, the commands and the jobs answer with the same message instead of a 500.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

MAX_JSON_DEPTH = 32
# The largest id a 64-bit integer column holds (PostgreSQL bigint, SQLite INTEGER).
ID_MAX = 2**63 - 1

# C0 control characters: none in a single line of text (names, titles, keys), all but tab,
# line feed and carriage return in longer text. XML (so XLSX) cannot carry most of them.
SINGLE_LINE_CONTROL = re.compile(r"[\x01-\x1f]")
MULTI_LINE_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")

# A day inside Python's calendar, so converting to any time zone stays in range.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)

ID_INVALID = f"Enter a whole number from 1 to {ID_MAX}."
NUL_CHARACTER = "This cannot contain the NUL character (\\u0000)."
CONTROL_CHARACTER = (
    "This cannot contain control characters (\\u0001 to \\u001f); longer text may hold tabs "
    "and line breaks."
)
JSON_TOO_DEEP = f"JSON can be nested at most {MAX_JSON_DEPTH} levels deep."
DATETIME_RANGE = "Enter a date and time between 0001-01-02 and 9999-12-30."


def json_problem(value: Any) -> str | None:
    """JSON_TOO_DEEP or NUL_CHARACTER when `value` cannot be stored as it is, else None.

    Walks the value with a list instead of recursion, so any depth is safe to check.
    """
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return NUL_CHARACTER
        elif isinstance(node, dict):
            if depth >= MAX_JSON_DEPTH:
                return JSON_TOO_DEEP
            for key, child in node.items():
                if isinstance(key, str) and "\x00" in key:
                    return NUL_CHARACTER
                stack.append((child, depth + 1))
        elif isinstance(node, list | tuple):
            if depth >= MAX_JSON_DEPTH:
                return JSON_TOO_DEEP
            stack.extend((child, depth + 1) for child in node)
    return None


def json_too_deep(value: Any) -> bool:
    """Whether lists and objects in `value` nest deeper than MAX_JSON_DEPTH."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list | tuple):
            continue
        if depth >= MAX_JSON_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in node)
    return False


def datetime_problem(value: datetime) -> str | None:
    """DATETIME_RANGE for a time on the first or last day of the calendar, else None."""
    if value.tzinfo is None:
        low, high = EARLIEST.replace(tzinfo=None), LATEST.replace(tzinfo=None)
    else:
        low, high = EARLIEST, LATEST
    return None if low <= value <= high else DATETIME_RANGE


def text_problem(value: str, *, multi_line: bool = False) -> str | None:
    """NUL_CHARACTER or CONTROL_CHARACTER when text holds what it may not, else None.

    `multi_line` text (descriptions, comments) keeps tabs and line breaks; a single line
    (names, titles, keys) has none.
    """
    if "\x00" in value:
        return NUL_CHARACTER
    pattern = MULTI_LINE_CONTROL if multi_line else SINGLE_LINE_CONTROL
    return CONTROL_CHARACTER if pattern.search(value) else None


@cache
def _field_kind(field) -> str:
    """What `stored_value_problem` checks of a model field, worked out once per field (a
    bulk import checks every field of thousands of rows)."""
    from django.db import models

    if isinstance(field, models.JSONField):
        return "json"
    if isinstance(field, models.TextField):
        return "lines"
    if isinstance(field, models.CharField):
        return "line"
    if isinstance(field, models.DateTimeField):
        return "moment"
    return ""


def stored_value_problem(field, value: Any) -> str | None:
    """Why a model field's value cannot be stored or shown safely, or None."""
    kind = _field_kind(field)
    if kind == "json":
        return json_problem(value)
    if isinstance(value, str):
        if kind in ("line", "lines"):
            return text_problem(value, multi_line=kind == "lines")
        return NUL_CHARACTER if "\x00" in value else None
    if kind == "moment" and isinstance(value, datetime):
        return datetime_problem(value)
    return None


def as_id(value: Any) -> int | None:
    """A positive id from an int or a string of ASCII digits that a 64-bit column can hold.

    None for anything else (text, booleans, floats, negative or huge numbers), so doors can
    answer "not found" without sending a value the database would refuse or overflow on.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 19:
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= ID_MAX:
        return None
    return value
