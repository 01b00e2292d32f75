"""`{{ value|moment }}` and `{{ value|day }}`: dates in the portal's one format (portal.core.dates)."""

from django import template

from portal.core import dates

register = template.Library()


@register.filter
def moment(value):
    return dates.moment(value)


@register.filter
def day(value):
    return dates.day(value)
