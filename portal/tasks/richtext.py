"""People's Markdown (task descriptions and comments) as every door shows it.

The text is rendered and sanitised by the portal's one Markdown renderer
(`portal.core.markdown`, the daily summaries' too; people's text may also link to web
addresses), then, in its text only (never inside a link or code), each task key the reader may
see (OPS-42) links to that task and each @mention of someone who may see the task links to
them (`portal.tasks.mentions`).

A page reads what all its texts link to at once with `text_links` (one query for the keys, one
for the mentions, none when nothing is named), then renders each text with `rich_text`. The
door says where a task key leads (`task_url`): the team pages link to their task page, the
admin to its change page, the API to the team page (`team_page_url`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from portal.core.markdown import link_in_text, markdown_to_html
from portal.tasks.keys import KEY_IN_TEXT_RE
from portal.tasks.mentions import Mentioned, mentioned_people, mentions_as_links
from portal.tasks.selectors import TaskRef, task_refs_by_key

# Keys looked up for one page at most; more stay text (the lookup is one query with an IN list).
MAX_KEYS = 500
# Longer texts (old descriptions: they have no length limit) are shown as plain text with line
# breaks, still with keys and mentions linked: the Markdown parser is slow on some long input.
MARKDOWN_MAX = 20_000


@dataclass(frozen=True)
class TextLinks:
    """What a page's texts link to: people by lower-cased username, task URLs by key."""

    people: Mapping[str, Mentioned] = field(default_factory=dict)
    tasks: Mapping[str, str] = field(default_factory=dict)


NO_LINKS = TextLinks()


def team_page_url(ref: TaskRef) -> str:
    """Where a task key leads on the team pages (and from the API): the task's page."""
    return reverse("pages:task", args=[ref.team_slug, ref.number])


def text_links(
    *, user, team, texts: Iterable[str | None], task_url: Callable[[TaskRef], str]
) -> TextLinks:
    """The links of every text of a page, read at once (at most two queries)."""
    texts = [text for text in texts if text]
    keys: set[str] = set()
    for text in texts:
        for match in KEY_IN_TEXT_RE.finditer(text):
            if len(keys) >= MAX_KEYS:
                break
            keys.add(match.group(0))
    refs = task_refs_by_key(fetched_by=user, keys=keys)
    return TextLinks(
        people=mentioned_people(team=team, texts=texts),
        tasks={key: task_url(ref) for key, ref in refs.items()},
    )


def _link(text: str, links: TextLinks) -> str:
    """Plain `text` as escaped HTML with its task keys and mentions linked."""
    out, last = [], 0
    for match in KEY_IN_TEXT_RE.finditer(text):
        url = links.tasks.get(match.group(0))
        if url is None:
            continue
        out.append(mentions_as_links(text[last : match.start()], links.people))
        out.append(format_html('<a class="task-key" href="{}">{}</a>', url, match.group(0)))
        last = match.end()
    out.append(mentions_as_links(text[last:], links.people))
    return "".join(out)


def rich_text(text: str | None, links: TextLinks | None = None) -> SafeString:
    """`text` (Markdown) as safe HTML with its keys and mentions linked."""
    if not text:
        return mark_safe("")
    links = links or NO_LINKS
    if len(text) > MARKDOWN_MAX:
        return mark_safe(
            "".join(
                f'<p class="plain-text">{_link(part, links)}</p>'
                for part in text.replace("\x00", "\ufffd").split("\n\n")
                if part.strip()
            )
        )  # every piece escaped by _link
    return link_in_text(markdown_to_html(text, web_links=True), lambda piece: _link(piece, links))
