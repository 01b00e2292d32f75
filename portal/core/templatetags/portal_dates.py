"""Dates in the portal's one format (portal.core.dates): `moment`, `day` and `when`."""

from django import template

from portal.core import dates

register = template.Library()


@register.filter
def moment(value):
    return dates.moment(value)


@register.filter
def day(value):
    return dates.day(value)


@register.filter
def when(value, arg: str = "") -> str:
    """`{{ value|when }}` (a day) and `{{ value|when:"time" }}` (a moment), for the team pages."""
    return dates.show_date(value, with_time=arg == "time")
