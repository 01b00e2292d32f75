"""People's Markdown (descriptions, comments): the one renderer, inert for hostile input."""

import re
import time

import pytest
from django.urls import reverse

from portal.core.markdown import markdown_to_html
from portal.tasks.richtext import MARKDOWN_MAX, rich_text, team_page_url, text_links
from portal.tasks.services import task_create

HOSTILE = {
    "script": "<script>alert(1)</script>**x**",
    "javascript link": "[click](javascript:alert(1)) [caps](JaVaScRiPt:alert(1))",
    "data link": "[d](data:text/html;base64,PHNjcmlwdD4=)",
    "vbscript link": "[v](vbscript:msgbox(1))",
    "image elsewhere": "![tracker](https://evil.example/pixel.png)",
    "raw html": '<img src=x onerror=alert(1)><iframe src="//evil.example"></iframe><b onclick=x>b</b>',
    "html link": '<a href="javascript:alert(1)">x</a><a href="https://x.example" onmouseover=y>z</a>',
    "style": "<style>body{display:none}</style><p style='position:fixed'>p</p>",
    "protocol relative": "[pr](//evil.example/x) [bs](/\\evil.example)",
    "nested quotes": ">" * 1000 + " deep",
    "quote stairs": "\n".join(">" * n + " x" for n in range(1, 1000)),
    "nested lists": "- " * 3000 + "x",
    "brackets": "[" * 10_000,
    "open links": "[a](" * 2_500,
    "nul": "a\x00b\x00<scr\x00ipt>",
    "entities": "&#x6A;avascript:alert(1) [e](&#x6A;avascript:alert(1))",
}


HREF = re.compile(r'href="([^"]*)"')
TAG = re.compile(r"<([a-zA-Z0-9]+)")
ALLOWED_TAGS = {"a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "li", "ol",
                "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"}  # fmt: skip


def inert(html: str) -> None:
    """Only Markdown's own elements, no event handlers or styles, links only to the web or
    this site (text that merely reads "javascript:" is harmless)."""
    assert set(TAG.findall(html)) <= ALLOWED_TAGS
    assert not re.search(r"\son[a-z]+=", html, re.IGNORECASE)
    assert "style=" not in html
    for href in HREF.findall(html):
        assert href.startswith(("http://", "https://", "mailto:", "/")), href
        assert not href.startswith(("//", "/\\")), href
    assert "\x00" not in html


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_markdown_renders_inert_and_quickly(name):
    started = time.monotonic()
    html = rich_text(HOSTILE[name])
    assert time.monotonic() - started < 5
    inert(html)


def test_links_lists_code_and_quotes_render():
    html = rich_text(
        "Hello **there**\n\n- one\n- two\n\n1. first\n\n`code` and\n\n```\nblock <b>\n```\n\n"
        "> quoted\n\n[site](https://example.com) [mail](mailto:a@example.com) [here](/teams/)"
    )
    assert "<strong>there</strong>" in html and "<ul>" in html and "<ol>" in html
    assert "<code>code</code>" in html and "block &lt;b&gt;" in html
    assert "<blockquote>" in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">site</a>' in html
    assert 'href="mailto:a@example.com"' in html and 'href="/teams/"' in html


def test_images_are_links_never_loaded():
    html = rich_text("![chart](https://evil.example/c.png) ![](/static/x.png)")
    assert "<img" not in html
    assert (
        '<a href="https://evil.example/c.png" rel="nofollow noopener noreferrer">chart</a>' in html
    )
    assert '<a href="/static/x.png"' in html


def test_the_portals_own_markdown_still_links_only_to_this_site():
    assert "href" not in markdown_to_html("[x](https://example.com)")
    assert 'href="/teams/"' in markdown_to_html("[x](/teams/)")


def test_keys_and_mentions_link_for_those_who_may_see_them(
    team, other_team, member, member2, outsider
):
    mine = task_create(actor=member, team=team, title="Mine")
    theirs = task_create(actor=outsider, team=other_team, title="Theirs")
    text = f"See {mine.key} and {theirs.key}, ask @member2 and @outsider. `{mine.key}` [{mine.key}](/x)"
    links = text_links(user=member, team=team, texts=[text], task_url=team_page_url)
    html = rich_text(text, links)
    page = reverse("pages:task", args=[team.slug, mine.number])
    assert f'<a class="task-key" href="{page}">{mine.key}</a>' in html
    assert f">{theirs.key}<" not in html and theirs.key in html  # not visible: plain text
    assert 'class="mention"' in html and f"assignee={member2.pk}" in html
    assert f"assignee={outsider.pk}" not in html
    assert f"<code>{mine.key}</code>" in html  # nothing is linked inside code or a link
    assert html.count('class="task-key"') == 1


def test_text_links_reads_nothing_when_nothing_is_named(team, member, django_assert_num_queries):
    with django_assert_num_queries(0):
        text_links(user=member, team=team, texts=["plain words", None], task_url=team_page_url)


def test_very_long_text_is_plain_but_still_linked(team, member):
    task = task_create(actor=member, team=team, title="Mine")
    text = f"**not bold** {task.key} <b>x</b>\n\n" + "a" * MARKDOWN_MAX
    html = rich_text(text, text_links(user=member, team=team, texts=[text], task_url=team_page_url))
    assert "<strong>" not in html and "**not bold**" in html and "&lt;b&gt;" in html
    assert 'class="task-key"' in html


def test_fenced_code_and_brackets_in_code_stay_as_written():
    html = rich_text("```\n[1,\n\n2] <b>\n```\n\n`a[0` and [x](/y) and [open")
    assert "<pre><code>[1,\n\n2] &lt;b&gt;\n</code></pre>" in html
    assert "<code>a[0</code>" in html and '<a href="/y"' in html and "[open" in html
