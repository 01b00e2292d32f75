"""Small helpers for the team pages' templates (no queries: everything is preloaded)."""

import json

from django import template

from portal.accounts.models import name_of
from portal.pages import cards

register = template.Library()


# The accounts' `person` filter, so team page templates need one library.
register.filter("person", name_of)


@register.filter
def initials(user) -> str:
    return cards.initials(user.first_name, user.last_name, user.get_username())


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with `changes` applied (None or "" removes a parameter)."""
    params = context["request"].GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def field_named(form, name: str):
    """`form[name]` for a name held in a variable."""
    return form[name]


@register.filter
def as_json(value) -> str:
    """A JSON value as JSON (metadata), not as Python's repr."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
