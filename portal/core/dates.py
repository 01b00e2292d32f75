"""How the portal writes a moment or a day for people: one format, in one place.

"Nov 24, 15:35" for this year and "Jan 1, 2001, 00:00" for any other year, in the portal's
time zone. Every admin column and page writes dates through `moment` / `day` (or the `moment`
and `day` template filters of `portal_dates`), and the locale formats in `portal/formats/`
use the same patterns, so values Django renders itself (third-party admin pages) look alike.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.dateformat import re_formatchars
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.translation import get_language

DAY = "M j"
YEAR = ", Y"
TIME = ", H:i"
# The full forms (with the year), also the locale's DATE_FORMAT and DATETIME_FORMAT.
DAY_WITH_YEAR = DAY + YEAR
MOMENT_WITH_YEAR = DAY_WITH_YEAR + TIME
EMPTY = "-"


# The format characters these patterns use, written as Django's `dateformat` writes them (a
# list column formats hundreds of dates: Django's formatter parses the pattern every time).
_CODES = {
    "M": lambda d: _month(d.month),
    "j": lambda d: str(d.day),
    "Y": lambda d: f"{d.year:04d}",
    "H": lambda d: f"{d.hour:02d}",
    "i": lambda d: f"{d.minute:02d}",
}
_TIME_CODES = {"H", "i"}
_MONTHS: dict[tuple[str | None, int], str] = {}


def _month(number: int) -> str:
    """The month's short name ("Nov") in the active language, translated once per language."""
    key = (get_language(), number)
    if key not in _MONTHS:
        _MONTHS[key] = MONTHS_3[number].title()
    return _MONTHS[key]


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> tuple | None:
    """The pattern as literal text and format codes; None when it uses anything else (an
    escape or another code: Django's formatter writes it)."""
    if "\\" in pattern:
        return None
    parts = []
    for index, piece in enumerate(re_formatchars.split(pattern)):
        if index % 2:
            if piece not in _CODES:
                return None
            parts.append(piece)
        elif piece:
            parts.append(("", piece))
    return tuple(parts)


def date_format(value: date | datetime, pattern: str) -> str:
    """`django.utils.dateformat.format(value, pattern)`, faster for the portal's patterns."""
    compiled = _compiled(pattern)
    if compiled is None or (
        not isinstance(value, datetime) and any(part in _TIME_CODES for part in compiled)
    ):
        return django_format(value, pattern)
    return "".join(part[1] if type(part) is tuple else _CODES[part](value) for part in compiled)


def _this_year(now: datetime | None) -> int:
    return timezone.localdate(now or timezone.now()).year


def moment(value: datetime | None, now: datetime | None = None) -> str:
    """`value` in local time: "Nov 24, 15:35", with the year when it is not this year."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = DAY + TIME if local.year == _this_year(now) else MOMENT_WITH_YEAR
    return date_format(local, pattern)


def day(value: date | datetime | None, now: datetime | None = None) -> str:
    """A calendar day: "Nov 24", with the year when it is not this year."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    pattern = DAY if value.year == _this_year(now) else DAY_WITH_YEAR
    return date_format(value, pattern)


def moment_html(value: datetime | None, now: datetime | None = None, css: str = "") -> str:
    """`moment` in a <time> element whose tooltip always has the year (for list columns)."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    full = date_format(local, MOMENT_WITH_YEAR)
    # The text is `moment`: the same words without the year in this year.
    text = date_format(local, DAY + TIME) if local.year == _this_year(now) else full
    return format_html(
        '<time class="whitespace-nowrap{}" datetime="{}" title="{}">{}</time>',
        f" {css}" if css else "",
        local.isoformat(),
        full,
        text,
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
