"""How the portal reads a date or a moment that people type: one parser, the storage limits.

Every door that takes a date as text (the task filters, the team pages' forms, task sheets,
the activity page's "older" links) reads it here, so a value the calendar does not have
(2026-02-30, month 13, year 0, hour 25) or one a database cannot store is refused the same
way everywhere, with the door's own message, instead of failing deeper down:
- the moment must be expressible in UTC (databases store UTC: 0001-01-01 00:00 at +01:00 is
  before the first moment Python knows);
- its offset must be one PostgreSQL takes (under 16 hours either way; it refuses +20:54 with
  "time zone displacement out of range", while Python accepts up to 23:59).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date

# PostgreSQL's limit for a time zone offset: -15:59:59 to +15:59:59.
OFFSET_LIMIT = timedelta(hours=16)


def storable_moment(moment: datetime) -> datetime | None:
    """`moment`, aware (a naive one is in the portal's time zone), or None if it cannot be stored."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if abs(moment.utcoffset()) >= OFFSET_LIMIT:
        return None
    return moment


def parse_moment(value: str | date | datetime, *, offset_required: bool = False) -> datetime | None:
    """An aware moment from ISO text, a date (its midnight) or a date and time; else None.

    Text is a date (2026-12-31, 2026-1-5) or a date and time in ISO 8601
    (2026-12-31T17:00, 2026-12-31T17:00:00+01:00, ...Z); without an offset it is the portal's
    local time, or refused with `offset_required` (for text the portal wrote itself). None for
    text that is not a real date, and for moments `storable_moment` refuses.
    """
    if isinstance(value, datetime):
        return storable_moment(value)
    if isinstance(value, date):
        return storable_moment(datetime(value.year, value.month, value.day))
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        day = _parse_day(text)
        if day is None:
            return None
        moment = datetime(day.year, day.month, day.day)
    if offset_required and moment.tzinfo is None:
        return None
    return storable_moment(moment)


def _parse_day(text: str) -> date | None:
    """A date with one- or two-digit month and day (2026-1-5); None if the calendar has none."""
    if len(text) > 10:
        return None
    try:
        return parse_date(text)
    except ValueError:  # well formed but not a day: 2026-02-30, 2026-13-01, 0000-01-01
        return None


def parse_due(value: str | date | datetime) -> date | datetime | None:
    """A due date as people give it: a day (2026-12-24, a `date`) or a moment (text with a
    time, a `datetime`, as `parse_moment` reads it); None for anything else."""
    if isinstance(value, datetime):
        return storable_moment(value)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) <= 10:
        return _parse_day(text)
    return parse_moment(text)
