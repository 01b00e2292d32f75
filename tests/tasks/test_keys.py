"""The one writer and reader of task keys (OPS-42)."""

import pytest

from portal.tasks.keys import KEY_IN_TEXT_RE, parse_task_key, task_key


def test_a_key_is_the_team_key_and_the_number():
    assert task_key("OPS", 42) == "OPS-42"
    assert task_key("OPS", None) == ""


@pytest.mark.parametrize(
    ("text", "team_key", "expected"),
    [
        ("OPS-42", None, ("OPS", 42)),
        ("  ops-7 ", None, ("OPS", 7)),
        ("42", "OPS", ("OPS", 42)),
        ("42", None, None),
        ("OPS-0042", None, ("OPS", 42)),
        ("OPS-1234567890", None, None),  # ten digits: no task has such a number
        ("O-1", None, None),
        ("OPS-", None, None),
        ("OPS-4x", None, None),
        ("ÖPS-4", None, None),
        ("OPS-\uff14\uff12", None, None),  # full-width digits are not a number here
        ("", "OPS", None),
        (None, None, None),
    ],
)
def test_parse_a_key(text, team_key, expected):
    assert parse_task_key(text, team_key=team_key) == expected


def test_keys_in_a_text_stand_alone():
    found = [m.group(0) for m in KEY_IN_TEXT_RE.finditer("See OPS-4, x-OPS-5 and OPS-6b; DES-7.")]
    assert found == ["OPS-4", "DES-7"]
