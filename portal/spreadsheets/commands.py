"""What the `import` and `export` commands share: the acting person and list filters."""

from django.core.management.base import CommandError
from django.db.models import Q

from portal.accounts.models import User

USER_UNKNOWN = "No active person with the username or email {name}."
FILTER_INVALID = "Write filters as NAME=VALUE (status=todo), not {value}."


def acting_user(name: str) -> User:
    """The person a command acts as, by username or email (any case)."""
    person = User.objects.filter(
        Q(username__iexact=name) | Q(email__iexact=name), is_active=True
    ).first()
    if person is None:
        raise CommandError(USER_UNKNOWN.format(name=name))
    return person


def parse_filters(values: list[str]) -> dict[str, str]:
    filters = {}
    for value in values:
        name, sep, given = value.partition("=")
        if not sep or not name.strip():
            raise CommandError(FILTER_INVALID.format(value=value))
        filters[name.strip()] = given.strip()
    return filters
