"""`{% load mentions %}`: `{{ comment.body|mentions:mentioned }}` links the @mentions of people
who may see the task (portal/tasks/mentions.py); `mentioned` comes from `mentioned_people`,
read once per page. Works on plain text and on `|markdown`'s safe HTML alike."""

from django import template

from portal.tasks.mentions import link_mentions

register = template.Library()
register.filter("mentions", link_mentions)
