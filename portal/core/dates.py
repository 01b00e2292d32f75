"""How the portal writes a moment or a day for people: one format, in one place.

"Nov 24, 15:35" for this year and "Jan 1, 2001, 00:00" for any other year, in the portal's
time zone. Every admin column and page writes dates through `moment` / `day` (or the `moment`
and `day` template filters of `portal_dates`), and the locale formats in `portal/formats/`
use the same patterns, so values Django renders itself (third-party admin pages) look alike.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.html import format_html

DAY = "M j"
YEAR = ", Y"
TIME = ", H:i"
# The full forms (with the year), also the locale's DATE_FORMAT and DATETIME_FORMAT.
DAY_WITH_YEAR = DAY + YEAR
MOMENT_WITH_YEAR = DAY_WITH_YEAR + TIME
EMPTY = "-"


def _this_year(now: datetime | None) -> int:
    return timezone.localdate(now or timezone.now()).year


def moment(value: datetime | None, now: datetime | None = None) -> str:
    """`value` in local time: "Nov 24, 15:35", with the year when it is not this year."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = DAY + TIME if local.year == _this_year(now) else MOMENT_WITH_YEAR
    return django_format(local, pattern)


def day(value: date | datetime | None, now: datetime | None = None) -> str:
    """A calendar day: "Nov 24", with the year when it is not this year."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    pattern = DAY if value.year == _this_year(now) else DAY_WITH_YEAR
    return django_format(value, pattern)


def moment_html(value: datetime | None, now: datetime | None = None, css: str = "") -> str:
    """`moment` in a <time> element whose tooltip always has the year (for list columns)."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time class="whitespace-nowrap{}" datetime="{}" title="{}">{}</time>',
        f" {css}" if css else "",
        local.isoformat(),
        django_format(local, MOMENT_WITH_YEAR),
        moment(value, now),
    )


def show_date(value: date | datetime | None, *, with_time: bool = False, today=None) -> str:
    """The same format for the team pages: `day`, or `moment` with `with_time`; "" for none.

    `today` (a date) stands for the current day in tests.
    """
    if value in (None, ""):
        return ""
    now = timezone.make_aware(datetime(today.year, today.month, today.day)) if today else None
    if with_time and isinstance(value, datetime):
        return moment(value, now)
    return day(value, now)
