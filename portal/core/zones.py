"""Time zones people choose (a team's, a person's): IANA names, checked and turned into zones.

A team's zone says when its days begin and end (a due day, "today", the weeks of its reports);
a person's zone only how times are shown to them. Both are names from the IANA database that
Python ships with (`zoneinfo`), such as Europe/Berlin; an empty name means the portal's
`TIME_ZONE`.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError

TIME_ZONE_UNKNOWN = "Choose a time zone from the list, such as Europe/Berlin or America/New_York."


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every zone a person may choose, sorted (UTC first)."""
    names = available_timezones() - {"localtime", "Factory"}
    return ("UTC", *sorted(n for n in names if n != "UTC"))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in zone_names()]


def validate_time_zone(name: str) -> None:
    if name and name not in zone_names():
        raise ValidationError(TIME_ZONE_UNKNOWN, code="invalid")


def portal_time_zone() -> str:
    return settings.TIME_ZONE


def zone(name: str | None) -> tzinfo:
    """The zone of `name`; the portal's for an empty or unknown name."""
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: date, in_zone: tzinfo) -> datetime:
    """The last moment of `day` in `in_zone`: a day's deadline (overdue once it has passed)."""
    return datetime.combine(day, time.max, tzinfo=in_zone)


def start_of_day(day: date, in_zone: tzinfo) -> datetime:
    """The first moment of `day` in `in_zone` (its midnight)."""
    return datetime.combine(day, time.min, tzinfo=in_zone)


def today_in(in_zone: tzinfo, now: datetime | None = None) -> date:
    """The current day (or the day of `now`) in `in_zone`."""
    from django.utils import timezone

    return (now or timezone.now()).astimezone(in_zone).date()
