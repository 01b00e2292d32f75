"""A task's key, such as OPS-42: the team's key and the task's number in the team.

Written and read here only, so every door (admin, API, team pages, sheets, Markdown links)
agrees on what a key looks like.
"""

from __future__ import annotations

import re

# A whole key as people type it (any case, spaces around it).
KEY_RE = re.compile(r"^\s*([A-Za-z]{2,10})-([0-9]{1,9})\s*$")
# Task keys mentioned in a text (OPS-42), not inside a longer word or number.
KEY_IN_TEXT_RE = re.compile(r"(?<![\w-])([A-Z]{2,10})-(\d{1,9})(?![\w-])")


def task_key(team_key: str, number: int | None) -> str:
    """OPS-42 from OPS and 42; empty while the task has no number yet."""
    return f"{team_key}-{number}" if team_key and number else ""


def parse_task_key(text: object, *, team_key: str | None = None) -> tuple[str, int] | None:
    """(team key, number) from a key such as " ops-42 ", else None.

    With `team_key`, a bare number (42) is read as a key of that team too.
    """
    raw = str(text or "").strip()
    if team_key and raw.isascii() and raw.isdigit():
        raw = f"{team_key}-{raw}"
    match = KEY_RE.match(raw)
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))
