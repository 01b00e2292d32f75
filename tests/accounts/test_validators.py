import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from portal.accounts import validators as v
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ALLUPPER-123", v.MISSING_LOWER),
        ("alllower-123", v.MISSING_UPPER),
        ("NoDigits-here", v.MISSING_DIGIT),
        ("NoSymbol1234x", v.MISSING_SYMBOL),
    ],
)
def test_each_rule_has_its_message(db, password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert message in exc.value.messages


def test_username_not_in_password(db):
    user = UserFactory.build(username="marcus")
    with pytest.raises(ValidationError) as exc:
        validate_password("Xy-Marcus-2026!", user)
    assert v.CONTAINS_USERNAME in exc.value.messages


def test_short_password(db):
    with pytest.raises(ValidationError) as exc:
        validate_password("Aa1!")
    assert any("at least 8" in m for m in exc.value.messages)


def test_good_password(db):
    validate_password("Sunny-Harbour-2026!", UserFactory.build(username="marcus"))


def test_email_unique_ignoring_case(db):
    UserFactory(email="Ann@Example.com")
    with pytest.raises(ValidationError):
        UserFactory.build(username="ann2", email="ann@example.COM").validate_constraints()
