"""Repeating tasks: the rule (an RRULE of RFC 5545, read with python-dateutil) and its days.

A task repeats by a rule such as `FREQ=WEEKLY;BYDAY=MO,TH` counted from its due day (`due`)
or from the day it was done (`done`). When an occurrence is done, the next one is created
with the next day of the rule (`portal.tasks.services.repeat`). Rules are days, never times:
a rule that could give more than one occurrence a day (hourly, BYHOUR, ...) is refused, and so
is one that never gives a day at all. Doors give a rule as RRULE text (sheets, forms, the
admin, the API's `{"rrule": ...}`) or as choices (the API's `{"freq": "weekly", ...}`).

Month ends and leap days: `FREQ=MONTHLY` (no BY parts) from a 31st falls on the last day of
shorter months, and `FREQ=YEARLY` from Feb 29 on Feb 28 in other years (RFC 5545 would skip
those months and years); "monthly on day 31" is written as
`FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1` (the 31st, or the month's last day).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.rrule import rrule, rrulestr
from django import forms
from django.core.exceptions import ValidationError

FROM_DUE, FROM_DONE = "due", "done"
FROM_CHOICES = ((FROM_DUE, "from the due day"), (FROM_DONE, "from the day it is done"))
FREQS = ("daily", "weekdays", "weekly", "monthly", "yearly")
DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
RULE_MAX = 300
INTERVAL_MAX = 999
COUNT_MAX = 1000
# Parts a rule may have; the others (times of day, year days, week numbers) are refused.
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
DAY_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# The text of "counted from the day it is done" after the rule (sheets, forms, the admin).
FROM_DONE_TEXT = "X-FROM=DONE"

RULE_INVALID = (
    "Enter a repeat rule such as FREQ=WEEKLY;BYDAY=MO,TH (RFC 5545 RRULE), optionally "
    "followed by ;X-FROM=DONE to count from the day the task is done."
)
RULE_TOO_LONG = f"A repeat rule has at most {RULE_MAX} characters."
RULE_PART = "{part} is not allowed in a repeat rule: use " + ", ".join(PARTS) + "."
RULE_FREQ = "A task repeats at most once a day: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."
RULE_INTERVAL = f"Enter an INTERVAL from 1 to {INTERVAL_MAX}."
RULE_COUNT = f"Enter a COUNT from 1 to {COUNT_MAX}."
RULE_NEVER = "This repeat rule never gives a day (such as February 30)."
RULE_NEEDS_DUE = "A repeating task needs a due date."
REPEAT_INVALID = (
    'Give a repeat as {"freq": "weekly", "interval": 1, "days": ["mo", "th"], "from": "due"}, '
    'as {"rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "from": "due"}, or null to stop repeating.'
)
REPEAT_FREQ = "Choose freq from " + ", ".join(FREQS) + "."
REPEAT_DAYS = "Give days as a list of " + ", ".join(DAYS) + "."
REPEAT_DAY = "Give day as a day of the month from 1 to 31, or -1 for the last day."
REPEAT_FROM = 'Give from as "due" or "done".'

_PART = re.compile(r"^[A-Z]+$")
_FEASIBLE_YEAR = 9000  # see _feasible


@dataclass(frozen=True)
class Repeat:
    rule: str  # RRULE parts, canonical: "FREQ=WEEKLY;BYDAY=MO,TH"
    start: str = FROM_DUE  # FROM_DUE or FROM_DONE

    def text(self) -> str:
        """The rule as sheets and forms write it (read back by `parse_repeat_text`)."""
        return f"{self.rule};{FROM_DONE_TEXT}" if self.start == FROM_DONE else self.rule

    def json(self) -> dict:
        return {"rrule": self.rule, "from": self.start}


def stored_repeat(rule: str, start: str) -> Repeat | None:
    """The repeat of a task's stored columns (None when it does not repeat)."""
    return Repeat(rule, start or FROM_DUE) if rule else None


