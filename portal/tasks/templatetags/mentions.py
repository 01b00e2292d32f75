"""`{% load mentions %}`: `{{ comment.body|mentions:mentioned }}` links the @mentions of people
who may see the task (portal/tasks/mentions.py); `mentioned` comes from `mentioned_people`,
read once per page. Works on plain text and on `|markdown`'s safe HTML alike.

`{{ comment.body|rich:links }}` renders people's Markdown with task keys and mentions linked
(portal/tasks/richtext.py); `links` comes from `text_links`, read once per page."""

from django import template

from portal.tasks.mentions import link_mentions
from portal.tasks.richtext import rich_text

register = template.Library()
register.filter("mentions", link_mentions)
register.filter("rich", rich_text)
