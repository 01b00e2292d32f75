"""One way to show dates and moments to people: "Mar 12", or "Mar 12, 2025" in another year.

The year is left out when it is the current year (in the portal's time zone), so lists stay
short, and shown otherwise, so an old date is never mistaken for a recent one. Moments are
shown in the portal's time zone (settings.TIME_ZONE).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format

SHORT = "M j"
WITH_YEAR = "M j, Y"
TIME = "H:i"


def show_date(value: date | datetime | None, *, with_time: bool = False, today=None) -> str:
    """`value` as people read it; "" for no value. `with_time` adds the hour for moments."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        day = value.date()
    else:
        day, with_time = value, False
    today = today or timezone.localdate()
    text = date_format(day, SHORT if day.year == today.year else WITH_YEAR)
    if with_time:
        text = f"{text}, {date_format(value, TIME)}"
    return text
