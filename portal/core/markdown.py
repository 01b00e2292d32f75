"""Markdown as HTML that is safe to show in a page: the one renderer of the portal.

It renders what the portal writes (daily summaries) and what people write (task descriptions,
comments). Markdown passes raw HTML through, so the HTML is sanitised with nh3 to the elements
Markdown itself produces: no scripts, no event handlers, no styles but table alignment.
Images are never loaded: each becomes a link to its address (under the same link rules), so a
picture from another host cannot watch who reads the page.

Links: the portal's own Markdown links only to this site (a path starting with one "/"); a link
elsewhere keeps its text and loses its address. People's Markdown (`web_links=True`) may also
link to http, https and mailto addresses, marked `rel="nofollow noopener noreferrer"`; any
other scheme (`javascript:`, `data:`, ...) loses its address the same way.

Text from people that goes into Markdown the portal writes is escaped with `escape_text`
first, so a title like `[x](https://evil.example)` stays text.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

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


WEB_SCHEMES = frozenset({"http", "https", "mailto"})
# Quotes nested deeper than this are read as this deep: the parser recurses once per level,
# and a page of ">>>>..." lines would otherwise take seconds (and risk the recursion limit).
MAX_QUOTE_DEPTH = 8
_DEEP_QUOTE = re.compile(rf"^((?:[ \t]*>){{{MAX_QUOTE_DEPTH}}})(?:[ \t]*>)+", re.MULTILINE)


# Python-Markdown looks for the end of a link from every "[" it meets, character by character,
# so thousands of "[" with no "]" (or nested in each other) take minutes. A "[" that closes in
# its paragraph no deeper than this is kept; any other is escaped and shows as written.
MAX_BRACKET_DEPTH = 3
# Markers that open a list inside a list on one line ("- - - - x") nest once each; deep enough,
# the parser hits the recursion limit. Past this many, the rest are read as text.
MAX_LIST_DEPTH = 8
_MARKER = r"(?:[-*+]|\d{1,9}[.)])"
_DEEP_LIST = re.compile(
    rf"^((?:[ \t]*{_MARKER}[ \t]+){{{MAX_LIST_DEPTH}}})(\d{{0,9}})([-*+.)][ \t])", re.MULTILINE
)


def _tamed(text: str) -> str:
    """`text` with what would make the parser slow or recurse too deep read as plain text."""
    text = text.replace("\x00", "\ufffd")
    text = _DEEP_QUOTE.sub(r"\1", text)
    text = _DEEP_LIST.sub(r"\1\2\\\3", text)  # "- x" -> "\- x", "1. x" -> "1\. x"
    return _tame_brackets(text) if "[" in text else text


# A link's address and title longer than this are not looked for (the "[" is escaped).
MAX_LINK_TARGET = 2_000
_PARENS = re.compile(r"[()]|\n\n")


def _link_end(text: str, start: int) -> int | None:
    """Where the ")" that closes a link's "(" (just before `start`) is, if near enough."""
    depth = 1
    for match in _PARENS.finditer(text, start, start + MAX_LINK_TARGET):
        token = match.group(0)
        if token == "\n\n":
            return None
        depth += 1 if token == "(" else -1
        if depth == 0:
            return match.start()
    return None


# Code (closed fenced blocks, inline spans on one line): brackets there mean nothing to the
# parser. Indented lines are not skipped: in a list they are text, not code.
_CODE = re.compile(r"^(`{3,}|~{3,}).*?^\1|(`+)[^\n]*?\2", re.MULTILINE | re.DOTALL)


def _tame_brackets(text: str) -> str:
    """Escape each "[" that no "]" closes in its paragraph, or that opens too deep (one pass).

    Backslash escapes are honoured and code is skipped (its brackets stay as written).
    """
    chars = list(text)
    code = {m.start(): m.end() for m in _CODE.finditer(text) if m.end() > m.start()}
    escape: set[int] = set()
    open_at: list[int] = []
    i, n = 0, len(chars)
    while i < n:
        c = chars[i]
        if i in code:
            i = code[i]
            continue
        if c == "\\":
            i += 2
            continue
        if c == "[":
            if len(open_at) >= MAX_BRACKET_DEPTH:
                escape.add(i)
            else:
                open_at.append(i)
        elif c == "]" and open_at:
            opened = open_at.pop()
            if text.startswith("(", i + 1):
                end = _link_end(text, i + 2)
                if end is None:
                    escape.add(opened)
                else:
                    i = end
        elif (c == "\n" and text.startswith("\n", i + 1)) or i + 1 == n:
            escape.update(open_at)  # a blank line (or the end) ends the paragraph
            open_at.clear()
        i += 1
    escape.update(open_at)
    if not escape:
        return text
    return "".join("\\[" if at in escape else c for at, c in enumerate(chars))


class _ImagesAsLinks(Treeprocessor):
    """`![alt](src)` as a link to `src` reading "alt" (or the address): nothing is loaded."""

    def run(self, root) -> None:
        for element in root.iter("img"):
            src, alt = element.get("src", ""), element.get("alt", "")
            title = element.get("title")
            element.tag = "a"
            element.attrib.clear()
            element.set("href", src)
            if title:
                element.set("title", title)
            element.text = alt or src


class _ImagesAsLinksExtension(Extension):
    def extendMarkdown(self, md_instance) -> None:
        # After the inline patterns (which make the <img>), before serialising.
        md_instance.treeprocessors.register(_ImagesAsLinks(md_instance), "images_as_links", 5)


def markdown_to_html(text: str, *, web_links: bool = False) -> SafeString:
    """Render Markdown (with tables) and keep only safe HTML.

    `web_links`: people's text, whose links may also lead to http(s) and mailto addresses.
    """
    html = md.markdown(
        _tamed(text or ""),
        extensions=["tables", "sane_lists", "fenced_code", _ImagesAsLinksExtension()],
        output_format="html",
    )
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        # Without web links, no absolute address at all; paths go through same_site_path.
        url_schemes=set(WEB_SCHEMES) if web_links else set(),
        url_relative=same_site_path,
        # People's links are theirs, not the portal's recommendation (nofollow).
        link_rel="nofollow noopener noreferrer" if web_links else "noopener noreferrer",
        filter_style_properties={"text-align"},
    )
    return mark_safe(clean)  # sanitised by nh3 just above


# Tags and text of sanitised HTML; nothing is linked inside a link or code.
_TAG = re.compile(r"(<[^>]*>)")
_SKIP = re.compile(r"<(/?)(a|code|pre)\b", re.IGNORECASE)


def link_in_text(safe_html: str, link: Callable[[str], str]) -> SafeString:
    """`safe_html` (sanitised, as `markdown_to_html` gives it) with `link` applied to its text.

    `link` takes a piece of plain text (entities decoded) and returns it as escaped HTML,
    with whatever it links; tags, and the text inside links and code, stay as they are.
    """
    out, inside = [], 0
    for part in _TAG.split(str(safe_html)):
        if part.startswith("<"):
            skip = _SKIP.match(part)
            if skip:
                inside += -1 if skip.group(1) else 1
            out.append(part)
        elif inside or not part:
            out.append(part)
        else:
            out.append(link(html_lib.unescape(part)))
    return mark_safe("".join(out))  # tags kept from safe HTML, text escaped by `link`
