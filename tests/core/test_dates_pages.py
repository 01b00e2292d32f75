"""The team pages' date helpers (`show_date`, `|when`) write the same one format."""

from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from portal.core.dates import show_date

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("value", "with_time", "expected"),
    [
        (date(2026, 3, 2), False, "Mar 2"),
        (date(2025, 12, 31), False, "Dec 31, 2025"),
        (datetime(2026, 3, 2, 14, 5, tzinfo=timezone.get_current_timezone()), True, "Mar 2, 14:05"),
        (
            datetime(2027, 1, 9, 8, 0, tzinfo=timezone.get_current_timezone()),
            True,
            "Jan 9, 2027, 08:00",
        ),
        (datetime(2027, 1, 9, 8, 0, tzinfo=timezone.get_current_timezone()), False, "Jan 9, 2027"),
        (date(2026, 3, 2), True, "Mar 2"),  # a day has no time to show
        (None, False, ""),
    ],
)
def test_show_date(value, with_time, expected):
    assert show_date(value, with_time=with_time, today=TODAY) == expected


def test_the_template_filter_uses_the_same_format():
    moment = timezone.now()
    rendered = Template('{% load portal_dates %}{{ d|when }}|{{ d|when:"time" }}').render(
        Context({"d": moment})
    )
    assert rendered == f"{show_date(moment)}|{show_date(moment, with_time=True)}"
