"""Small helpers for the team pages' templates (no queries: everything is preloaded)."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from portal.accounts.models import name_of
from portal.core.markdown import markdown_to_html
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
def markdown(text: str):
    """People's Markdown (a description) as safe HTML: portal/core/markdown.py."""
    return markdown_to_html(text)


@register.filter
def metadata_items(metadata) -> list[tuple[str, str]]:
    """A task's metadata as key and value, sorted by key; nested values as JSON."""
    if not isinstance(metadata, dict):
        return []
    return [
        (str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in sorted(metadata.items(), key=lambda item: str(item[0]))
    ]


@register.filter
def choice_input(box) -> str:
    """One check box (or radio button) of a multiple-choice field: the <input> Django's
    `input.html` and `attrs.html` write for `box.tag`, without rendering two templates per
    choice (a task's form has one per person and tag of the team). The same attributes in
    the same order: a True attribute written bare, a False one left out."""
    data = box.data
    html = format_html('<input type="{}" name="{}"', data["type"], data["name"])
    if data["value"] is not None:
        html += format_html(' value="{}"', data["value"])
    for name, value in data["attrs"].items():
        if value is True:
            html += format_html(" {}", name)
        elif value is not False:
            html += format_html(' {}="{}"', name, value)
    # Every part above went through format_html (escaped); only the closing ">" is added.
    return mark_safe(html + ">")
