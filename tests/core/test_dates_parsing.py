"""The one date parser: real calendar dates only, and only moments the databases can store."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_tz

from portal.core.parsing import parse_moment, storable_moment


@pytest.mark.parametrize(
    "text",
    [
        "2026-13-01",  # month 13
        "2026-00-10",  # month 0
        "2026-02-30",  # February 30
        "2026-02-29",  # not a leap year
        "0000-01-01",  # year 0
        "0000-00-00",
        "2026-01-01T25:00",  # hour 25
        "2026-01-01T12:60",
        "2026-01-01T12:00:61",
        "0274-07-25T13:32:13.4+20:54",  # PostgreSQL takes offsets under 16 hours
        "2026-01-01T00:00:00-16:00",
        "2026-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00+00:01",  # before the first moment in UTC
        "9999-12-31T23:59:59-00:01",  # after the last
        "yesterday",
        "",
        "2026-01-01\x00",
    ],
)
def test_impossible_or_unstorable_text_is_refused(text):
    assert parse_moment(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2028-02-29", (2028, 2, 29, 0, 0, None)),
        ("2026-1-5", (2026, 1, 5, 0, 0, None)),
        ("2026-12-31T17:00", (2026, 12, 31, 17, 0, None)),
        ("2026-12-31T17:00:00Z", (2026, 12, 31, 17, 0, timedelta(0))),
        ("2026-12-31T17:00:00+15:59", (2026, 12, 31, 17, 0, timedelta(hours=15, minutes=59))),
        ("2026-12-31T17:00:00-15:59", (2026, 12, 31, 17, 0, -timedelta(hours=15, minutes=59))),
    ],
)
def test_real_dates_are_aware_moments(text, expected):
    moment = parse_moment(text)
    offset = expected[5]
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == expected[:5]
    assert django_tz.is_aware(moment)
    if offset is not None:
        assert moment.utcoffset() == offset


def test_dates_and_datetimes_pass_through_the_same_limits():
    assert parse_moment(date(2026, 5, 1)) == django_tz.make_aware(datetime(2026, 5, 1))
    assert parse_moment(datetime(2026, 5, 1, tzinfo=UTC)) == datetime(2026, 5, 1, tzinfo=UTC)
    far = timezone(timedelta(hours=20))
    assert storable_moment(datetime(2026, 5, 1, tzinfo=far)) is None


def test_an_offset_can_be_required():
    assert parse_moment("2026-01-01T00:00:00", offset_required=True) is None
    assert parse_moment("2026-01-01", offset_required=True) is None
    assert parse_moment("2026-01-01T00:00:00+01:00", offset_required=True) is not None
