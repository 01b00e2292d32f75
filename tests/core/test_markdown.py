"""Markdown the portal wrote becomes HTML that is safe to show."""

import re
from html import unescape

import pytest

from portal.core.markdown import escape_text, markdown_to_html


def test_markdown_becomes_html_with_tables():
    html = markdown_to_html("# Title\n\n| a | b |\n| --- | ---: |\n| x | 1 |\n\n- **OPS-1** ok")
    assert "<h1>Title</h1>" in html and "<strong>OPS-1</strong>" in html
    assert '<td style="text-align:right">1</td>' in html


def test_html_from_people_is_removed():
    html = markdown_to_html(
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(2)> "
        '<b onclick="alert(3)">b</b> <a href="/admin/tasks/task/1/change/">ok</a>'
    )
    assert "<script" not in html and "alert(1)" not in html
    assert "javascript:" not in html and "onerror" not in html and "onclick" not in html
    assert '<a href="/admin/tasks/task/1/change/" rel="noopener noreferrer">ok</a>' in html


@pytest.mark.parametrize(
    "href",
    [
        "https://evil.example/login",
        "http://evil.example/",
        "mailto:someone@evil.example",
        "//evil.example/x",
        "/\\evil.example/x",
        "\\\\evil.example/x",
        " //evil.example/x",
        "/\t/evil.example/x",
        "/\n/evil.example/x",
        "javascript:alert(1)",
        "java\tscript:alert(1)",
    ],
)
def test_links_to_other_sites_lose_their_address(href):
    for text in (f"[x]({href})", f'<a href="{href}">x</a>'):
        html = markdown_to_html(text)
        assert "href" not in html and "evil.example" not in html.split(">x<")[0]


def test_links_to_this_site_stay():
    html = markdown_to_html("[task](/admin/tasks/task/1/change/)")
    assert '<a href="/admin/tasks/task/1/change/" rel="noopener noreferrer">task</a>' in html


@pytest.mark.parametrize(
    "text",
    [
        "[x](https://evil.example/login)",
        "[x](/admin/logout/)",
        '<a href="/admin/logout/">x</a>',
        "<https://evil.example>",
        "![x](/static/x.png)",
        "*a* _b_ `c` \\ | &amp; &lt;i&gt;",
        "two\nlines",
    ],
)
def test_escaped_text_renders_as_the_text(text):
    html = markdown_to_html(f"| a |\n| --- |\n| {escape_text(text)} |\n\n- {escape_text(text)}")
    assert "<a" not in html and "<img" not in html and "<em>" not in html
    shown = " ".join(text.splitlines())
    assert [unescape(cell) for cell in re.findall(r"<(?:td|li)>(.*?)</", html)] == [shown] * 2
