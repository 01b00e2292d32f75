"""The input limits every door shares: NUL characters, JSON depth, ids."""

import pytest

from portal.core.validators import (
    ID_MAX,
    JSON_TOO_DEEP,
    MAX_JSON_DEPTH,
    NUL_CHARACTER,
    as_id,
    json_problem,
    json_too_deep,
)


def nested(levels: int, leaf=None):
    value = leaf
    for _ in range(levels):
        value = [value] if levels % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"a": [1, "two", {"b": None}]}, None),
        (nested(MAX_JSON_DEPTH), None),
        (nested(MAX_JSON_DEPTH + 1), JSON_TOO_DEEP),
        (nested(100_000), JSON_TOO_DEEP),  # no recursion, whatever the depth
        ({"a": "x\x00y"}, NUL_CHARACTER),
        ({"a\x00": 1}, NUL_CHARACTER),
        ([[["\x00"]]], NUL_CHARACTER),
        ("plain", None),
    ],
)
def test_json_problem(value, problem):
    assert json_problem(value) == problem
    assert json_too_deep(value) is (problem == JSON_TOO_DEEP)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        ("42", 42),
        (ID_MAX, ID_MAX),
        (str(ID_MAX), ID_MAX),
        (ID_MAX + 1, None),
        (2**70, None),
        ("9223372036854775808", None),
        ("9" * 5000, None),
        (0, None),
        (-1, None),
        ("-1", None),
        ("1.5", None),
        (1.0, None),
        (True, None),
        ("١٢", None),  # digits, but not ASCII ones
        ("", None),
        (None, None),
        ([1], None),
    ],
)
def test_as_id(value, expected):
    assert as_id(value) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0001-01-01T23:59:59+00:00", False),
        ("0001-01-02T00:00:00+00:00", True),
        ("2026-12-01T09:00:00+14:00", True),
        ("9999-12-30T23:59:59+00:00", True),
        ("9999-12-31T00:00:00+00:00", False),
        ("9999-12-31T12:00:00+14:00", True),  # 9999-12-30 22:00 UTC
        ("9999-12-31T20:00:00+14:00", False),
        ("0001-01-01T12:00:00", False),  # naive values are checked too
        ("2026-12-01T09:00:00", True),
    ],
)
def test_datetimes_stay_a_day_inside_the_calendar(value, ok):
    from datetime import datetime

    from portal.core.validators import DATETIME_RANGE, datetime_problem

    assert datetime_problem(datetime.fromisoformat(value)) == (None if ok else DATETIME_RANGE)


@pytest.mark.parametrize(
    ("value", "single_line", "multi_line"),
    [
        ("Marcus", None, None),
        ("Ünïcödé ✓ 名前", None, None),
        ("Mar\x01cus", "control", "control"),
        ("a\x1fb", "control", "control"),
        ("a\x0bb", "control", "control"),  # vertical tab
        ("a\x0cb", "control", "control"),  # form feed
        ("a\x1bb", "control", "control"),  # escape
        ("a\tb", "control", None),
        ("a\nb", "control", None),
        ("a\r\nb", "control", None),
        ("a\x00b", "nul", "nul"),
        ("a\x7fb\x85c", None, None),  # not C0: left to the screens
    ],
)
def test_text_problem(value, single_line, multi_line):
    from portal.core.validators import CONTROL_CHARACTER, text_problem

    messages = {None: None, "control": CONTROL_CHARACTER, "nul": NUL_CHARACTER}
    assert text_problem(value) == messages[single_line]
    assert text_problem(value, multi_line=True) == messages[multi_line]


def test_models_refuse_control_characters_by_kind_of_field(db):
    from django.core.exceptions import ValidationError

    from portal.core.validators import CONTROL_CHARACTER
    from tests.factories import UserFactory

    user = UserFactory.build(first_name="Mar\x01cus", last_name="Lee\tJr")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert exc.value.message_dict["first_name"] == [CONTROL_CHARACTER]
    assert exc.value.message_dict["last_name"] == [CONTROL_CHARACTER]