def repeat_text(rule: str, start: str) -> str:
    repeat = stored_repeat(rule, start)
    return repeat.text() if repeat else ""


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="invalid")


def check_rule(text: str) -> str:
    """The canonical form of RRULE text (parts upper-cased, `RRULE:` dropped), or
    ValidationError saying what is wrong."""
    if not isinstance(text, str):
        raise _invalid(RULE_INVALID)
    text = text.strip()
    if len(text) > RULE_MAX:
        raise _invalid(RULE_TOO_LONG)
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or any(c in text for c in "\r\n"):
        raise _invalid(RULE_INVALID)
    parts: dict[str, str] = {}
    for piece in text.strip(";").split(";"):
        name, sep, value = piece.partition("=")
        name, value = name.strip().upper(), value.strip().upper().replace(" ", "")
        if not sep or not _PART.match(name) or not value or name in parts:
            raise _invalid(RULE_INVALID)
        if name not in PARTS:
            raise _invalid(RULE_PART.format(part=name))
        parts[name] = value
    if parts.get("FREQ") not in DAY_FREQS:
        raise _invalid(RULE_FREQ if "FREQ" in parts else RULE_INVALID)
    if "INTERVAL" in parts and not _int_in(parts["INTERVAL"], 1, INTERVAL_MAX):
        raise _invalid(RULE_INTERVAL)
    if "COUNT" in parts and not _int_in(parts["COUNT"], 1, COUNT_MAX):
        raise _invalid(RULE_COUNT)
    if "UNTIL" in parts:
        # A day, or a moment in UTC as calendar apps write it: the day is what counts.
        parts["UNTIL"] = parts["UNTIL"].removesuffix("Z")[:8]
    canonical = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rrulestr(canonical, dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise _invalid(RULE_INVALID) from None
    return canonical


def _int_in(value: str, low: int, high: int) -> bool:
    return value.isascii() and value.isdigit() and low <= int(value) <= high


def parse_repeat_text(text: str | None) -> Repeat | None:
    """A repeat written as text (`FREQ=...`, `;X-FROM=DONE` for counting from done); empty
    text is no repeat."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    start = FROM_DUE
    pieces = [p for p in text.split(";") if p.strip()]
    kept = []
    for piece in pieces:
        name, _, value = piece.partition("=")
        if name.strip().upper() == "X-FROM":
            if value.strip().lower() not in (FROM_DUE, FROM_DONE):
                raise _invalid(RULE_INVALID)
            start = value.strip().lower()
        else:
            kept.append(piece)
    return Repeat(check_rule(";".join(kept)), start)


def parse_repeat_json(value) -> Repeat | None:
    """The API's `repeat`: null, `{"rrule": ..., "from": ...}` or the choices
    `{"freq": "weekly", "interval": 2, "days": ["mo", "th"], "day": 31, "from": "done"}`."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _invalid(REPEAT_INVALID)
    start = value.get("from", FROM_DUE)
    if start not in (FROM_DUE, FROM_DONE):
        raise _invalid(REPEAT_FROM)
    if "rrule" in value:
        if set(value) - {"rrule", "from"}:
            raise _invalid(REPEAT_INVALID)
        return Repeat(check_rule(value["rrule"]), start)
    if set(value) - {"freq", "interval", "days", "day", "from"}:
        raise _invalid(REPEAT_INVALID)
    freq = value.get("freq")
    if freq not in FREQS:
        raise _invalid(REPEAT_FREQ)
    interval = value.get("interval", 1)
    if type(interval) is not int or not 1 <= interval <= INTERVAL_MAX:
        raise _invalid(RULE_INTERVAL)
    parts = ["FREQ=" + ("WEEKLY" if freq == "weekdays" else freq.upper())]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    days = value.get("days")
    if freq == "weekdays":
        days = days or ["mo", "tu", "we", "th", "fr"]
    if days is not None:
        if (
            not isinstance(days, list)
            or not days
            or any(d not in DAYS for d in days)
            or (freq != "weekly" and freq != "weekdays")
        ):
            raise _invalid(REPEAT_DAYS)
        parts.append("BYDAY=" + ",".join(d.upper() for d in sorted(set(days), key=DAYS.index)))
    day = value.get("day")
    if day is not None:
        if freq != "monthly" or type(day) is not int or not (1 <= day <= 31 or day == -1):
            raise _invalid(REPEAT_DAY)
        parts.append(month_day_part(day))
    return Repeat(check_rule(";".join(parts)), start)


def month_day_part(day: int) -> str:
    """Day `day` of each month; from the 29th on, the month's last day in shorter months."""
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def _effective(rule: str, start: date) -> str:
    """The rule as counted from `start`: month ends and leap days (see the module's words)."""
    if ";BY" in f";{rule}":
        return rule
    if rule.startswith("FREQ=MONTHLY") and start.day > 28:
        return f"{rule};{month_day_part(start.day)}"
    if rule.startswith("FREQ=YEARLY") and (start.month, start.day) == (2, 29):
        return f"{rule};BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
    return rule


def _rule(rule: str, start: date) -> rrule:
    return rrulestr(_effective(rule, start), dtstart=datetime.combine(start, time.min))


def _feasible(rule: rrule, start: date) -> bool:
    """Whether the rule gives any day from `start` on, ignoring COUNT and UNTIL.

    dateutil searches until the year 9999 for a rule that never matches (seconds for a daily
    one). The Gregorian calendar repeats every 400 years (a whole number of weeks), so the
    rule is tried from the same day moved to the years after 9000: it finds its first day
    there within 400 years, or it never will, and the search is short either way.
    """
    shift = (_FEASIBLE_YEAR - start.year) // 400 * 400
    moved = datetime.combine(start.replace(year=start.year + shift), time.min)
    return rule.replace(dtstart=moved, until=None, count=None).after(moved, inc=True) is not None


def check_feasible(rule: str, start: date) -> None:
    if not _feasible(_rule(rule, start), start):
        raise _invalid(RULE_NEVER)


def next_day(rule: str, *, start: date, after: date) -> date | None:
    """The first day of `rule` counted from `start` that comes after `after` (None when the
    rule has ended: COUNT, UNTIL, or it never matches)."""
    counted = _rule(rule, start)
    if not _feasible(counted, start):
        return None
    found = counted.after(datetime.combine(after, time.max))
    return found.date() if found else None


def count_of(rule: str) -> int | None:
    """The rule's COUNT (how many occurrences in all), or None."""
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if name == "COUNT":
            return int(value)
    return None


# Common rules, offered as suggestions beside the Repeats field (any RRULE may be typed).
SUGGESTIONS = (
    ("FREQ=DAILY", "Every day"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
    ("FREQ=WEEKLY", "Every week, on the due day's weekday"),
    ("FREQ=WEEKLY;INTERVAL=2", "Every two weeks"),
    ("FREQ=MONTHLY", "Every month, on the due day (or the month's last day)"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "The last day of every month"),
    ("FREQ=YEARLY", "Every year"),
    ("FREQ=DAILY;INTERVAL=7;X-FROM=DONE", "A week after it is done"),
)
REPEAT_HELP = (
    "An RRULE such as FREQ=WEEKLY;BYDAY=MO,TH or FREQ=MONTHLY;INTERVAL=2; add ;X-FROM=DONE "
    "to count from the day the task is done. Empty: the task does not repeat."
)


class RepeatFormField(forms.CharField):
    """A repeat written as text (the admin's and the task page's forms): cleans to a Repeat,
    or None for empty text (stop repeating)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": "repeat-suggestions"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", RULE_MAX + len(FROM_DONE_TEXT) + 1)
        kwargs.setdefault("help_text", REPEAT_HELP)
        kwargs.setdefault("label", "Repeats")
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_repeat_text(super().clean(value))


def repeat_initial(task) -> str:
    """The text a form shows for a task's repeat."""
    return repeat_text(task.repeat_rule, task.repeat_from) if task.pk else ""
