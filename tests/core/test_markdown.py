"""Markdown the portal wrote becomes HTML that is safe to show."""

from portal.core.markdown import markdown_to_html


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
