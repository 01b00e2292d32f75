"""@mentions in comments and descriptions, shown as links to the people they name.

A mention links only when it names someone who may see the task (the same people a mention
notifies: active, and `can_view_task`, here as the `task_viewers_q` filter); any other @word
stays plain text. The text stays as written: `@Bob` links as `@Bob`. Mentions are found with
the outbox's own pattern (`portal.events.services.MENTION`, `mentions_in`).

A page reads everyone it mentions at once (`mentioned_people`, one query for the description
and every comment), then each text is rendered with `link_mentions` (the `mentions` template
filter, `portal/tasks/templatetags/mentions.py`, used by the team pages and the admin).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from portal.accounts.models import User, name_of
from portal.core.markdown import link_in_text
from portal.events.services import MENTION, mentions_in
from portal.tasks.permissions import task_viewers_q


@dataclass(frozen=True)
class Mentioned:
    """Where a mention of one person leads, and their name for the link's title."""

    url: str
    name: str


def mentioned_people(*, team, texts: Iterable[str | None]) -> dict[str, Mentioned]:
    """Lower-cased username -> link, for the people `texts` mention who may see `team`'s tasks.

    One query for all the texts (none when nothing is mentioned). The link is the team's task
    list filtered to what is assigned to that person (the team pages' view of a person).
    """
    names = {name.lower() for text in texts for name in mentions_in(text)}
    if not names:
        return {}
    people = (
        User.objects.annotate(name=Lower("username"))
        .filter(name__in=names)
        .filter(task_viewers_q([team.pk]))
        .distinct()
    )
    base = reverse("pages:task_list", args=[team.slug])
    return {
        person.name: Mentioned(url=f"{base}?assignee={person.pk}", name=name_of(person))
        for person in people
    }


def mentions_as_links(text: str, people: Mapping[str, Mentioned]) -> str:
    """Plain `text` as escaped HTML, each mention of someone in `people` as a link."""
    out, last = [], 0
    for match in MENTION.finditer(text):
        person = people.get(match.group(1).lower())
        if person is None:
            continue
        out.append(escape(text[last : match.start()]))
        out.append(
            format_html(
                '<a class="mention" href="{}" title="{}">{}</a>',
                person.url,
                person.name,
                match.group(0),
            )
        )
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def link_mentions(value, people: Mapping[str, Mentioned] | None) -> SafeString:
    """`value` as safe HTML with its mentions of `people` linked.

    Plain text (a comment) is escaped first; safe HTML (a description through `markdown`) is
    linked in its text only, never inside a tag, a link or code.
    """
    if value is None:
        return mark_safe("")
    if isinstance(value, SafeData):
        return link_in_text(value, lambda text: mentions_as_links(text, people or {}))
    return mark_safe(mentions_as_links(str(value), people or {}))  # every piece escaped
