"""`{{ value|when }}` and `{{ value|when:"time" }}`: the portal's one date format."""

from django import template

from portal.core.dates import show_date

register = template.Library()


@register.filter
def when(value, arg: str = "") -> str:
    return show_date(value, with_time=arg == "time")
