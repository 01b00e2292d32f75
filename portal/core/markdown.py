"""Markdown the portal writes (daily summaries) as HTML that is safe to show in a page.

Markdown passes raw HTML through, and text inside it (task titles, names) comes from people,
so the HTML is sanitised with nh3 to the elements Markdown itself produces: no scripts, no
event handlers, no styles but table alignment, links only to http(s), mailto or this site.
"""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}}


def markdown_to_html(text: str) -> SafeString:
    """Render Markdown (with tables) and keep only safe HTML."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        filter_style_properties={"text-align"},
    )
    return mark_safe(clean)  # sanitised by nh3 just above
