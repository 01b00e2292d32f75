"""Small helpers for the team pages' templates (no queries: everything is preloaded)."""

import json

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A person's name as people read it: full name, else username; "someone" when deleted."""
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


@register.filter
def initials(user) -> str:
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        return (first[0] + last[0]).upper()
    return (first or last or user.get_username())[:2].upper()


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
