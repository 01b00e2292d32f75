"""Markdown the portal writes (daily summaries) as HTML that is safe to show in a page.

Markdown passes raw HTML through, and text inside it (task titles, names) comes from people,
so the HTML is sanitised with nh3 to the elements Markdown itself produces: no scripts, no
event handlers, no styles but table alignment, and links only to this site (a path starting
with one "/"). A link elsewhere keeps its text and loses its address.

Text from people that goes into Markdown the portal writes is escaped with `escape_text`
first, so a title like `[x](https://evil.example)` stays text.
"""

from __future__ import annotations

import re

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

# Characters Markdown gives a meaning to (tables: "|"); a backslash keeps each literal. "<" and
# "&" become entities, so raw HTML and entities in the text stay text. "-" and "." mean
# something only at the start of a line, and task keys (OPS-42) must stay findable in the text.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|>#+])")
# Browsers drop tabs and line breaks inside an address and read "\" as "/": any of them, or
# another control character or a space, is refused rather than second-guessed.
_NOT_IN_PATH = re.compile(r"[\x00-\x20\x7f\\]")


def escape_text(text: str) -> str:
    """`text` as Markdown that renders as exactly that text, for use inside a line."""
    text = " ".join(str(text).splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def same_site_path(url: str) -> str | None:
    """`url` when it is a path on this site ("/admin/..."), else None.

    "//host/x" (and "/\\host", "\\\\host", or either with spaces or tabs a browser would
    drop) names another site with this page's scheme, so it is refused like "https://host".
    """
    if not url.startswith("/") or url.startswith("//") or _NOT_IN_PATH.search(url):
        return None
    return url


def markdown_to_html(text: str) -> SafeString:
    """Render Markdown (with tables) and keep only safe HTML."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=set(),  # no absolute address at all; paths go through same_site_path
        url_relative=same_site_path,
        filter_style_properties={"text-align"},
    )
    return mark_safe(clean)  # sanitised by nh3 just above
