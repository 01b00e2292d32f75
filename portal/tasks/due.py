"""A task's due date: a day, or a day and a time (what Jira, Linear and Trello do).

People give a due date as a day ("2026-12-24", a date picker) or as a day and a time. A day
means the whole day in the team's time zone: the task is overdue once that day has ended there.
A task stores both what every query compares and what people gave:
- `due_date`, the moment the task becomes overdue: the given moment, or for a day the last
  moment of that day in the team's zone (so `overdue`, "due in 7 days", reminders, summaries
  and reports compare one indexed column, as before);
- `due_day`, the day when no time was given (empty otherwise), which every door shows as just
  the day ("Dec 24"), writes as a date in sheets and as "2026-12-24" in the API.
When a team changes its time zone, its day-only due dates move to the new zone's day ends.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.dates import day, moment
from portal.core.parsing import storable_moment
from portal.core.zones import end_of_day, zone

# How far a due date may lie from today (a typo such as 1900 or 20266 is refused at every door).
DUE_YEARS_BEFORE = 10
DUE_YEARS_AFTER = 50
DUE_OUT_OF_RANGE = (
    f"Enter a due date from {DUE_YEARS_BEFORE} years ago to {DUE_YEARS_AFTER} years from today."
)
DUE_INVALID = "Enter a due day (2026-12-24) or a day and a time (2026-12-24T17:00)."


def due_values(team, value: Any) -> tuple[datetime | None, date | None]:
    """(`due_date`, `due_day`) for a due date given as a day, a moment or nothing.

    A `date` is a day in the team's zone; a `datetime` a moment (naive: the current zone's).
    Raises ValidationError for a value that is neither, or one too far from today.
    """
    value = check_due(value)
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value, None
    return end_of_day(value, zone(team.time_zone)), value


def check_due(value: Any) -> date | datetime | None:
    """`value` if it is a due date the portal takes (a day or a storable moment, within the
    range around today), else ValidationError; forms check it beside their other fields."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = storable_moment(value)
        if moment is None:
            raise ValidationError(DUE_INVALID, code="invalid")
        _check_range(moment.date())
        return moment
    if isinstance(value, date):
        _check_range(value)
        return value
    raise ValidationError(DUE_INVALID, code="invalid")


def _check_range(given: date) -> None:
    today = timezone.localdate()
    earliest = today - timedelta(days=365 * DUE_YEARS_BEFORE + DUE_YEARS_BEFORE // 4)
    latest = today + timedelta(days=365 * DUE_YEARS_AFTER + DUE_YEARS_AFTER // 4)
    if not earliest <= given <= latest:
        raise ValidationError(DUE_OUT_OF_RANGE, code="out_of_range")


def apply_due(team, fields: dict[str, Any]) -> None:
    """Turn a given `due_date` in service keywords into the stored pair (in place)."""
    if "due_date" in fields:
        try:
            fields["due_date"], fields["due_day"] = due_values(team, fields["due_date"])
        except ValidationError as exc:
            raise ValidationError({"due_date": exc.messages}) from None


def due_given(due_date: datetime | None, due_day: date | None) -> date | datetime | None:
    """What a person gave: the day, or the moment (for forms, sheets and the API)."""
    return due_day if due_day is not None else due_date


def due_text(due_date: datetime | None, due_day: date | None, now: datetime | None = None) -> str:
    """The due date as people read it: "Dec 24" for a day, "Dec 24, 17:00" for a moment."""
    if due_day is not None:
        return day(due_day, now)
    return moment(due_date, now)


OVERDUE_WORDS = "Overdue (due {due})"


def due_words(
    due_date: datetime | None, due_day: date | None, overdue: bool, now: datetime | None = None
) -> str:
    """One wording for one state, at every door: "Overdue (due Nov 29)", or just "Dec 24"."""
    if due_date is None:
        return ""
    text = due_text(due_date, due_day, now)
    return OVERDUE_WORDS.format(due=text) if overdue else text


def due_day_in_zone(team, due_date: datetime | None, due_day: date | None) -> date | None:
    """The day a task is due as its team sees it: the day given, or the day of the due moment
    in the team's time zone."""
    if due_day is not None:
        return due_day
    if due_date is None:
        return None
    return due_date.astimezone(zone(team.time_zone)).date()


def due_on_day(team, due_date: datetime | None, due_day: date | None, new_day: date):
    """A due date moved to `new_day`: the day, or the same time of day in the team's zone."""
    if due_day is not None or due_date is None:
        return new_day
    team_zone = zone(team.time_zone)
    return datetime.combine(new_day, due_date.astimezone(team_zone).time(), tzinfo=team_zone)
