"""Password rules shared by every door (admin, allauth pages, API registration and change)."""

import re

from django.core.exceptions import ValidationError

MISSING_LOWER = "The password must contain at least one lower-case letter."
MISSING_UPPER = "The password must contain at least one upper-case letter."
MISSING_DIGIT = "The password must contain at least one digit."
MISSING_SYMBOL = "The password must contain at least one symbol (such as ! ? # % or -)."
CONTAINS_USERNAME = "The password must not contain your username."


class CharacterClassValidator:
    """Lower case, upper case, digit and symbol, each at least once."""

    rules = (
        (re.compile(r"[a-z]"), MISSING_LOWER, "password_no_lower"),
        (re.compile(r"[A-Z]"), MISSING_UPPER, "password_no_upper"),
        (re.compile(r"\d"), MISSING_DIGIT, "password_no_digit"),
        (re.compile(r"[^A-Za-z0-9]"), MISSING_SYMBOL, "password_no_symbol"),
    )

    def validate(self, password: str, user=None) -> None:
        errors = [
            ValidationError(message, code=code)
            for pattern, message, code in self.rules
            if not pattern.search(password)
        ]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return "Your password must mix lower case, upper case, digits and symbols."


class NotContainingUsernameValidator:
    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and len(username) >= 3 and username in password.lower():
            raise ValidationError(CONTAINS_USERNAME, code="password_contains_username")

    def get_help_text(self) -> str:
        return "Your password must not contain your username."
