"""`{{ user|person }}`: a person's name as every page reads it (admin and team pages alike)."""

from django import template

from portal.accounts.models import name_of

register = template.Library()
register.filter("person", name_of)
